package io.factorymeter.app.metering;

import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.UsageEntry;

/**
 * The sums behind the figures of one window (SPEC §2), for one sample (its contribution) or for
 * a node, cluster or the fleet (the sum of contributions). All sums are in fixed point
 * ({@link FixedPoint}); {@link MetricFigures} derives the published figures from them. Mutable:
 * {@link #add} folds a contribution in.
 */
public final class WindowFigures {

  long samples;
  /** Distinct nodes: each node's first sample in a window contributes 1. */
  long nodesReporting;
  long tokens;
  long outputTokens;
  long energyMicrojoules;
  long coveredMs;
  /** Σ round(gpuUtilization × 1e6) × intervalMs. */
  long utilizationMicroMs;
  /** Σ round(temperatureC × 1e3) × intervalMs. */
  long temperatureMilliMs;
  double maxTemperatureC = Double.NEGATIVE_INFINITY;
  long energyCostPicos;
  long capacityCostPicos;
  /** Samples without a tariff at their timestamp. */
  long withoutTariff;
  /** Samples without a GPU rate at their timestamp. */
  long withoutGpuRate;
  /** Samples without a tariff or without a GPU rate. */
  long unpricedSamples;

  // Labels of a node window: those of its latest sample (by timestamp). Empty for groups.
  String clusterId;
  String site;
  String gpuModel;
  int gpuCount;
  long labelTimestamp = Long.MIN_VALUE;

  public WindowFigures() {
  }

  /**
   * The contribution of one priced sample.
   *
   * @param firstOfNodeInWindow whether it is its node's first sample in the metric window (counts
   *     the node once in nodesReporting)
   */
  public static WindowFigures of(PricedSample priced, boolean firstOfNodeInWindow) {
    NodeSample s = priced.sample();
    WindowFigures f = new WindowFigures();
    f.samples = 1;
    f.nodesReporting = firstOfNodeInWindow ? 1 : 0;
    for (UsageEntry u : s.getUsage()) {
      f.tokens = Math.addExact(f.tokens, Math.addExact(u.getPromptTokens(), u.getCompletionTokens()));
      f.outputTokens = Math.addExact(f.outputTokens, u.getCompletionTokens());
    }
    f.energyMicrojoules = FixedPoint.microjoules(priced.energyJoules());
    f.coveredMs = s.getIntervalMs();
    f.utilizationMicroMs = Math.round(s.getGpuUtilization() * FixedPoint.MICROS_PER_RATIO) * s.getIntervalMs();
    f.temperatureMilliMs = Math.round(s.getTemperatureC() * FixedPoint.MILLIS_PER_DEGREE) * s.getIntervalMs();
    f.maxTemperatureC = s.getTemperatureC();
    Double energyCost = priced.energyCost();
    Double capacityCost = priced.capacityCost();
    f.energyCostPicos = energyCost == null ? 0 : FixedPoint.picos(energyCost);
    f.capacityCostPicos = capacityCost == null ? 0 : FixedPoint.picos(capacityCost);
    f.withoutTariff = energyCost == null ? 1 : 0;
    f.withoutGpuRate = capacityCost == null ? 1 : 0;
    f.unpricedSamples = priced.unpriced() ? 1 : 0;
    f.clusterId = s.getClusterId();
    f.site = s.getSite();
    f.gpuModel = s.getGpuModel();
    f.gpuCount = s.getGpuCount();
    f.labelTimestamp = s.getTimestamp().toEpochMilli();
    return f;
  }

  /** Folds a contribution into these sums; returns this. */
  public WindowFigures add(WindowFigures c) {
    // exact sums: an overflow fails loudly instead of wrapping
    samples = Math.addExact(samples, c.samples);
    nodesReporting = Math.addExact(nodesReporting, c.nodesReporting);
    tokens = Math.addExact(tokens, c.tokens);
    outputTokens = Math.addExact(outputTokens, c.outputTokens);
    energyMicrojoules = Math.addExact(energyMicrojoules, c.energyMicrojoules);
    coveredMs = Math.addExact(coveredMs, c.coveredMs);
    utilizationMicroMs = Math.addExact(utilizationMicroMs, c.utilizationMicroMs);
    temperatureMilliMs = Math.addExact(temperatureMilliMs, c.temperatureMilliMs);
    maxTemperatureC = Math.max(maxTemperatureC, c.maxTemperatureC);
    energyCostPicos = Math.addExact(energyCostPicos, c.energyCostPicos);
    capacityCostPicos = Math.addExact(capacityCostPicos, c.capacityCostPicos);
    withoutTariff += c.withoutTariff;
    withoutGpuRate += c.withoutGpuRate;
    unpricedSamples += c.unpricedSamples;
    if (c.labelTimestamp >= labelTimestamp && c.clusterId != null) {
      clusterId = c.clusterId;
      site = c.site;
      gpuModel = c.gpuModel;
      gpuCount = c.gpuCount;
      labelTimestamp = c.labelTimestamp;
    }
    return this;
  }

  public String clusterId() {
    return clusterId;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof WindowFigures f)) {
      return false;
    }
    return samples == f.samples && nodesReporting == f.nodesReporting && tokens == f.tokens && outputTokens == f.outputTokens
        && energyMicrojoules == f.energyMicrojoules && coveredMs == f.coveredMs && utilizationMicroMs == f.utilizationMicroMs
        && temperatureMilliMs == f.temperatureMilliMs && Double.compare(maxTemperatureC, f.maxTemperatureC) == 0
        && energyCostPicos == f.energyCostPicos && capacityCostPicos == f.capacityCostPicos && withoutTariff == f.withoutTariff
        && withoutGpuRate == f.withoutGpuRate && unpricedSamples == f.unpricedSamples
        && java.util.Objects.equals(clusterId, f.clusterId) && java.util.Objects.equals(site, f.site)
        && java.util.Objects.equals(gpuModel, f.gpuModel) && gpuCount == f.gpuCount && labelTimestamp == f.labelTimestamp;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(samples, tokens, energyMicrojoules, coveredMs, clusterId);
  }

  @Override
  public String toString() {
    return "WindowFigures{samples=" + samples + ", nodes=" + nodesReporting + ", tokens=" + tokens + ", energyMicroJ="
        + energyMicrojoules + ", coveredMs=" + coveredMs + ", energyCostPicos=" + energyCostPicos + ", capacityCostPicos="
        + capacityCostPicos + ", unpriced=" + unpricedSamples + "}";
  }
}
