package io.factorymeter.producers.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class EndHeartbeatTest {

  private static long ms(String iso) {
    return Instant.parse(iso).toEpochMilli();
  }

  @Test
  void closingTheHourIsTheEndOfTheLatestSamplesHourPlusTheBillingGrace() {
    EndHeartbeat close = EndHeartbeat.closingTheHour(Duration.ofMinutes(10), Duration.ofMinutes(5));
    // the last sample of a day starts at 23:59:50: its hour 23:00-24:00 closes at 00:10 the next day
    assertEquals(OptionalLong.of(ms("2026-11-27T00:10:00Z")), close.eventTime(ms("2026-11-26T23:59:50Z")));
    // a sample at the very start of an hour belongs to that hour
    assertEquals(OptionalLong.of(ms("2026-11-26T11:10:00Z")), close.eventTime(ms("2026-11-26T10:00:00Z")));
    EndHeartbeat longGrace = EndHeartbeat.closingTheHour(Duration.ofMinutes(25), Duration.ofMinutes(5));
    assertEquals(OptionalLong.of(ms("2026-11-26T11:25:00Z")), longGrace.eventTime(ms("2026-11-26T10:30:00Z")));
  }

  @Test
  void theOtherKinds() {
    assertEquals(OptionalLong.of(ms("2026-11-26T23:59:50Z")), EndHeartbeat.atLatestSample().eventTime(ms("2026-11-26T23:59:50Z")));
    assertEquals(OptionalLong.empty(), EndHeartbeat.none().eventTime(ms("2026-11-26T23:59:50Z")));
  }

  @Test
  void aHeartbeatMoreThanTheSkewAheadOfItsRecordTimestampWouldBeDeadLettered() {
    EndHeartbeat close = EndHeartbeat.closingTheHour(Duration.ofMinutes(10), Duration.ofMinutes(5));
    long now = ms("2026-11-30T12:00:00Z");
    assertTrue(close.acceptedAt(ms("2026-11-30T12:05:00Z"), now), "exactly 5 min ahead");
    assertFalse(close.acceptedAt(ms("2026-11-30T12:05:00.001Z"), now));
    assertTrue(close.acceptedAt(ms("2026-11-26T00:00:00Z"), now), "the past");
  }
}
