package io.factorymeter.producers.simulate;

import io.factorymeter.contract.NodeSampleRules;
import java.time.Duration;

/**
 * Shape of a simulated fleet.
 *
 * @param nodes number of GPU nodes
 * @param clusters clusters the nodes are spread over (round robin); a cluster has one GPU type,
 *     H100, B200, H200, GB200 in turn
 * @param sites data-center sites the clusters are spread over (round robin)
 * @param tenants tenants sharing the served models
 * @param gpusPerNode GPUs in each node
 * @param interval length of one sample
 * @param seed seed of every random choice: the same spec and start give the same samples
 */
public record FleetSpec(int nodes, int clusters, int sites, int tenants, int gpusPerNode, Duration interval, long seed) {

  public FleetSpec {
    require(nodes >= 1, "nodes must be at least 1");
    require(clusters >= 1 && clusters <= nodes, "clusters must be between 1 and the number of nodes");
    require(sites >= 1 && sites <= clusters, "sites must be between 1 and the number of clusters");
    require(tenants >= 1, "tenants must be at least 1");
    require(gpusPerNode >= 1 && gpusPerNode <= 72, "gpusPerNode must be between 1 and 72");
    require(!interval.isNegative() && interval.toMillis() >= 1000 && interval.toMillis() <= NodeSampleRules.MAX_INTERVAL_MS,
        "interval must be between 1 s and 1 h");
  }

  /** 24 nodes in 4 clusters at 2 sites, 6 tenants, 8 GPUs a node, 10 s samples, seed 42. */
  public static FleetSpec defaults() {
    return new FleetSpec(24, 4, 2, 6, 8, Duration.ofSeconds(10), 42L);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
