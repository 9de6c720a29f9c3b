package io.factorymeter.app.pricing;

/**
 * The waits between attempts to read a price while the schema registry is unavailable (SPEC §2
 * prices; issue 8 §4): 100 ms, doubling after each failed attempt, at most 10 s. Not thread-safe:
 * one per streak of failures.
 */
public final class RegistryBackoff {

  /** The first wait, ms. */
  public static final long FIRST_WAIT_MS = 100;
  /** The longest wait, ms. */
  public static final long MAX_WAIT_MS = 10_000;

  private final long firstMs;
  private final long maxMs;
  private long nextMs;

  /** The default schedule: {@value #FIRST_WAIT_MS} ms doubling to {@value #MAX_WAIT_MS} ms. */
  public RegistryBackoff() {
    this(FIRST_WAIT_MS, MAX_WAIT_MS);
  }

  /** @param firstMs the first wait, ms (at least 1); @param maxMs the longest wait, ms (at least firstMs) */
  public RegistryBackoff(long firstMs, long maxMs) {
    if (firstMs < 1 || maxMs < firstMs) {
      throw new IllegalArgumentException("need 1 <= firstMs <= maxMs, got " + firstMs + " and " + maxMs);
    }
    this.firstMs = firstMs;
    this.maxMs = maxMs;
    this.nextMs = firstMs;
  }

  /** The wait before the next attempt, ms; each call doubles the following one, up to the maximum. */
  public long next() {
    long wait = nextMs;
    nextMs = nextMs > maxMs / 2 ? maxMs : nextMs * 2;
    return wait;
  }

  /** Starts the schedule again from the first wait (the registry answered). */
  public void reset() {
    nextMs = firstMs;
  }
}
