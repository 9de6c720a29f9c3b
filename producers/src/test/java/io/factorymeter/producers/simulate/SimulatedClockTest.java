package io.factorymeter.producers.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class SimulatedClockTest {

  @Test
  void aFleetAheadOfTheWallClockUsesItsOwnTimeAndOneBehindItTheWallClock() {
    long wall = Instant.parse("2026-11-30T12:00:00Z").toEpochMilli();
    Instant[] simulated = {Instant.parse("2026-11-30T13:30:00Z")};
    SimulatedClock clock = new SimulatedClock(() -> simulated[0], () -> wall);
    assertEquals(Instant.parse("2026-11-30T13:30:00Z").toEpochMilli(), clock.getAsLong(), "sped up: 1.5 h ahead");
    simulated[0] = Instant.parse("2026-11-26T00:00:00Z");
    assertEquals(wall, clock.getAsLong(), "history: the time of producing");
  }

  @Test
  void afterAStepTheSimulatedNowIsTheEndOfTheIntervalItsSamplesStartIn() {
    FleetSimulator sim = new FleetSimulator(new FleetSpec(3, 1, 1, 2, 8, java.time.Duration.ofSeconds(10), 1L),
        Instant.parse("2126-01-01T00:00:00Z"));
    SimulatedClock clock = new SimulatedClock(sim::time, () -> 0L);
    var samples = sim.step();
    assertEquals(Instant.parse("2126-01-01T00:00:10Z").toEpochMilli(), clock.getAsLong());
    samples.forEach(s -> assertEquals(true, s.getTimestamp().toEpochMilli() < clock.getAsLong(), "never before the event time"));
  }
}
