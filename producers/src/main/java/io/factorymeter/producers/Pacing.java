package io.factorymeter.producers;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waiting for a moment on the wall clock ({@link System#nanoTime()}), as event-time pacing does. */
public final class Pacing {

  private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  private Pacing() {
  }

  /**
   * Sleeps until {@code dueNanos}, in slices of at most 200 ms so that a stop request is seen soon.
   *
   * @return false when {@code stopped} said so (while waiting or at the end), true otherwise
   */
  public static boolean sleepUntil(long dueNanos, BooleanSupplier stopped) throws InterruptedException {
    long wait = dueNanos - System.nanoTime();
    while (wait > 0) {
      if (stopped.getAsBoolean()) {
        return false;
      }
      TimeUnit.NANOSECONDS.sleep(Math.min(wait, SLICE_NANOS));
      wait = dueNanos - System.nanoTime();
    }
    return !stopped.getAsBoolean();
  }
}
