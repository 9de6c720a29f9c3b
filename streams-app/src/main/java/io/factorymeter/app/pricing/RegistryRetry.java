package io.factorymeter.app.pricing;

import io.factorymeter.registry.serde.SchemaRegistryUnavailableException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.streams.errors.StreamsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a price again and again while the schema registry is unavailable (unreachable, 5xx, 408,
 * 429: {@link SchemaRegistryUnavailableException#isCause}), waiting as {@link RegistryBackoff}
 * says, until it can be read: a price is never skipped because the registry was away (issue 8 §4).
 * Prices behind it wait; samples keep being priced with the prices already stored.
 *
 * <p>Logs one warning when a streak of failures begins and one line when it ends, not one per
 * attempt (each attempt only at DEBUG level); each failed attempt is counted ({@code prices-registry-retries}). Any other failure is
 * the record's own and is thrown at once. An interrupted wait, or the application stopping (asked
 * before and after each wait), ends the retrying with {@link Stopped} (the interrupt flag set again
 * when it was an interrupt): the record was not read, and is read again at the next start.
 */
final class RegistryRetry {

  private static final Logger log = LoggerFactory.getLogger(RegistryRetry.class);

  /** How to wait. */
  interface Sleeper {
    void sleep(long ms) throws InterruptedException;

    /** {@code Thread.sleep} in slices of at most 100 ms, returning early once {@code stopping} says so. */
    static Sleeper until(BooleanSupplier stopping) {
      return ms -> {
        long end = System.nanoTime() + ms * 1_000_000L;
        for (long left = ms; left > 0 && !stopping.getAsBoolean(); left = (end - System.nanoTime()) / 1_000_000L) {
          Thread.sleep(Math.min(left, 100));
        }
      };
    }
  }

  /** The wait for the schema registry was interrupted or the application is stopping: the price was not read. */
  static final class Stopped extends StreamsException {
    private static final long serialVersionUID = 1L;

    Stopped(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final Sleeper sleeper;
  private final Runnable failedAttempt;
  private final BooleanSupplier stopping;

  /**
   * @param sleeper how to wait
   * @param failedAttempt called once per failed attempt (a counter)
   * @param stopping whether the application is stopping (then the retrying ends)
   */
  RegistryRetry(Sleeper sleeper, Runnable failedAttempt, BooleanSupplier stopping) {
    this.sleeper = sleeper;
    this.failedAttempt = failedAttempt;
    this.stopping = stopping;
  }

  /** Retries waiting with {@code Thread.sleep}, ending when the global thread is being stopped. */
  static RegistryRetry onGlobalThread(Runnable failedAttempt) {
    return new RegistryRetry(Sleeper.until(GlobalThreadStopping::now), failedAttempt, GlobalThreadStopping::now);
  }

  /**
   * The result of {@code attempt}, retried while the registry is unavailable.
   *
   * @param what what is read, for the log ("the tariff for 's1' at factory.tariffs-0@12")
   */
  <T> T call(Supplier<T> attempt, String what) {
    RegistryBackoff backoff = new RegistryBackoff();
    int failures = 0;
    long waitedMs = 0;
    while (true) {
      try {
        T result = attempt.get();
        if (failures > 0) {
          log.info("Schema registry answered again: read {} after {} failed attempt(s) and {} ms of waiting",
              what, failures, waitedMs);
        }
        return result;
      } catch (RuntimeException e) {
        if (!SchemaRegistryUnavailableException.isCause(e)) {
          throw e;
        }
        failures++;
        failedAttempt.run();
        if (failures == 1) {
          log.warn("Schema registry unavailable while reading {}: {}. Retrying ({} ms doubling to {} ms) until it "
              + "answers; later prices wait behind it", what, e.getMessage(), RegistryBackoff.FIRST_WAIT_MS,
              RegistryBackoff.MAX_WAIT_MS);
        }
        long wait = backoff.next();
        log.debug("Schema registry still unavailable for {} (failed attempt {}); next attempt in {} ms", what, failures, wait);
        stopIfStopping(what, e);
        try {
          sleeper.sleep(wait);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw stopped(what, "the thread was interrupted", interrupted);
        }
        stopIfStopping(what, e);
        waitedMs += wait;
      }
    }
  }

  private void stopIfStopping(String what, RuntimeException cause) {
    if (stopping.getAsBoolean()) {
      throw stopped(what, "the application is stopping", cause);
    }
  }

  private static Stopped stopped(String what, String why, Throwable cause) {
    log.warn("Stopped waiting for the schema registry because {}: {} was not read; it is read again at the next start",
        why, what);
    return new Stopped("Stopped waiting for the schema registry to read " + what + ": " + why, cause);
  }
}
