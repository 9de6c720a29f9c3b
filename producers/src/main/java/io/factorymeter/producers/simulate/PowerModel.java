package io.factorymeter.producers.simulate;

/**
 * GPU power and temperature as a function of load, calibrated on the ML.ENERGY full-load figures
 * of a {@link ModelProfile}: power per GPU = idle + load × (full-load power per GPU − idle), with
 * idle from {@link GpuType}; the hottest GPU's temperature approaches 28 °C + 0.065 °C/W × power
 * per GPU with a first-order lag of 90 s.
 */
public final class PowerModel {

  static final double AMBIENT_C = 28.0;
  static final double DEGREES_PER_WATT = 0.065;
  static final double THERMAL_TIME_CONSTANT_S = 90.0;

  private PowerModel() {
  }

  /** Power of one GPU at a load in [0, 1], W. */
  public static double wattsPerGpu(ModelProfile profile, double load) {
    double idle = profile.gpu().idleWattsPerGpu();
    return idle + load * (profile.powerWattsPerGpu() - idle);
  }

  /** The load in [0, 1] at which a node of {@code gpus} GPUs generates {@code outputTokens} in {@code seconds}. */
  public static double load(ModelProfile profile, int gpus, long outputTokens, double seconds) {
    double capacity = profile.outputTokensPerSecondPerGpu() * gpus * seconds;
    return capacity <= 0 ? 0 : Math.min(1.0, outputTokens / capacity);
  }

  /** Steady-state hottest-GPU temperature at a power per GPU, °C. */
  public static double targetTemperature(double wattsPerGpu) {
    return AMBIENT_C + DEGREES_PER_WATT * wattsPerGpu;
  }

  /** Temperature after {@code seconds} at {@code wattsPerGpu}, from {@code current}, °C. */
  public static double nextTemperature(double current, double wattsPerGpu, double seconds) {
    return current + (targetTemperature(wattsPerGpu) - current) * (1 - Math.exp(-seconds / THERMAL_TIME_CONSTANT_S));
  }
}
