package io.factorymeter.app.metering;

import io.factorymeter.schema.ClusterMetrics;
import io.factorymeter.schema.FleetMetrics;
import io.factorymeter.schema.NodeMetrics;
import java.time.Instant;

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
    return FixedPoint.joules(f.energyMicrojoules);
  }

  public double tokensPerSecond() {
    return f.tokens / windowSeconds();
  }

  public double outputTokensPerSecond() {
    return f.outputTokens / windowSeconds();
  }

  /** tokens / energyJ; null when energyJ = 0. */
  public Double tokensPerJoule() {
    return f.energyMicrojoules == 0 ? null : f.tokens / energyJ();
  }

  /** outputTokens / energyJ; null when energyJ = 0. */
  public Double outputTokensPerJoule() {
    return f.energyMicrojoules == 0 ? null : f.outputTokens / energyJ();
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

  /** Σ(gpuUtilization × intervalMs) / covered. */
  public double utilization() {
    return f.coveredMs == 0 ? 0.0 : f.utilizationMicroMs / FixedPoint.MICROS_PER_RATIO / f.coveredMs;
  }

  /** Σ(temperatureC × intervalMs) / covered. */
  public double meanTemperatureC() {
    return f.coveredMs == 0 ? 0.0 : f.temperatureMilliMs / FixedPoint.MILLIS_PER_DEGREE / f.coveredMs;
  }

  /** Energy cost, currency; null when a sample of the window had no tariff at its timestamp. */
  public Double energyCost() {
    return f.withoutTariff > 0 ? null : FixedPoint.money(f.energyCostPicos);
  }

  /** Capacity cost, currency; null when a sample of the window had no GPU rate at its timestamp. */
  public Double capacityCost() {
    return f.withoutGpuRate > 0 ? null : FixedPoint.money(f.capacityCostPicos);
  }

  /** energyCost + capacityCost; null when either is null. */
  public Double totalCost() {
    return f.withoutTariff > 0 || f.withoutGpuRate > 0 ? null : FixedPoint.money(f.energyCostPicos + f.capacityCostPicos);
  }

  /** totalCost / tokens × 1e6; null when tokens = 0 or totalCost is null. */
  public Double costPerMillionTokens() {
    Double total = totalCost();
    return total == null || f.tokens == 0 ? null : total / f.tokens * 1e6;
  }

  public NodeMetrics toNodeMetrics(String nodeId, String currency) {
    return NodeMetrics.newBuilder()
        .setNodeId(nodeId).setClusterId(f.clusterId).setSite(f.site).setGpuModel(f.gpuModel).setGpuCount(f.gpuCount)
        .setWindowStart(windowStart).setWindowEnd(windowStart.plusMillis(windowMs)).setSamples(f.samples)
        .setTokens(f.tokens).setOutputTokens(f.outputTokens).setEnergyJ(energyJ())
        .setTokensPerSecond(tokensPerSecond()).setOutputTokensPerSecond(outputTokensPerSecond())
        .setTokensPerJoule(tokensPerJoule()).setOutputTokensPerJoule(outputTokensPerJoule())
        .setCovered(f.coveredMs).setAvgPowerW(nodeAvgPowerW()).setCoverage(nodeCoverage())
        .setUtilization(utilization()).setMaxTemperatureC(f.maxTemperatureC).setMeanTemperatureC(meanTemperatureC())
        .setEnergyCost(energyCost()).setCapacityCost(capacityCost()).setTotalCost(totalCost())
        .setCostPerMillionTokens(costPerMillionTokens()).setCurrency(currency).setUnpricedSamples(f.unpricedSamples)
        .build();
  }

  public ClusterMetrics toClusterMetrics(String clusterId, String currency) {
    return ClusterMetrics.newBuilder()
        .setClusterId(clusterId)
        .setWindowStart(windowStart).setWindowEnd(windowStart.plusMillis(windowMs)).setSamples(f.samples)
        .setNodesReporting((int) f.nodesReporting)
        .setTokens(f.tokens).setOutputTokens(f.outputTokens).setEnergyJ(energyJ())
        .setTokensPerSecond(tokensPerSecond()).setOutputTokensPerSecond(outputTokensPerSecond())
        .setTokensPerJoule(tokensPerJoule()).setOutputTokensPerJoule(outputTokensPerJoule())
        .setCovered(f.coveredMs).setAvgPowerW(groupAvgPowerW()).setCoverage(groupCoverage())
        .setUtilization(utilization()).setMaxTemperatureC(f.maxTemperatureC).setMeanTemperatureC(meanTemperatureC())
        .setEnergyCost(energyCost()).setCapacityCost(capacityCost()).setTotalCost(totalCost())
        .setCostPerMillionTokens(costPerMillionTokens()).setCurrency(currency).setUnpricedSamples(f.unpricedSamples)
        .build();
  }

  public FleetMetrics toFleetMetrics(String fleetId, String currency) {
    return FleetMetrics.newBuilder()
        .setFleetId(fleetId)
        .setWindowStart(windowStart).setWindowEnd(windowStart.plusMillis(windowMs)).setSamples(f.samples)
        .setNodesReporting((int) f.nodesReporting)
        .setTokens(f.tokens).setOutputTokens(f.outputTokens).setEnergyJ(energyJ())
        .setTokensPerSecond(tokensPerSecond()).setOutputTokensPerSecond(outputTokensPerSecond())
        .setTokensPerJoule(tokensPerJoule()).setOutputTokensPerJoule(outputTokensPerJoule())
        .setCovered(f.coveredMs).setAvgPowerW(groupAvgPowerW()).setCoverage(groupCoverage())
        .setUtilization(utilization()).setMaxTemperatureC(f.maxTemperatureC).setMeanTemperatureC(meanTemperatureC())
        .setEnergyCost(energyCost()).setCapacityCost(capacityCost()).setTotalCost(totalCost())
        .setCostPerMillionTokens(costPerMillionTokens()).setCurrency(currency).setUnpricedSamples(f.unpricedSamples)
        .build();
  }
}
