package io.factorymeter.app.metering;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class WindowCloseTest {

  private static final long MIN = 60_000;

  @Test
  void aWindowClosesWhenItsEndPlusTheLagHasPassed() {
    // minute 10 [600,000, 660,000) with a grace of 2 min closes at 780,000 ms
    assertEquals(9 * MIN, WindowClose.lastClosedStart(780_000 - 1, 2 * MIN, MIN), "1 ms before: minute 9 is the last closed");
    assertEquals(10 * MIN, WindowClose.lastClosedStart(780_000, 2 * MIN, MIN));
    assertEquals(10 * MIN, WindowClose.lastClosedStart(839_999, 2 * MIN, MIN));
    assertEquals(0, WindowClose.lastClosedStart(MIN, 0, MIN), "no lag: minute 0 closes at its end");
    assertEquals(-MIN, WindowClose.lastClosedStart(MIN - 1, 0, MIN), "before epoch minute 1: only windows before 0");
    assertEquals(-2 * MIN, WindowClose.lastClosedStart(-1, 0, MIN), "floor, not truncation, for times before the epoch");
  }
}
