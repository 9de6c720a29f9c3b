package io.factorymeter.app.deadletter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** Dead letters fit their limit and never pass a producer's header on as the pipeline's (issue 8 §2). */
class DeadLetterTest {

  private static final DeadLetter.Source SOURCE = new DeadLetter.Source("factory.telemetry", 2, 41);

  /** Bytes the dead letter takes, counted as the class counts them, summed here independently. */
  private static long size(DeadLetter d) {
    long n = DeadLetter.RECORD_OVERHEAD + (d.key() == null ? 0 : d.key().length) + (d.value() == null ? 0 : d.value().length);
    for (Header h : d.headers()) {
      n += DeadLetter.HEADER_OVERHEAD + h.key().length() + (h.value() == null ? 0 : h.value().length);
    }
    return n;
  }

  @Test
  void aSmallRecordIsKeptWholeWithItsHeadersAndTheReason() {
    var original = new RecordHeaders().add("trace-id", "abc".getBytes(StandardCharsets.UTF_8));
    DeadLetter d = DeadLetter.of("n1", new byte[] {1, 2, 3}, original, "NAN", "NaN in powerWatts", SOURCE, 1_000_000);
    assertEquals("n1", d.keyString());
    assertArrayEquals(new byte[] {1, 2, 3}, d.value());
    assertEquals("abc", d.header("trace-id"));
    assertEquals("NAN", d.header(DeadLetterHeaders.REASON));
    assertEquals("NaN in powerWatts", d.header(DeadLetterHeaders.DETAIL));
    assertEquals("factory.telemetry", d.header(DeadLetterHeaders.SOURCE_TOPIC));
    assertEquals("2", d.header(DeadLetterHeaders.SOURCE_PARTITION));
    assertEquals("41", d.header(DeadLetterHeaders.SOURCE_OFFSET));
    assertNull(d.header(DeadLetterHeaders.VALUE_TRUNCATED));
  }

  @Test
  void aForgedReasonHeaderIsRenamedAndTheReasonIsThePipelines() {
    var forged = new RecordHeaders().add(DeadLetterHeaders.REASON, "ALL_GOOD".getBytes(StandardCharsets.UTF_8));
    DeadLetter d = DeadLetter.of("n1", new byte[] {0}, forged, "KEY_MISMATCH", "key", SOURCE, 1_000_000);
    assertEquals("KEY_MISMATCH", d.header(DeadLetterHeaders.REASON));
    int reasons = 0;
    for (Header h : d.headers()) {
      reasons += h.key().equals(DeadLetterHeaders.REASON) ? 1 : 0;
    }
    assertEquals(1, reasons, "one reason header, the pipeline's");
    assertEquals("ALL_GOOD", d.header("producer." + DeadLetterHeaders.REASON));
  }

  /** A 1,000,000-byte value with a 100,000-byte limit: cut to what is left beside key and headers. */
  @Test
  void aValueTooLargeIsCutToFitAndSaysHowLongItWas() {
    byte[] value = new byte[1_000_000];
    value[0] = 9;
    DeadLetter d = DeadLetter.of("n1", value, new RecordHeaders(), "OUT_OF_RANGE", "too many usage entries", SOURCE, 100_000);
    assertEquals("1000000", d.header(DeadLetterHeaders.VALUE_TRUNCATED));
    assertTrue(size(d) <= 100_000, "fits: " + size(d));
    assertTrue(d.value().length > 98_000, "keeps as much as fits: " + d.value().length);
    assertEquals(9, d.value()[0]);
    assertEquals("n1", d.keyString());
  }

  /** Headers of 60,000 bytes with a 20,000-byte limit: left out and counted, then the value cut. */
  @Test
  void hugeOriginalHeadersAreLeftOutAndCounted() {
    RecordHeaders original = new RecordHeaders();
    for (int i = 0; i < 3; i++) {
      original.add("h" + i, new byte[20_000]);
    }
    DeadLetter d = DeadLetter.of("n1", new byte[50_000], original, "DESERIALIZATION", "bad", SOURCE, 20_000);
    assertEquals("3", d.header(DeadLetterHeaders.HEADERS_DROPPED));
    assertNull(d.header("h0"));
    assertEquals("50000", d.header(DeadLetterHeaders.VALUE_TRUNCATED));
    assertTrue(size(d) <= 20_000, "fits: " + size(d));
  }

  @Test
  void aKeyLargerThanTheLimitIsLeftOutAndItsLengthKept() {
    String key = "k".repeat(30_000);
    DeadLetter d = DeadLetter.of(key, new byte[10], new RecordHeaders(), "INVALID_ID", "long", SOURCE, 20_000);
    assertNull(d.key());
    assertEquals("30000", d.header(DeadLetterHeaders.KEY_DROPPED));
    assertTrue(size(d) <= 20_000);
  }

  @Test
  void aLongDetailIsCut() {
    DeadLetter d = DeadLetter.of("n1", null, null, "INVALID_ID", "x".repeat(5_000), null, 1_000_000);
    assertEquals(DeadLetter.MAX_DETAIL + 3, d.header(DeadLetterHeaders.DETAIL).length());
    assertNull(d.value());
  }
}
