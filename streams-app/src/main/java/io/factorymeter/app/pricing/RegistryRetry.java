package io.factorymeter.app.pricing;

import io.factorymeter.registry.serde.SchemaRegistryUnavailableException;
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
 * the record's own and is thrown at once. An interrupted wait ends the retrying with
 * {@link Interrupted} (the interrupt flag set again): the application is stopping.
 */
final class RegistryRetry {

  private static final Logger log = LoggerFactory.getLogger(RegistryRetry.class);

  /** How to wait; {@code Thread::sleep} outside tests. */
  interface Sleeper {
    void sleep(long ms) throws InterruptedException;
  }

  /** The wait for the schema registry was interrupted: the price was not read, and the thread stops. */
  static final class Interrupted extends StreamsException {
    private static final long serialVersionUID = 1L;

    Interrupted(String message, InterruptedException cause) {
      super(message, cause);
    }
  }

  private final Sleeper sleeper;
  private final Runnable failedAttempt;

  /**
   * @param sleeper how to wait
   * @param failedAttempt called once per failed attempt (a counter)
   */
  RegistryRetry(Sleeper sleeper, Runnable failedAttempt) {
    this.sleeper = sleeper;
    this.failedAttempt = failedAttempt;
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
        try {
          sleeper.sleep(wait);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new Interrupted("Interrupted while waiting for the schema registry to read " + what, interrupted);
        }
        waitedMs += wait;
      }
    }
  }
}
