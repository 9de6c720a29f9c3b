package io.factorymeter.app.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ViewTimeTest {

  @Test
  void aPurgeIsDueAtTheFirstTimeAndThenEachTimeTheNewestMovedOnByTheInterval() {
    ViewTime time = new ViewTime(Duration.ofMinutes(10));
    long t0 = 1_000_000_000_000L;
    assertTrue(time.advanceTo(t0), "the first record");
    assertFalse(time.advanceTo(t0 + 9 * 60_000));
    assertFalse(time.advanceTo(t0 - 60 * 60_000), "an older time changes nothing");
    assertEquals(t0 + 9 * 60_000, time.newest());
    assertTrue(time.advanceTo(t0 + 10 * 60_000), "10 min after the last purge");
    assertFalse(time.advanceTo(t0 + 19 * 60_000));
    assertTrue(time.advanceTo(t0 + 45 * 60_000));
    assertEquals(t0 + 45 * 60_000, time.newest());
  }
}
