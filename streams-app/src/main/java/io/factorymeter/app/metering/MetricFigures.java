package io.factorymeter.app.metering;

import io.factorymeter.schema.ClusterMetrics;
import io.factorymeter.schema.FleetMetrics;
import io.factorymeter.schema.NodeMetrics;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * The published figures of SPEC §2, derived from the sums of a window.
 *
 * @param f the window's sums
 * @param windowStart start of the window (inclusive)
 * @param windowMs window length, ms
 */
public record MetricFigures(WindowFigures f, Instant windowStart, long windowMs) {

  private double windowSeconds() {
    return windowMs / 1000.0;
  }

  /** energyJ, J. */
  public double energyJ() {
    return f.cost.energyJ();
  }

  public double tokensPerSecond() {
    return f.tokens / windowSeconds();
  }

  public double outputTokensPerSecond() {
    return f.outputTokens / windowSeconds();
  }

  /** tokens / energyJ; null when energyJ = 0. */
  public Double tokensPerJoule() {
    return f.cost.noEnergy() ? null : f.tokens / energyJ();
  }

  /** outputTokens / energyJ; null when energyJ = 0. */
  public Double outputTokensPerJoule() {
    return f.cost.noEnergy() ? null : f.outputTokens / energyJ();
  }

  /** Node: energyJ / covered seconds, the mean draw while reporting. */
  public double nodeAvgPowerW() {
    return f.coveredMs == 0 ? 0.0 : energyJ() / (f.coveredMs / 1000.0);
  }

  /** Cluster and fleet: energyJ / window seconds, the group's total draw. */
  public double groupAvgPowerW() {
    return energyJ() / windowSeconds();
  }

  /** Node: min(1, covered / window length). */
  public double nodeCoverage() {
    return Math.min(1.0, f.coveredMs / (double) windowMs);
  }

  /** Cluster and fleet: min(1, covered / (window length × nodesReporting)). */
  public double groupCoverage() {
    return f.nodesReporting == 0 ? 0.0 : Math.min(1.0, f.coveredMs / ((double) windowMs * f.nodesReporting));
  }

  /**
   * Cluster and fleet, SPEC §4 nodesKnown: distinct nodes that reported (a sample on time for
   * metrics) within the trailing horizon before the window's end, count. Complete once the window
   * is final: every input partition adds its count when it settles the window.
   */
  public int nodesKnown() {
    return (int) f.nodesKnown;
  }

  /**
   * Cluster and fleet, SPEC §4 uptimeKnown = min(1, covered / (window length × nodesKnown)), ratio
   * 0..1: a known node that stopped reporting lowers it; null when nodesKnown = 0.
   */
  public Double uptimeKnown() {
    return f.nodesKnown == 0 ? null : Math.min(1.0, f.coveredMs / ((double) windowMs * f.nodesKnown));
  }

  /** Σ(gpuUtilization × intervalMs) / covered. */
  public double utilization() {
    return f.coveredMs == 0 ? 0.0 : f.utilizationMicroMs / FixedPoint.MICROS_PER_RATIO / f.coveredMs;
  }

  /** The hottest sample's temperatureC; 0 when no sample (a cluster or fleet window with known nodes only). */
  public double maxTemperatureC() {
    return f.samples == 0 ? 0.0 : f.maxTemperatureC;
  }

  /** Σ(temperatureC × intervalMs) / covered. */
  public double meanTemperatureC() {
    return f.coveredMs == 0 ? 0.0 : f.temperatureMilliMs / FixedPoint.MILLIS_PER_DEGREE / f.coveredMs;
  }

  /** Energy cost, currency; null when a sample of the window had no tariff at its timestamp. */
  public Double energyCost() {
    return f.cost.energyCost();
  }

  /** Capacity cost, currency; null when a sample of the window had no GPU rate at its timestamp. */
  public Double capacityCost() {
    return f.cost.capacityCost();
  }

  /** energyCost + capacityCost; null when either is null. */
  public Double totalCost() {
    return f.cost.totalCost();
  }

