package io.factorymeter.app.deadletter;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How many records the exception handlers dead-lettered in this JVM: records a processor failed
 * on, outputs the broker refused, and internal records that did not decode. The {@code run}
 * status line and {@code MeteringApplication#counters()} show them.
 */
public final class HandledErrors {

  static final AtomicLong PROCESSING = new AtomicLong();
  static final AtomicLong PRODUCTION = new AtomicLong();
  static final AtomicLong DESERIALIZATION = new AtomicLong();

  private HandledErrors() {
  }

  /** Records a processor threw on (PROCESSING_ERROR dead letters). */
  public static long processing() {
    return PROCESSING.get();
  }

  /** Output records the broker refused (PRODUCTION_ERROR dead letters). */
  public static long production() {
    return PRODUCTION.get();
  }

  /** Records of internal topics that did not decode. */
  public static long deserialization() {
    return DESERIALIZATION.get();
  }
}
