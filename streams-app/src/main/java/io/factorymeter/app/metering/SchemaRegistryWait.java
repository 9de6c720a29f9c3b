package io.factorymeter.app.metering;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether the pipeline is waiting for the schema registry (SPEC §1: a record is dead-lettered only
 * for what it is, never because the registry could not be asked). Shared by the tasks of this
 * JVM; the {@code run} command's status line shows it.
 */
public final class SchemaRegistryWait {

  /** Since when, and why, the pipeline has been waiting. */
  public record Waiting(Instant since, String reason, long retries) {
  }

  private static final AtomicReference<Waiting> waiting = new AtomicReference<>();
  private static final AtomicLong retries = new AtomicLong();

  private SchemaRegistryWait() {
  }

  /** A call failed because the registry is unavailable; the caller retries. */
  public static void failed(String reason) {
    long n = retries.incrementAndGet();
    waiting.updateAndGet(w -> new Waiting(w == null ? Instant.now() : w.since(), reason, n));
  }

  /** A call succeeded: the registry answers again. */
  public static void answered() {
    if (waiting.get() != null) {
      waiting.set(null);
    }
  }

  /** The wait in progress, if any. */
  public static Optional<Waiting> current() {
    return Optional.ofNullable(waiting.get());
  }

  /** How many times, in total, a call was retried because the registry was unavailable. */
  public static long retries() {
    return retries.get();
  }
}
