package io.factorymeter.cli.bench;

/** Percentiles of measured values. */
public final class Percentiles {

  private Percentiles() {
  }

  /**
   * The nearest-rank percentile: the smallest value such that at least {@code p} % of the values
   * are less than or equal to it, i.e. the value at rank ⌈p / 100 × n⌉ (from 1) of the sorted values.
   *
   * @param sorted values in ascending order, at least one
   * @param p the percentile, greater than 0 and at most 100
   */
  public static long nearestRank(long[] sorted, double p) {
    if (sorted.length == 0) {
      throw new IllegalArgumentException("no values");
    }
    if (!(p > 0 && p <= 100)) {
      throw new IllegalArgumentException("percentile must be in (0, 100], got " + p);
    }
    int rank = (int) Math.ceil(p * sorted.length / 100.0); // p × n first: exact for whole p
    return sorted[Math.max(1, rank) - 1];
  }
}
