package io.factorymeter.schema;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.factorymeter.contract.Apportionment;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ApportionmentTest {

  @Test
  void splitsByTheLargestRemainders() {
    // 10 in thirds: 3.33 each, the one unit left to the first (ties to the earlier part)
    assertArrayEquals(new long[] {4, 3, 3}, Apportionment.split(10, new double[] {1, 1, 1}));
    // 100 by 0.4 / 0.6
    assertArrayEquals(new long[] {40, 60}, Apportionment.split(100, new double[] {400, 600}));
    // 7 by 1:2:4 = 1, 2, 4 exactly
    assertArrayEquals(new long[] {1, 2, 4}, Apportionment.split(7, new double[] {1, 2, 4}));
    // 5 by 0.15 / 0.35 / 0.5 = 0.75, 1.75, 2.5 -> floors 0, 1, 2, remainders .75 .75 .5 -> 1, 2, 2
    assertArrayEquals(new long[] {1, 2, 2}, Apportionment.split(5, new double[] {0.15, 0.35, 0.5}));
    assertArrayEquals(new long[] {9, 0}, Apportionment.split(9, new double[] {0, 0}));
  }

  @Test
  void thePartsAlwaysAddUpToTheAmount() {
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < 10_000; i++) {
      long amount = i % 2 == 0 ? r.nextLong(0, 1_000_000_000_000_000L) : r.nextLong(Long.MAX_VALUE / 4, Long.MAX_VALUE / 2);
      double[] weights = new double[r.nextInt(1, 8)];
      for (int k = 0; k < weights.length; k++) {
        weights[k] = r.nextInt(0, 3) == 0 ? 0 : r.nextDouble() * 1e6;
      }
      long[] parts = Apportionment.split(amount, weights);
      assertEquals(amount, Arrays.stream(parts).sum(), Arrays.toString(weights));
      assertEquals(0, Arrays.stream(parts).filter(p -> p < 0).count());
    }
  }
}
