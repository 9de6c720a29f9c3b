package io.factorymeter.producers.scrape;

/**
 * Unit conversions between what exporters publish and what a NodeSample carries: energy in joules
 * (dcgm-exporter counts millijoules, Triton joules) and utilization as a ratio 0..1 (dcgm-exporter
 * publishes percent, Triton a ratio).
 */
public final class Units {

  private Units() {
  }

  /** Millijoules (dcgm-exporter's {@code DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION}) to joules. */
  public static double joulesFromMillijoules(double millijoules) {
    return millijoules / 1_000.0;
  }

  /** Percent 0..100 (dcgm-exporter's {@code DCGM_FI_DEV_GPU_UTIL}) to a ratio 0..1. */
  public static double ratioFromPercent(double percent) {
    return percent / 100.0;
  }

  /** A utilization ratio clamped to 0..1 (exporters round; a NodeSample outside 0..1 is invalid). */
  public static double clampRatio(double ratio) {
    return Math.max(0.0, Math.min(1.0, ratio));
  }
}
