package io.factorymeter.producers.telemetry;

import java.time.Instant;
import java.util.function.Function;

/**
 * NodeSample timestamps are epoch milliseconds in a long: an ISO-8601 instant such as
 * {@code +999999999-12-31T23:59:59Z} parses but does not fit, and would fail only when sent.
 */
final class EpochMillis {

  private EpochMillis() {
  }

  /** {@code t}, if it fits in epoch milliseconds; else the exception {@code error} makes. */
  static Instant require(Instant t, String what, Function<String, ? extends RuntimeException> error) {
    try {
      t.toEpochMilli();
      return t;
    } catch (ArithmeticException e) {
      throw error.apply(what + " is out of range: " + t + " is not an instant in epoch milliseconds");
    }
  }
}
