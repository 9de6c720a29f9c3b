package io.factorymeter.app.metering;

import io.factorymeter.schema.NodeSample;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import io.factorymeter.schema.UsageEntry;

/**
 * The sums behind the figures of one window (SPEC §2), for one sample (its contribution) or for
 * a node, cluster or the fleet (the sum of contributions). All sums are in fixed point
 * ({@link FixedPoint}; energy and costs in {@link CostSums}, shared with billing);
 * {@link MetricFigures} derives the published figures from them. Mutable: {@link #add} folds a
 * contribution in.
 */
public final class WindowFigures {

  long samples;
  /** Distinct nodes: each node's first sample in a window contributes 1. */
  long nodesReporting;
  /**
   * Distinct nodes known in the window (SPEC §4 nodesKnown): each input partition adds its count
   * once, in the delta it sends when it settles the window ({@link KnownNodes}); 0 in a sample's
   * contribution.
   */
  long nodesKnown;
  long tokens;
  long outputTokens;
  long coveredMs;
  /** Σ round(gpuUtilization × 1e6) × intervalMs. */
  long utilizationMicroMs;
  /** Σ round(temperatureC × 1e3) × intervalMs. */
  long temperatureMilliMs;
  double maxTemperatureC = Double.NEGATIVE_INFINITY;
  /** Energy and costs. */
  CostSums cost = new CostSums();

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
    f.coveredMs = s.getIntervalMs();
    f.utilizationMicroMs = Math.round(s.getGpuUtilization() * FixedPoint.MICROS_PER_RATIO) * s.getIntervalMs();
    f.temperatureMilliMs = Math.round(s.getTemperatureC() * FixedPoint.MILLIS_PER_DEGREE) * s.getIntervalMs();
    f.maxTemperatureC = s.getTemperatureC();
    f.cost = CostSums.of(priced);
    f.clusterId = s.getClusterId();
    f.site = s.getSite();
    f.gpuModel = s.getGpuModel();
    f.gpuCount = s.getGpuCount();
    f.labelTimestamp = s.getTimestamp().toEpochMilli();
    return f;
  }

  /**
   * A group's delta that only says how many of its nodes an input partition knows in a window
   * (SPEC §4 nodesKnown): no sample, so every other sum is empty.
   */
  public static WindowFigures known(long nodes) {
    WindowFigures f = new WindowFigures();
    f.nodesKnown = nodes;
    return f;
  }

  /** A copy of these sums that {@link #add} on either leaves the other as it is. */
  public WindowFigures copy() {
    WindowFigures f = new WindowFigures();
    f.samples = samples;
    f.nodesReporting = nodesReporting;
    f.nodesKnown = nodesKnown;
    f.tokens = tokens;
    f.outputTokens = outputTokens;
    f.coveredMs = coveredMs;
    f.utilizationMicroMs = utilizationMicroMs;
    f.temperatureMilliMs = temperatureMilliMs;
    f.maxTemperatureC = maxTemperatureC;
    f.cost = new CostSums().add(cost);
    f.clusterId = clusterId;
    f.site = site;
    f.gpuModel = gpuModel;
    f.gpuCount = gpuCount;
    f.labelTimestamp = labelTimestamp;
    return f;
  }

  /** Folds a contribution into these sums; returns this. */
  public WindowFigures add(WindowFigures c) {
    // exact sums: an overflow fails loudly instead of wrapping
    samples = Math.addExact(samples, c.samples);
    nodesReporting = Math.addExact(nodesReporting, c.nodesReporting);
    nodesKnown = Math.addExact(nodesKnown, c.nodesKnown);
    tokens = Math.addExact(tokens, c.tokens);
    outputTokens = Math.addExact(outputTokens, c.outputTokens);
    coveredMs = Math.addExact(coveredMs, c.coveredMs);
    utilizationMicroMs = Math.addExact(utilizationMicroMs, c.utilizationMicroMs);
    temperatureMilliMs = Math.addExact(temperatureMilliMs, c.temperatureMilliMs);
    maxTemperatureC = Math.max(maxTemperatureC, c.maxTemperatureC);
    cost.add(c.cost);
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

  /** Energy and costs. */
  public CostSums cost() {
    return cost;
  }

  /** Distinct valid samples. */
  public long samples() {
    return samples;
  }

  /** Writes the sums (for the internal binary serdes). */
  public void writeTo(DataOutput out) throws IOException {
    out.writeLong(samples);
    out.writeLong(nodesReporting);
    out.writeLong(nodesKnown);
    out.writeLong(tokens);
    out.writeLong(outputTokens);
    out.writeLong(coveredMs);
    out.writeLong(utilizationMicroMs);
    out.writeLong(temperatureMilliMs);
    out.writeDouble(maxTemperatureC);
    cost.writeTo(out);
    writeNullable(out, clusterId);
    writeNullable(out, site);
    writeNullable(out, gpuModel);
    out.writeInt(gpuCount);
    out.writeLong(labelTimestamp);
  }

  /** Reads what {@link #writeTo} wrote. */
  public static WindowFigures readFrom(DataInput in) throws IOException {
    WindowFigures f = new WindowFigures();
    f.samples = in.readLong();
    f.nodesReporting = in.readLong();
    f.nodesKnown = in.readLong();
    f.tokens = in.readLong();
    f.outputTokens = in.readLong();
    f.coveredMs = in.readLong();
    f.utilizationMicroMs = in.readLong();
    f.temperatureMilliMs = in.readLong();
    f.maxTemperatureC = in.readDouble();
    f.cost = CostSums.readFrom(in);
    f.clusterId = readNullable(in);
    f.site = readNullable(in);
    f.gpuModel = readNullable(in);
    f.gpuCount = in.readInt();
    f.labelTimestamp = in.readLong();
    return f;
  }

  private static void writeNullable(DataOutput out, String s) throws IOException {
    out.writeBoolean(s != null);
    if (s != null) {
      out.writeUTF(s);
    }
  }

  private static String readNullable(DataInput in) throws IOException {
    return in.readBoolean() ? in.readUTF() : null;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof WindowFigures f)) {
      return false;
    }
    return samples == f.samples && nodesReporting == f.nodesReporting && nodesKnown == f.nodesKnown && tokens == f.tokens && outputTokens == f.outputTokens
        && cost.equals(f.cost) && coveredMs == f.coveredMs && utilizationMicroMs == f.utilizationMicroMs
        && temperatureMilliMs == f.temperatureMilliMs && Double.compare(maxTemperatureC, f.maxTemperatureC) == 0
        && java.util.Objects.equals(clusterId, f.clusterId) && java.util.Objects.equals(site, f.site)
        && java.util.Objects.equals(gpuModel, f.gpuModel) && gpuCount == f.gpuCount && labelTimestamp == f.labelTimestamp;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(samples, tokens, cost, coveredMs, clusterId);
  }

  @Override
  public String toString() {
    return "WindowFigures{samples=" + samples + ", nodes=" + nodesReporting + ", known=" + nodesKnown + ", tokens=" + tokens
        + ", coveredMs=" + coveredMs + ", " + cost + "}";
  }
}
