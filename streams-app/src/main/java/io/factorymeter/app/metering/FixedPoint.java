package io.factorymeter.app.metering;

/**
 * The fixed-point units figures are summed in. Each sample's value is rounded once to these
 * units and the sums are exact integer sums, so a result does not depend on the order in which
 * samples arrive (floating-point sums would, in their last bits) and a replay gives the same
 * figures value for value.
 */
public final class FixedPoint {

  /** Energy in microjoules. */
  public static final double MICROJOULES_PER_JOULE = 1e6;
  /** Money in trillionths of the currency unit (a line can hold up to 9.2 million units). */
  public static final double PICOS_PER_UNIT = 1e12;
  /** Ratios (utilization) in millionths. */
  public static final double MICROS_PER_RATIO = 1e6;
  /** Temperatures in thousandths of a degree Celsius. */
  public static final double MILLIS_PER_DEGREE = 1e3;
  /** Carbon (SPEC §2a) in nanograms of CO2e (a window or line can hold up to 9,200 t). */
  public static final double NANOGRAMS_PER_GRAM = 1e9;

  private FixedPoint() {
  }

  public static long microjoules(double joules) {
    return Math.round(joules * MICROJOULES_PER_JOULE);
  }

  public static double joules(long microjoules) {
    return microjoules / MICROJOULES_PER_JOULE;
  }

  public static long picos(double money) {
    return Math.round(money * PICOS_PER_UNIT);
  }

  public static double money(long picos) {
    return picos / PICOS_PER_UNIT;
  }

  public static long nanograms(double grams) {
    return Math.round(grams * NANOGRAMS_PER_GRAM);
  }

  public static double grams(long nanograms) {
    return nanograms / NANOGRAMS_PER_GRAM;
  }
}