  /** totalCost / tokens × 1e6; null when tokens = 0 or totalCost is null. */
  public Double costPerMillionTokens() {
    return f.cost.costPerMillionTokens(f.tokens);
  }

  /** SPEC §2a: carbonG / tokens × 1e6, gCO2e per million tokens; null when tokens = 0 or carbonG is null. */
  public Double carbonPerMillionTokens() {
    return f.cost.carbonPerMillionTokens(f.tokens);
  }

  /** @param isFinal whether the window is settled (SPEC §4: its grace has passed) */
  public NodeMetrics toNodeMetrics(String nodeId, String currency, boolean isFinal) {
    NodeMetrics m = new NodeMetrics();
    m.setNodeId(nodeId);
    m.setClusterId(f.clusterId);
    m.setSite(f.site);
    m.setGpuModel(f.gpuModel);
    m.setGpuCount(f.gpuCount);
    m.setAvgPowerW(nodeAvgPowerW());
    m.setCoverage(nodeCoverage());
    return fill(m, currency, isFinal);
  }

  /**
   * @param isFinal whether the window is settled (SPEC §4: its grace has passed on every input
   *     partition); nodesKnown and uptimeKnown are set only then (before, not every partition has
   *     sent its count)
   */
  public ClusterMetrics toClusterMetrics(String clusterId, String currency, boolean isFinal) {
    ClusterMetrics m = new ClusterMetrics();
    m.setClusterId(clusterId);
    m.setNodesReporting((int) f.nodesReporting);
    m.setAvgPowerW(groupAvgPowerW());
    m.setCoverage(groupCoverage());
    m.setNodesKnown(isFinal ? nodesKnown() : null);
    m.setUptimeKnown(isFinal ? uptimeKnown() : null);
    return fill(m, currency, isFinal);
  }

  /**
   * @param isFinal whether the window is settled (SPEC §4: its grace has passed on every input
   *     partition); nodesKnown and uptimeKnown are set only then
   */
  public FleetMetrics toFleetMetrics(String fleetId, String currency, boolean isFinal) {
    FleetMetrics m = new FleetMetrics();
    m.setFleetId(fleetId);
    m.setNodesReporting((int) f.nodesReporting);
    m.setAvgPowerW(groupAvgPowerW());
    m.setCoverage(groupCoverage());
    m.setNodesKnown(isFinal ? nodesKnown() : null);
    m.setUptimeKnown(isFinal ? uptimeKnown() : null);
    return fill(m, currency, isFinal);
  }

  /** Sets the figures every level shares; the three metric records use the same field names for them. */
  private <R extends SpecificRecordBase> R fill(R m, String currency, boolean isFinal) {
    m.put("windowStart", windowStart);
    m.put("windowEnd", windowStart.plusMillis(windowMs));
    m.put("samples", f.samples);
    m.put("tokens", f.tokens);
    m.put("outputTokens", f.outputTokens);
    m.put("energyJ", energyJ());
    m.put("tokensPerSecond", tokensPerSecond());
    m.put("outputTokensPerSecond", outputTokensPerSecond());
    m.put("tokensPerJoule", tokensPerJoule());
    m.put("outputTokensPerJoule", outputTokensPerJoule());
    m.put("covered", f.coveredMs);
    m.put("utilization", utilization());
    m.put("maxTemperatureC", maxTemperatureC());
    m.put("meanTemperatureC", meanTemperatureC());
    m.put("energyCost", energyCost());
    m.put("capacityCost", capacityCost());
    m.put("totalCost", totalCost());
    m.put("costPerMillionTokens", costPerMillionTokens());
    m.put("currency", currency);
    m.put("unpricedSamples", f.cost.unpricedSamples());
    m.put("isFinal", isFinal);
    m.put("operationalCarbonG", f.cost.operationalCarbonG());
    m.put("embodiedCarbonG", f.cost.embodiedCarbonG());
    m.put("carbonG", f.cost.carbonG());
    m.put("carbonPerMillionTokens", carbonPerMillionTokens());
    return m;
  }
}
