package io.factorymeter.producers.scrape;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads NVIDIA dcgm-exporter: per GPU ({@code gpu} label) {@code DCGM_FI_DEV_POWER_USAGE} (W),
 * {@code DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION} (counter, mJ, turned into J),
 * {@code DCGM_FI_DEV_GPU_TEMP} (°C) and {@code DCGM_FI_DEV_GPU_UTIL} (%, turned into a ratio), and
 * the {@code modelName} label. The node is the {@code Hostname} label, or the endpoint's host when
 * the mapping does not know the label. DCGM's "blank" values (not supported, no data yet: int32
 * 0x7ffffff0 and up, fp64 2^47 and up, int64 0x7ffffffffffffff0 and up) count as not reported.
 */
final class DcgmMetrics {

  static final String POWER = "DCGM_FI_DEV_POWER_USAGE";
  static final String ENERGY = "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION";
  static final String TEMPERATURE = "DCGM_FI_DEV_GPU_TEMP";
  static final String UTILIZATION = "DCGM_FI_DEV_GPU_UTIL";
  private static final Set<String> NAMES = Set.of(POWER, ENERGY, TEMPERATURE, UTILIZATION);

  /** DCGM_INT32_BLANK; the fp64 and int64 blanks of gauges are larger still. */
  static final double INT32_BLANK = 0x7ffffff0;
  /** Below DCGM_INT64_BLANK (≈ 9.22e18) and far above any real energy counter in mJ. */
  static final double INT64_BLANK_FLOOR = 9.0e18;

  private DcgmMetrics() {
  }

  /** The readings of the nodes in one dcgm-exporter scrape, by nodeId. */
  static Map<String, NodeReading> read(Endpoint endpoint, List<PrometheusSample> samples, ScrapeMapping mapping) {
    Map<String, NodeReading> out = new TreeMap<>();
    for (PrometheusSample s : samples) {
      if (!NAMES.contains(s.name())) {
        continue;
      }
      double v = s.value();
      if (v >= (s.name().equals(ENERGY) ? INT64_BLANK_FLOOR : INT32_BLANK)) {
        continue;
      }
      if (!Double.isFinite(v) || (v < 0 && !s.name().equals(TEMPERATURE))) {
        throw new IllegalArgumentException(s.series() + " is " + v);
      }
      String gpu = s.label("gpu");
      if (gpu == null) {
        throw new IllegalArgumentException(s.series() + " has no gpu label");
      }
      String hostname = s.label("Hostname");
      ScrapeMapping.Node node = mapping.node(hostname == null || hostname.isBlank() ? null : hostname, endpoint.host());
      GpuReading g = out.computeIfAbsent(node.nodeId(), k -> new NodeReading(node)).dcgmGpus
          .computeIfAbsent(gpu, k -> new GpuReading());
      if (g.modelName == null) {
        g.modelName = s.label("modelName");
      }
      switch (s.name()) {
        case POWER -> g.powerWatts = g.powerWatts != null ? g.powerWatts : v;
        case ENERGY -> {
          if (g.energyCounter == null) {
            g.energyCounter = v;
            g.energyInMillijoules = true;
          }
        }
        case TEMPERATURE -> g.temperatureC = g.temperatureC != null ? g.temperatureC : v;
        default -> g.utilization = g.utilization != null ? g.utilization : Units.ratioFromPercent(v);
      }
    }
    return out;
  }
}
