package io.factorymeter.producers.simulate;

import io.factorymeter.producers.Pacing;
import io.factorymeter.schema.NodeSample;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Drives a {@link FleetSimulator} until an event-time end (or until stopped), handing every sample
 * to a sink. With a speed-up of 1 an interval is emitted when it has passed on the wall clock (a
 * live fleet); with speed-up X, X times faster; with 0, as fast as the sink takes them. Pacing
 * changes only when samples are emitted, never their content.
 */
public final class SimulationRunner {

  private final FleetSimulator simulator;
  private final Consumer<NodeSample> sink;
  private final double speedup;
  private final Instant end;
  private final Consumer<Instant> afterInterval;
  private final AtomicBoolean stopRequested = new AtomicBoolean();
  private volatile long emitted;

  /**
   * @param speedup event-time seconds per wall-clock second; 0 for no pacing
   * @param end event time at which to stop (exclusive), or null to run until {@link #stop()}
   * @param afterInterval told the event time reached after each interval (every sample before it was emitted)
   */
  public SimulationRunner(FleetSimulator simulator, Consumer<NodeSample> sink, double speedup, Instant end,
      Consumer<Instant> afterInterval) {
    if (speedup < 0 || Double.isNaN(speedup)) {
      throw new IllegalArgumentException("speedup must be 0 (no pacing) or positive");
    }
    this.simulator = simulator;
    this.sink = sink;
    this.speedup = speedup;
    this.end = end;
    this.afterInterval = afterInterval;
  }

  /** Runs in the calling thread until the end is reached or {@link #stop()} is called; returns the samples emitted. */
  public long run() throws InterruptedException {
    long intervalNanos = TimeUnit.MILLISECONDS.toNanos(simulator.spec().interval().toMillis());
    long wallStart = System.nanoTime();
    long step = 0;
    while (!stopRequested.get() && (end == null || simulator.time().isBefore(end))) {
      if (speedup > 0) {
        long due = wallStart + (long) ((step + 1) * intervalNanos / speedup);
        if (!Pacing.sleepUntil(due, stopRequested::get)) {
          break;
        }
      }
      List<NodeSample> samples = simulator.step();
      for (NodeSample s : samples) {
        sink.accept(s);
      }
      emitted += samples.size();
      step++;
      afterInterval.accept(simulator.time());
    }
    return emitted;
  }

  /** Asks {@link #run()} to return after the interval it is emitting. */
  public void stop() {
    stopRequested.set(true);
  }

  /** Samples emitted so far. */
  public long emitted() {
    return emitted;
  }

  /** Event time of the next interval. */
  public Instant eventTime() {
    return simulator.time();
  }
}
