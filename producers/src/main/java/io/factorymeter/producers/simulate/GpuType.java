package io.factorymeter.producers.simulate;

/**
 * GPU types of the simulated fleet. Full-load figures come from ML.ENERGY ({@link ModelProfile});
 * idle power is an assumption of this simulator (NVML readings of idle SXM boards are typically
 * 60-80 W for H100 and 120-160 W for B200), stated here so it can be changed in one place.
 */
public enum GpuType {
  H100("H100", "H100-SXM5-80GB", 70.0),
  B200("B200", "B200-SXM-180GB", 140.0);

  private final String leaderboardName;
  private final String gpuModel;
  private final double idleWattsPerGpu;

  GpuType(String leaderboardName, String gpuModel, double idleWattsPerGpu) {
    this.leaderboardName = leaderboardName;
    this.gpuModel = gpuModel;
    this.idleWattsPerGpu = idleWattsPerGpu;
  }

  /** Name of the GPU in the ML.ENERGY leaderboard. */
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
}
