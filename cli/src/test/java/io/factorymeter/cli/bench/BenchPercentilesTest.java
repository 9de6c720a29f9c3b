package io.factorymeter.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Nearest-rank percentiles, checked against ranks counted by hand. */
class BenchPercentilesTest {

  @Test
  void oneToAHundredHasEachPercentileAsItsOwnValue() {
    long[] v = LongStream.rangeClosed(1, 100).toArray();
    assertEquals(50, Percentiles.nearestRank(v, 50)); // rank ceil(0.50 × 100) = 50
    assertEquals(99, Percentiles.nearestRank(v, 99)); // rank 99, not 100 (no floating-point round-up)
    assertEquals(100, Percentiles.nearestRank(v, 100));
    assertEquals(1, Percentiles.nearestRank(v, 0.5)); // rank ceil(0.5) = 1
  }

  @Test
  void fewValuesRoundTheRankUp() {
    long[] v = {10, 20, 30, 40};
    assertEquals(20, Percentiles.nearestRank(v, 50)); // rank ceil(2.0) = 2
    assertEquals(40, Percentiles.nearestRank(v, 99)); // rank ceil(3.96) = 4
    assertEquals(10, Percentiles.nearestRank(v, 25)); // rank ceil(1.0) = 1
    assertEquals(30, Percentiles.nearestRank(v, 51)); // rank ceil(2.04) = 3
    assertEquals(7, Percentiles.nearestRank(new long[] {7}, 99));
  }

  @Test
  void p99OfAThousandIgnoresTheTenLargest() {
    long[] v = LongStream.rangeClosed(1, 1000).map(i -> i <= 990 ? 5 : 1_000_000).toArray();
    assertEquals(5, Percentiles.nearestRank(v, 99)); // rank 990
    assertEquals(1_000_000, Percentiles.nearestRank(v, 99.1)); // rank 991
  }

  @Test
  void noValuesOrAPercentileOutOfRangeIsAnError() {
    assertThrows(IllegalArgumentException.class, () -> Percentiles.nearestRank(new long[0], 50));
    assertThrows(IllegalArgumentException.class, () -> Percentiles.nearestRank(new long[] {1}, 0));
    assertThrows(IllegalArgumentException.class, () -> Percentiles.nearestRank(new long[] {1}, 100.5));
  }
}
