package io.factorymeter.app.corpus;

import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.UsageEntry;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the valid samples of the corpus must add up to, summed here from the samples themselves
 * with the formulas of SPEC §2, §3 and §4 (nodesKnown) written out again (no code of the pipeline
 * is used), and the prices of {@code examples/prices.jsonl} copied by hand.
 */
final class CorpusSums {

  /** examples/prices.jsonl, effective 2026-01-01: site → {pricePerKwh USD, pue}. */
  static final Map<String, double[]> TARIFFS = Map.of(
      "site-a", new double[] {0.085, 1.25},
      "site-b", new double[] {0.132, 1.38});
  /** examples/prices.jsonl, effective 2026-01-01: gpuModel → hourlyRate USD. */
  static final Map<String, Double> GPU_RATES = Map.of(
      "H100-SXM5-80GB", 2.10,
      "B200-SXM-180GB", 3.40,
      "H200-SXM-141GB", 2.60,
      "GB200-NVL72", 4.20);

  private static final long MINUTE = 60_000;
  private static final long HOUR = 3_600_000;
  /** SPEC §4: nodesKnown counts the nodes with a sample within this horizon before a window's end (the default, 1 h). */
  private static final long KNOWN_HORIZON = HOUR;

  /** The figures of one metric window (node, cluster or fleet). */
  static final class Window {
    long samples;
    long tokens;
    long outputTokens;
    double energyJ;
    long covered;
    double energyCost;
    double capacityCost;
    double maxTemperatureC = Double.NEGATIVE_INFINITY;
    double temperatureTimesMs;
    double utilizationTimesMs;
    final Set<String> nodes = new TreeSet<>();
    /** Cluster and fleet windows (SPEC §4): nodes with a sample within the horizon before the window's end. */
    int nodesKnown;

    double totalCost() {
      return energyCost + capacityCost;
    }

    /** 0 in a window without samples (a cluster or fleet window of known nodes only). */
    double maxTemperatureC() {
      return samples == 0 ? 0.0 : maxTemperatureC;
    }

    double meanTemperatureC() {
      return covered == 0 ? 0.0 : temperatureTimesMs / covered;
    }

    double utilization() {
      return covered == 0 ? 0.0 : utilizationTimesMs / covered;
    }

    /** min(1, covered / (window length × nodesKnown)); null when no node is known. */
    Double uptimeKnown() {
      return nodesKnown == 0 ? null : Math.min(1.0, covered / ((double) MINUTE * nodesKnown));
    }
  }

  /** One billing line: tenant × model × hour. */
  static final class Line {
    long promptTokens;
    long completionTokens;
    double energyJ;
    double energyCost;
    double capacityCost;
    /** How many samples contributed (each adds at most one fixed-point unit of rounding). */
    int contributions;

    double totalCost() {
      return energyCost + capacityCost;
    }
  }

  final Map<String, Window> nodes = new TreeMap<>();
  final Map<String, Window> clusters = new TreeMap<>();
  final Map<String, Window> fleet = new TreeMap<>();
  final Map<String, Line> billing = new TreeMap<>();
  /** Σ energy and Σ cost of all samples per billing hour (SPEC §3 conservation). */
  final Map<Long, double[]> hours = new TreeMap<>();

  /**
   * @param samples the valid samples, all on time for metrics
   * @param lastSettledWindow start of the last window every input partition has settled, epoch ms:
   *     the cluster and fleet windows up to it have their nodesKnown
   */
  CorpusSums(List<NodeSample> samples, long lastSettledWindow) {
    for (NodeSample s : samples) {
      add(s);
    }
    addNodesKnown(samples, lastSettledWindow);
  }

