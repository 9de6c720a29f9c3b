package io.factorymeter.producers.scrape;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads NVIDIA Triton Inference Server: per GPU ({@code gpu_uuid} label) {@code nv_gpu_power_usage}
 * (W), {@code nv_energy_consumption} (counter, J since the server started) and
 * {@code nv_gpu_utilization} (ratio 0..1). Triton reports neither temperature nor GPU model. The
 * node is the endpoint's host.
 */
final class TritonMetrics {

  static final String POWER = "nv_gpu_power_usage";
  static final String ENERGY = "nv_energy_consumption";
  static final String UTILIZATION = "nv_gpu_utilization";
  private static final Set<String> NAMES = Set.of(POWER, ENERGY, UTILIZATION);

  private TritonMetrics() {
  }

  /** The reading of the endpoint's node, by nodeId. */
  static Map<String, NodeReading> read(Endpoint endpoint, List<PrometheusSample> samples, ScrapeMapping mapping) {
    ScrapeMapping.Node node = mapping.node(endpoint.host());
    NodeReading reading = new NodeReading(node);
    for (PrometheusSample s : samples) {
      if (!NAMES.contains(s.name())) {
        continue;
      }
      double v = s.value();
      if (!Double.isFinite(v) || v < 0) {
        throw new IllegalArgumentException(s.series() + " is " + v);
      }
      String uuid = s.label("gpu_uuid");
      if (uuid == null) {
        throw new IllegalArgumentException(s.series() + " has no gpu_uuid label");
      }
      GpuReading g = reading.tritonGpus.computeIfAbsent(uuid, k -> new GpuReading());
      switch (s.name()) {
        case POWER -> g.powerWatts = v;
        case ENERGY -> g.energyCounter = v;
        default -> g.utilization = v;
      }
    }
    return Map.of(node.nodeId(), reading);
  }
}
