package io.factorymeter.app.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.registry.client.SchemaRegistryException;
import io.factorymeter.registry.serde.SchemaRegistryUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** Retrying a read while the registry is unavailable; the waits are recorded, not slept. */
class RegistryRetryTest {

  private final List<Long> waits = new ArrayList<>();
  private final AtomicInteger failedAttempts = new AtomicInteger();
  private final RegistryRetry retry = new RegistryRetry(waits::add, failedAttempts::incrementAndGet, () -> false);

  private static RuntimeException unavailable() {
    SchemaRegistryException cause = new SchemaRegistryException("Schema registry http://127.0.0.1:1 unreachable", null);
    return new SerializationException("wrapped", new SchemaRegistryUnavailableException("Cannot fetch schema id 3 now", cause));
  }

  @Test
  void retriesWhileTheRegistryIsUnavailableThenReturnsTheValue() {
    AtomicInteger attempts = new AtomicInteger();
    String value = retry.call(() -> {
      if (attempts.incrementAndGet() <= 4) {
        throw unavailable();
      }
      return "tariff";
    }, "the tariff for 's1'");
    assertEquals("tariff", value);
    assertEquals(5, attempts.get());
    assertEquals(4, failedAttempts.get());
    assertEquals(List.of(100L, 200L, 400L, 800L), waits);
  }

  @Test
  void anyOtherFailureIsTheRecordsOwnAndIsNotRetried() {
    SerializationException bad = new SerializationException("Unknown magic byte 7");
    AtomicInteger attempts = new AtomicInteger();
    assertSame(bad, assertThrows(SerializationException.class, () -> retry.call(() -> {
      attempts.incrementAndGet();
      throw bad;
    }, "x")));
    assertEquals(1, attempts.get());
    assertEquals(List.of(), waits);
  }

  @Test
  void theApplicationStoppingEndsTheRetryingWithoutAValue() {
    AtomicInteger attempts = new AtomicInteger();
    RegistryRetry stopsAfterTwoWaits = new RegistryRetry(waits::add, () -> { }, () -> waits.size() == 2);
    assertThrows(RegistryRetry.Stopped.class, () -> stopsAfterTwoWaits.call(() -> {
      attempts.incrementAndGet();
      throw unavailable();
    }, "x"));
    assertEquals(2, attempts.get());
    assertEquals(List.of(100L, 200L), waits);
  }

  @Test
  void anInterruptedWaitStopsRetryingAndKeepsTheInterruptFlag() {
    RegistryRetry interrupted = new RegistryRetry(ms -> {
      throw new InterruptedException();
    }, () -> { }, () -> false);
    try {
      assertThrows(RegistryRetry.Stopped.class, () -> interrupted.call(() -> {
        throw unavailable();
      }, "x"));
      assertTrue(Thread.currentThread().isInterrupted());
    } finally {
      Thread.interrupted();   // clear it for the next test
    }
  }
}
