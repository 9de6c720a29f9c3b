package io.factorymeter.producers.scrape;

import io.factorymeter.contract.NodeSampleRules;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.UsageEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the scraper remembers of one node between rounds (the instant and GPU readings of its last
 * successful round, its counters) and how a new reading becomes a NodeSample covering
 * {@code [last round, this round)}:
 * <ul>
 *   <li>gpuCount: GPUs reported; powerWatts: Σ over GPUs of the mean of the power readings at both
 *   ends of the interval (W); energyJoules: Σ over GPUs of the energy counter increases (J), null
 *   unless every GPU has a counter seen before; temperatureC: hottest reading of any GPU at either
 *   end (°C); gpuUtilization: mean over GPUs of the mean of both ends (0..1, clamped);
 *   usage: per tenant and model, the increases of the token counters, entries with no tokens left out.</li>
 *   <li>The first round only primes; so does a round more than 1 h after the last one (a NodeSample
 *   covers at most 1 h) or not after it at all (the clock went back).</li>
 *   <li>When every GPU's energy counter is exactly where it was, the exporter has not collected
 *   since the last round (dcgm-exporter collects every 30 s by default): nothing is emitted and
 *   nothing is forgotten; the next sample covers both intervals.</li>
 * </ul>
 */
final class NodeState {

  private static final Logger LOG = LoggerFactory.getLogger(NodeState.class);
  static final long MAX_INTERVAL_MS = NodeSampleRules.MAX_INTERVAL_MS;
  /** Energy counters frozen for longer than this are worth a warning (dcgm-exporter refreshes every 30 s by default). */
  static final long STALE_WARNING_MS = 120_000L;

  private final String nodeId;
  private final CounterDelta counters = new CounterDelta();
  private Instant lastAt;
  private Map<String, GpuReading> lastGpus = Map.of();
  private boolean warnedTemperature;
  private boolean warnedUtilization;
  private boolean warnedStale;
  private boolean lastStale;

  NodeState(String nodeId) {
    this.nodeId = nodeId;
  }

  /**
   * Takes this round's reading of the node.
   *
   * @return the sample for the interval that ends now, or null when this round only primes or the exporter was stale
   * @throws IllegalStateException when the reading cannot make a sample (no GPUs, no power, no GPU model); nothing is changed then
   */
  NodeSample advance(Instant now, NodeReading r) {
    lastStale = false;
    Map<String, GpuReading> gpus = r.gpus();
    if (gpus.isEmpty()) {
      throw new IllegalStateException("no GPU metrics (no dcgm-exporter or Triton endpoint reported GPUs for it)");
    }
    gpus.forEach((k, g) -> {
      if (g.powerWatts == null) {
        throw new IllegalStateException("GPU " + k + " has no power reading");
      }
    });
    String gpuModel = r.node.gpuModel() != null ? r.node.gpuModel() : modelName(gpus);
    if (gpuModel == null) {
      throw new IllegalStateException("no GPU model: the exporter names none, set \"gpuModel\" for it in the mapping file");
    }
    long intervalMs = lastAt == null ? 0 : Duration.between(lastAt, now).toMillis();
    boolean continues = lastAt != null && intervalMs >= 1 && intervalMs <= MAX_INTERVAL_MS;
    if (continues && stale(gpus)) {
      lastStale = true;
      if (intervalMs > STALE_WARNING_MS && !warnedStale) {
        LOG.warn("node {}: GPU energy counters have not moved since {}; is the exporter still collecting?", nodeId, lastAt);
        warnedStale = true;
      }
      return null;
    }
    warnedStale = false;
    if (lastAt != null && !continues) {
      LOG.warn("node {}: last scraped at {}, {} ms before {}; a sample covers 1 ms .. 1 h, starting over", nodeId, lastAt, intervalMs, now);
    }

    double energy = 0;
    boolean energyKnown = true;
    for (Map.Entry<String, GpuReading> e : gpus.entrySet()) {
      GpuReading g = e.getValue();
      OptionalDouble d = g.energyCounter == null ? OptionalDouble.empty() : counters.observe("energy " + e.getKey(), g.energyCounter);
      energyKnown &= d.isPresent();
      energy += g.energyInMillijoules ? Units.joulesFromMillijoules(d.orElse(0)) : d.orElse(0);
    }
    Map<String, long[]> tokens = new TreeMap<>();
    Map<String, ScrapeMapping.Usage> usages = new TreeMap<>();
    r.tokens.forEach((series, c) -> {
      OptionalDouble d = counters.observe(series, c.value());
      if (d.isPresent()) {
        String key = c.usage().tenantId() + "\n" + c.usage().modelId();
        usages.put(key, c.usage());
        tokens.computeIfAbsent(key, k -> new long[2])[c.prompt() ? 0 : 1] += Math.round(d.getAsDouble());
      }
    });

    NodeSample sample = null;
    if (continues) {
      List<UsageEntry> usage = new ArrayList<>();
      tokens.forEach((key, t) -> {
        if (t[0] != 0 || t[1] != 0) {
          usage.add(new UsageEntry(usages.get(key).tenantId(), usages.get(key).modelId(), t[0], t[1]));
        }
      });
      sample = NodeSample.newBuilder()
          .setNodeId(r.node.nodeId())
          .setClusterId(r.node.clusterId())
          .setSite(r.node.site())
          .setGpuModel(gpuModel)
          .setGpuCount(gpus.size())
          .setTimestamp(lastAt)
          .setIntervalMs((int) intervalMs)
          .setPowerWatts(power(gpus))
          .setEnergyJoules(energyKnown ? energy : null)
          .setTemperatureC((float) temperature(gpus))
          .setGpuUtilization((float) utilization(gpus))
          .setUsage(usage)
          .build();
    }
    lastAt = now;
    lastGpus = gpus;
    return sample;
  }

