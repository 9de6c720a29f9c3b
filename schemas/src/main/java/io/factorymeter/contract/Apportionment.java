package io.factorymeter.contract;

/**
 * Splits a whole amount (tokens, microjoules, picos of money) in proportion to weights by the
 * largest-remainder method: each part is the floor of its exact share, and the units left over go
 * one each to the largest fractional remainders (ties to the earlier part). The parts always add
 * up to the amount exactly, which is what keeps bills equal to the fleet's totals (SPEC §3).
 */
public final class Apportionment {

  private Apportionment() {
  }

  /**
   * @param amount a non-negative whole amount
   * @param weights non-negative weights; when they are all 0, everything goes to the first part
   */
  public static long[] split(long amount, double[] weights) {
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    long[] parts = new long[weights.length];
    if (total <= 0) {
      parts[0] = amount;
      return parts;
    }
    double[] remainders = new double[weights.length];
    long assigned = 0;
    for (int i = 0; i < weights.length; i++) {
      double exact = amount * (weights[i] / total);
      parts[i] = (long) Math.floor(exact);
      remainders[i] = exact - parts[i];
      assigned += parts[i];
    }
    for (long left = amount - assigned; left > 0; left--) {
      int best = 0;
      for (int i = 1; i < remainders.length; i++) {
        if (remainders[i] > remainders[best]) {
          best = i;
        }
      }
      parts[best]++;
      remainders[best] = Double.NEGATIVE_INFINITY;
      if (allTaken(remainders)) {
        java.util.Arrays.fill(remainders, 0.0);
      }
    }
    // beyond 2^53 the floating-point shares can put one unit too many into the floors: take it back
    for (long over = assigned - amount; over > 0; over--) {
      int largest = 0;
      for (int i = 1; i < parts.length; i++) {
        if (parts[i] > parts[largest]) {
          largest = i;
        }
      }
      parts[largest]--;
    }
    return parts;
  }

  /** Whether every remainder has had its extra unit. */
  private static boolean allTaken(double[] remainders) {
    for (double r : remainders) {
      if (r != Double.NEGATIVE_INFINITY) {
        return false;
      }
    }
    return true;
  }
}
