package io.factorymeter.producers.scrape;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Turns cumulative counters into increases between two observations, with Prometheus' reset rule:
 * a counter that went down was restarted from zero, so the increase is its whole current value.
 * The first observation of a series only primes it (what the counter counted before it was first
 * seen is not known). A series missing from some observations keeps its last value, so when it
 * comes back its increase is measured from there (or, if it came back lower, from zero). The
 * increase is in the counter's own unit.
 */
public final class CounterDelta {

  private final Map<String, Double> last = new HashMap<>();

  /**
   * Records the current value of a series.
   *
   * @param series the identity of the series, e.g. {@link PrometheusSample#series()}
   * @param value the counter's current value, finite and not negative
   * @return the increase since the previous observation of the series, or empty for its first
   */
  public OptionalDouble observe(String series, double value) {
    if (!Double.isFinite(value) || value < 0) {
      throw new IllegalArgumentException("counter " + series + " is " + value + "; a counter is finite and not negative");
    }
    Double previous = last.put(series, value);
    if (previous == null) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(value >= previous ? value - previous : value);
  }

  /** The number of series seen so far. */
  public int size() {
    return last.size();
  }
}