  /**
   * Whether the last {@link #advance} found the exporter's values unchanged since the round before
   * (no sample; the next one covers this interval too).
   */
  boolean stale() {
    return lastStale;
  }

  /** True when every GPU has an energy counter and none moved since the last round. */
  private boolean stale(Map<String, GpuReading> gpus) {
    for (Map.Entry<String, GpuReading> e : gpus.entrySet()) {
      GpuReading before = lastGpus.get(e.getKey());
      if (e.getValue().energyCounter == null || before == null || !e.getValue().energyCounter.equals(before.energyCounter)) {
        return false;
      }
    }
    return true;
  }

  private double power(Map<String, GpuReading> gpus) {
    double sum = 0;
    for (Map.Entry<String, GpuReading> e : gpus.entrySet()) {
      GpuReading before = lastGpus.get(e.getKey());
      double now = e.getValue().powerWatts;
      sum += before == null || before.powerWatts == null ? now : (before.powerWatts + now) / 2;
    }
    return sum;
  }

  private double temperature(Map<String, GpuReading> gpus) {
    double max = Double.NEGATIVE_INFINITY;
    for (Map.Entry<String, GpuReading> e : gpus.entrySet()) {
      GpuReading before = lastGpus.get(e.getKey());
      if (e.getValue().temperatureC != null) {
        max = Math.max(max, e.getValue().temperatureC);
      }
      if (before != null && before.temperatureC != null) {
        max = Math.max(max, before.temperatureC);
      }
    }
    if (max == Double.NEGATIVE_INFINITY) {
      if (!warnedTemperature) {
        LOG.warn("node {}: no GPU temperature reported (Triton has none, dcgm-exporter may not support it); temperatureC is sent as 0", nodeId);
        warnedTemperature = true;
      }
      return 0;
    }
    return max;
  }

  private double utilization(Map<String, GpuReading> gpus) {
    double sum = 0;
    int n = 0;
    for (Map.Entry<String, GpuReading> e : gpus.entrySet()) {
      Double now = e.getValue().utilization;
      if (now != null) {
        GpuReading before = lastGpus.get(e.getKey());
        sum += before == null || before.utilization == null ? now : (before.utilization + now) / 2;
        n++;
      }
    }
    if (n == 0) {
      if (!warnedUtilization) {
        LOG.warn("node {}: no GPU utilization reported; gpuUtilization is sent as 0", nodeId);
        warnedUtilization = true;
      }
      return 0;
    }
    return Units.clampRatio(sum / n);
  }

  /** The first model name the GPUs report, without control characters, at most 128 characters; null if none. */
  private static String modelName(Map<String, GpuReading> gpus) {
    for (GpuReading g : gpus.values()) {
      if (g.modelName != null) {
        String s = g.modelName.replaceAll("\\p{Cntrl}", "").strip();
        if (!s.isEmpty()) {
          return s.length() > 128 ? s.substring(0, 128) : s;
        }
      }
    }
    return null;
  }
}
