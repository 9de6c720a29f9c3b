package io.factorymeter.producers.trace;

import io.factorymeter.contract.NodeSampleRules;
import io.factorymeter.producers.simulate.ModelProfile;
import java.time.Duration;

/**
 * The fleet a request trace is played on.
 *
 * @param nodes nodes the requests are spread over, round robin in arrival order
 * @param clusters clusters the nodes are spread over (round robin)
 * @param sites sites the clusters are spread over (round robin)
 * @param gpusPerNode GPUs of each node
 * @param profile the model and GPU every node serves (ML.ENERGY full-load figures and inter-token latency)
 * @param tenants tenants the requests are drawn for, uniformly with {@code seed}
 * @param interval sample interval
 * @param seed seed of the tenant draw
 */
public record TraceFleet(int nodes, int clusters, int sites, int gpusPerNode, ModelProfile profile, int tenants,
    Duration interval, long seed) {

  public TraceFleet {
    if (nodes < 1 || clusters < 1 || clusters > nodes || sites < 1 || sites > clusters || tenants < 1 || gpusPerNode < 1
        || interval.toMillis() < 1000 || interval.toMillis() > NodeSampleRules.MAX_INTERVAL_MS) {
      throw new IllegalArgumentException("a trace fleet needs 1 <= sites <= clusters <= nodes, tenants >= 1, GPUs >= 1,"
          + " and an interval between 1 s and 1 h");
    }
  }
}
