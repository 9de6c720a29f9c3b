package io.factorymeter.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs a job that Ctrl-C or SIGTERM stops cleanly: the signal asks the job to stop, then holds
 * the JVM until the job has returned and {@code onStop} (a last flush, a summary) has run, or
 * until {@code maxWait} has passed.
 */
final class StopOnSignal {

  /** A job that runs until done or stopped. */
  interface Job {
    long run() throws InterruptedException;
  }

  private StopOnSignal() {
  }

  /**
   * Runs the job and then {@code onStop}, which also runs when the job fails.
   *
   * @param stop asks the job to return (called from the shutdown hook)
   * @param maxWait how long a signal waits for the job and {@code onStop}, or null for as long as it takes
   * @return what the job returned
   */
  static long run(String name, Job job, Runnable stop, Runnable onStop, Duration maxWait) throws InterruptedException {
    CountDownLatch finished = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stop.run();
      try {
        if (maxWait == null) {
          finished.await();
        } else {
          finished.await(maxWait.toMillis(), TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, name + "-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return job.run();
    } finally {
      onStop.run();
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: it returns as soon as finished is counted down
      }
    }
  }
}
