package io.factorymeter.producers.simulate;

import java.time.Instant;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The clock of a simulated fleet, in epoch milliseconds: the simulated "now" (the end of the
 * interval being emitted, so never before the event time of a sample or heartbeat sent in it),
 * or the wall clock when that is later. A fleet sped up beyond real time stamps its records with
 * its own, future time, as a node whose clock it simulates would; a fleet simulating the past
 * stamps them with the time of producing, so that the topic's time-based retention does not
 * remove them at once.
 */
public final class SimulatedClock implements LongSupplier {

  private final Supplier<Instant> simulatedNow;
  private final LongSupplier wallClock;

  /** @param simulatedNow the simulated present, e.g. {@link FleetSimulator#time()} after a step */
  public SimulatedClock(Supplier<Instant> simulatedNow) {
    this(simulatedNow, System::currentTimeMillis);
  }

  /** @param wallClock the wall clock in epoch milliseconds */
  public SimulatedClock(Supplier<Instant> simulatedNow, LongSupplier wallClock) {
    this.simulatedNow = simulatedNow;
    this.wallClock = wallClock;
  }

  /** The later of the simulated now and the wall clock, epoch milliseconds. */
  @Override
  public long getAsLong() {
    return Math.max(simulatedNow.get().toEpochMilli(), wallClock.getAsLong());
  }
}
