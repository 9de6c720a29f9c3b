package io.factorymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReplayProgressLineTest {

  @Test
  void sizesRateRecordsAndEtaAreApart() {
    // 3.5 of 10 MiB in 2 s: 1.75 MiB/s, 6.5 MiB left: 3.71 s
    assertEquals("3.5/10.0 MiB  1.8 MiB/s  4,096 records  ETA 0:00:04",
        ReplayProgressLine.text(3_670_016, 10_485_760, Duration.ofSeconds(2), 4096));
  }

  @Test
  void aSmallFileIsCountedInKiB() {
    // 300 of 600 bytes in 1 s
    assertEquals("0.3/0.6 KiB  0.3 KiB/s  12 records  ETA 0:00:01", ReplayProgressLine.text(300, 600, Duration.ofSeconds(1), 12));
  }

  @Test
  void atTheStartThereIsNoRateAndAtTheEndNoEta() {
    assertEquals("0.0/2.0 MiB  0 records", ReplayProgressLine.text(0, 2 << 20, Duration.ZERO, 0));
    assertEquals("2.0/2.0 MiB  2.0 MiB/s  1,000 records", ReplayProgressLine.text(2 << 20, 2 << 20, Duration.ofSeconds(1), 1000));
    assertEquals("  7%", ReplayProgressLine.percent(7, 100));
  }

  @Test
  void durationsAreWrittenInTheFlagSyntax() {
    assertEquals("5m", DurationConverter.format(Duration.ofMinutes(5)));
    assertEquals("90s", DurationConverter.format(Duration.ofSeconds(90)));
    assertEquals("1500ms", DurationConverter.format(Duration.ofMillis(1500)));
    assertEquals("2h", DurationConverter.format(Duration.ofHours(2)));
    assertEquals("0s", DurationConverter.format(Duration.ZERO));
  }
}
