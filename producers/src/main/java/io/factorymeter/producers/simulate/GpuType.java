package io.factorymeter.producers.simulate;

/**
 * GPU types of the simulated fleet. H100 and B200 full-load figures are measured (ML.ENERGY
 * Leaderboard v3, {@link ModelProfile}); H200 and GB200 are not in that data and are DERIVED from
 * them with stated factors, as assumptions of this simulator, not measurements:
 * <ul>
 *   <li>H200 = H100 figures × 1.4 throughput, same power: the same Hopper compute and 700 W
 *       envelope with 141 GB of HBM3e at 4.8 TB/s instead of 80 GB at 3.35 TB/s (×1.43 memory
 *       bandwidth), and decoding is memory-bound;
 *   <li>GB200 = B200 figures × 1.25 throughput, × 1.2 power: the same Blackwell GPU at the NVL72
 *       envelope of 1,200 W instead of 1,000 W.
 * </ul>
 * Idle power is an assumption too (NVML readings of idle SXM boards: typically 60-80 W for
 * Hopper, 120-160 W for Blackwell).
 */
public enum GpuType {
  H100("H100", "H100-SXM5-80GB", 70.0, 1.0, 1.0),
  H200("H100", "H200-SXM-141GB", 75.0, 1.4, 1.0),
  B200("B200", "B200-SXM-180GB", 140.0, 1.0, 1.0),
  GB200("B200", "GB200-NVL72", 160.0, 1.25, 1.2);

  private final String leaderboardName;
  private final String gpuModel;
  private final double idleWattsPerGpu;
  private final double throughputFactor;
  private final double powerFactor;

  GpuType(String leaderboardName, String gpuModel, double idleWattsPerGpu, double throughputFactor, double powerFactor) {
    this.leaderboardName = leaderboardName;
    this.gpuModel = gpuModel;
    this.idleWattsPerGpu = idleWattsPerGpu;
    this.throughputFactor = throughputFactor;
    this.powerFactor = powerFactor;
  }

  /** Name of the GPU whose ML.ENERGY rows this type's figures come from (H100 or B200). */
  public String leaderboardName() {
    return leaderboardName;
  }

  /** The gpuModel written in NodeSamples; selects the GPU rate. */
  public String gpuModel() {
    return gpuModel;
  }

  /** Power of one idle GPU, W. */
  public double idleWattsPerGpu() {
    return idleWattsPerGpu;
  }

  /** This type's figures for a model: the measured row's, scaled (1 for H100 and B200). */
  public ModelProfile scale(ModelProfile measured) {
    if (throughputFactor == 1.0 && powerFactor == 1.0) {
      return measured;
    }
    double throughput = measured.outputTokensPerSecond() * throughputFactor;
    double power = measured.powerWatts() * powerFactor;
    return new ModelProfile(measured.modelId(), name(), measured.gpusPerReplica(), throughput, power, power / throughput,
        measured.medianInterTokenLatencyMs() / throughputFactor);
  }
}
