package io.factorymeter.cli;

import io.factorymeter.producers.simulate.FleetSpec;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Shape of the simulated fleet. */
public final class FleetOptions {

  @Option(names = "--nodes", defaultValue = "24", description = "GPU nodes (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--clusters", defaultValue = "4", description = "Clusters, of H100, B200, H200 and GB200 nodes in turn (default: ${DEFAULT-VALUE}).")
  int clusters;

  @Option(names = "--sites", defaultValue = "2", description = "Data-center sites (default: ${DEFAULT-VALUE}).")
  int sites;

  @Option(names = "--tenants", defaultValue = "6", description = "Tenants (default: ${DEFAULT-VALUE}).")
  int tenants;

  @Option(names = "--gpus-per-node", defaultValue = "8", description = "GPUs in a node (default: ${DEFAULT-VALUE}).")
  int gpusPerNode;

  @Option(names = "--interval", defaultValue = "10s", converter = DurationConverter.class,
      description = "Sample interval (default: ${DEFAULT-VALUE}).")
  Duration interval;

  @Option(names = "--seed", defaultValue = "42", description = "Random seed; the same seed and start give the same samples (default: ${DEFAULT-VALUE}).")
  long seed;

  FleetSpec spec() {
    try {
      return new FleetSpec(nodes, clusters, sites, tenants, gpusPerNode, interval, seed);
    } catch (IllegalArgumentException e) {
      throw new UserError("Invalid fleet: " + e.getMessage(), 2);
    }
  }
}
