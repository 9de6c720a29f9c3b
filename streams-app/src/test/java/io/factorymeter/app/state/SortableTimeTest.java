package io.factorymeter.app.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class SortableTimeTest {

  @Test
  void nineteenZeroPaddedDigits() {
    assertEquals("0000000000000000000", SortableTime.of(0));
    assertEquals("0000000000000000007", SortableTime.of(7));
    // 2026-11-26T00:00:00Z
    assertEquals("0000001795651200000", SortableTime.of(Instant.parse("2026-11-26T00:00:00Z").toEpochMilli()));
    assertEquals("9223372036854775807", SortableTime.of(Long.MAX_VALUE));
  }

  @Test
  void sameAsTheFormatterForEveryMagnitude() {
    for (long v = 1; v > 0 && v < Long.MAX_VALUE / 3; v = v * 3 + 1) {
      assertEquals(String.format("%019d", v), SortableTime.of(v));
    }
    assertEquals(String.format("%019d", -60_000L), SortableTime.of(-60_000L));
  }

  @Test
  void sortsAsTimesDo() {
    long[] times = {0, 9, 10, 59_999, 60_000, 1_795_651_200_000L, 1_795_651_260_000L, Long.MAX_VALUE};
    for (int i = 1; i < times.length; i++) {
      assertTrue(SortableTime.of(times[i - 1]).compareTo(SortableTime.of(times[i])) < 0, times[i - 1] + " < " + times[i]);
    }
    assertTrue((SortableTime.of(60_000) + "|node-9").compareTo(SortableTime.of(60_000) + "|\uffff") < 0);
  }

  @Test
  void keysAtOrBeforeATime() {
    String upTo = SortableTime.of(120_000);
    assertTrue(SortableTime.keyAtOrBefore(SortableTime.of(60_000) + "|n1", upTo));
    assertTrue(SortableTime.keyAtOrBefore(SortableTime.of(120_000) + "|CLUSTER|c1", upTo));
    assertTrue(!SortableTime.keyAtOrBefore(SortableTime.of(180_000) + "|n1", upTo));
    assertEquals(1_795_651_200_000L, SortableTime.ofKey(SortableTime.of(1_795_651_200_000L) + "|x|y"));
  }
}