  /**
   * SPEC §4 nodesKnown of every cluster and fleet window up to {@code lastWindow}: the nodes with a
   * sample in [window end − 1 h, window end), each in the cluster of its latest sample. A window
   * with known nodes but no sample is there too, with nothing else.
   */
  private void addNodesKnown(List<NodeSample> samples, long lastWindow) {
    Map<String, TreeSet<Long>> times = new TreeMap<>();
    Map<String, NodeSample> latest = new TreeMap<>();
    for (NodeSample s : samples) {
      long ts = s.getTimestamp().toEpochMilli();
      times.computeIfAbsent(s.getNodeId(), n -> new TreeSet<>()).add(ts);
      latest.merge(s.getNodeId(), s, (a, b) -> b.getTimestamp().isBefore(a.getTimestamp()) ? a : b);
    }
    long first = samples.stream().mapToLong(s -> Math.floorDiv(s.getTimestamp().toEpochMilli(), MINUTE) * MINUTE).min().orElse(0);
    for (long start = first; start <= lastWindow; start += MINUTE) {
      long end = start + MINUTE;
      for (Map.Entry<String, TreeSet<Long>> node : times.entrySet()) {
        Long seen = node.getValue().ceiling(end - KNOWN_HORIZON);
        if (seen != null && seen < end) {
          String w = iso(start);
          clusters.computeIfAbsent(latest.get(node.getKey()).getClusterId() + "|" + w, k -> new Window()).nodesKnown++;
          fleet.computeIfAbsent("fleet|" + w, k -> new Window()).nodesKnown++;
        }
      }
    }
  }

  static String iso(long epochMs) {
    return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(epochMs));
  }

  static double energy(NodeSample s) {
    return s.getEnergyJoules() != null ? s.getEnergyJoules() : s.getPowerWatts() * s.getIntervalMs() / 1000.0;
  }

  static double energyCost(NodeSample s) {
    double[] t = TARIFFS.get(s.getSite());
    return energy(s) / 3.6e6 * t[0] * t[1];
  }

  static double capacityCost(NodeSample s) {
    return s.getGpuCount() * (s.getIntervalMs() / 3.6e6) * GPU_RATES.get(s.getGpuModel());
  }

  private void add(NodeSample s) {
    long ts = s.getTimestamp().toEpochMilli();
    long windowStart = Math.floorDiv(ts, MINUTE) * MINUTE;
    String w = iso(windowStart);
    for (Map.Entry<Map<String, Window>, String> level : List.of(
        Map.entry(nodes, s.getNodeId() + "|" + w),
        Map.entry(clusters, s.getClusterId() + "|" + w),
        Map.entry(fleet, "fleet|" + w))) {
      Window f = level.getKey().computeIfAbsent(level.getValue(), k -> new Window());
      f.samples++;
      for (UsageEntry u : s.getUsage()) {
        f.tokens += u.getPromptTokens() + u.getCompletionTokens();
        f.outputTokens += u.getCompletionTokens();
      }
      f.energyJ += energy(s);
      f.covered += s.getIntervalMs();
      f.energyCost += energyCost(s);
      f.capacityCost += capacityCost(s);
      f.maxTemperatureC = Math.max(f.maxTemperatureC, s.getTemperatureC());
      f.temperatureTimesMs += (double) s.getTemperatureC() * s.getIntervalMs();
      f.utilizationTimesMs += (double) s.getGpuUtilization() * s.getIntervalMs();
      f.nodes.add(s.getNodeId());
    }

    // SPEC §3: split by promptTokens × 1.0 + completionTokens, entries of one tenant and model together;
    // no tokens: all to _idle/_idle
    long periodStart = Math.floorDiv(ts, HOUR) * HOUR;
    double[] hour = hours.computeIfAbsent(periodStart, k -> new double[2]);
    hour[0] += energy(s);
    hour[1] += energyCost(s) + capacityCost(s);
    Map<String, long[]> byLine = new LinkedHashMap<>();
    for (UsageEntry u : s.getUsage()) {
      long[] t = byLine.computeIfAbsent(u.getTenantId() + "|" + u.getModelId(), k -> new long[2]);
      t[0] += u.getPromptTokens();
      t[1] += u.getCompletionTokens();
    }
    double weightSum = 0;
    for (long[] t : byLine.values()) {
      weightSum += t[0] + t[1];
    }
    if (weightSum == 0) {
      byLine.clear();
      byLine.put("_idle|_idle", new long[2]);
    }
    for (Map.Entry<String, long[]> e : byLine.entrySet()) {
      long[] t = e.getValue();
      double share = weightSum == 0 ? 1.0 : (t[0] + t[1]) / weightSum;
      Line line = billing.computeIfAbsent(e.getKey() + "|" + iso(periodStart), k -> new Line());
      line.promptTokens += t[0];
      line.completionTokens += t[1];
      line.energyJ += energy(s) * share;
      line.energyCost += energyCost(s) * share;
      line.capacityCost += capacityCost(s) * share;
      line.contributions++;
    }
  }
}
