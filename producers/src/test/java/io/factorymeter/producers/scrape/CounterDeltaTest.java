package io.factorymeter.producers.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class CounterDeltaTest {

  private final CounterDelta counters = new CounterDelta();

  @Test
  void theFirstObservationOnlyPrimes() {
    assertEquals(OptionalDouble.empty(), counters.observe("a", 15_152_422_938.0));
    assertEquals(OptionalDouble.of(682_440.0), counters.observe("a", 15_153_105_378.0));
  }

  @Test
  void theIncreaseIsCurrentMinusPrevious() {
    counters.observe("a", 100);
    assertEquals(OptionalDouble.of(50), counters.observe("a", 150));
    assertEquals(OptionalDouble.of(0), counters.observe("a", 150));
    assertEquals(OptionalDouble.of(0.5), counters.observe("a", 150.5));
  }

  @Test
  void aCounterThatWentDownRestartedFromZero() {
    counters.observe("a", 1_500);
    assertEquals(OptionalDouble.of(40), counters.observe("a", 40));
    assertEquals(OptionalDouble.of(60), counters.observe("a", 100));
    assertEquals(OptionalDouble.of(0), counters.observe("a", 0));
  }

  @Test
  void aSeriesThatDisappearsAndComesBackIsMeasuredFromItsLastValue() {
    counters.observe("a", 10);
    counters.observe("b", 5);
    assertEquals(OptionalDouble.of(2), counters.observe("b", 7)); // a missing from this observation
    assertEquals(OptionalDouble.of(15), counters.observe("a", 25)); // back: increase since it was last seen
    assertEquals(OptionalDouble.of(3), counters.observe("a", 3)); // back lower: restarted from zero
    assertEquals(OptionalDouble.empty(), counters.observe("c", 99)); // new series: primes only
    assertEquals(3, counters.size());
  }

  @Test
  void aCounterIsFiniteAndNotNegative() {
    assertThrows(IllegalArgumentException.class, () -> counters.observe("a", Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> counters.observe("a", Double.POSITIVE_INFINITY));
    assertThrows(IllegalArgumentException.class, () -> counters.observe("a", -1));
  }
}
