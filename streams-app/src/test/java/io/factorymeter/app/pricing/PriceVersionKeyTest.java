package io.factorymeter.app.pricing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

/** The byte layout of a price version's store key, worked out by hand. */
class PriceVersionKeyTest {

  @Test
  void lengthThenKeyThenTimesWithTheirSignBitFlipped() {
    // "s1" = 0x73 0x31; 1,000 ms = 0x3E8, 2,000 ms = 0x7D0; flipping the sign bit makes the first byte 0x80
    assertArrayEquals(new byte[] {0, 0, 0, 2, 0x73, 0x31, (byte) 0x80, 0, 0, 0, 0, 0, 0x03, (byte) 0xE8,
        (byte) 0x80, 0, 0, 0, 0, 0, 0x07, (byte) 0xD0}, PriceVersionKey.of("s1", 1_000, 2_000).get());
    // -1 ms = 0xFFFFFFFFFFFFFFFF; flipped: 0x7FFFFFFFFFFFFFFF; the lowest anchor Long.MIN_VALUE flipped is 0
    assertArrayEquals(new byte[] {0, 0, 0, 1, 0x61, 0x7F, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0},
        PriceVersionKey.of("a", -1).get());
  }

  @Test
  void readsBackKeyAndTime() {
    Bytes k = PriceVersionKey.of("H100-SXM5-80GB", 1_767_225_600_000L);   // 2026-01-01T00:00:00Z
    assertEquals("H100-SXM5-80GB", PriceVersionKey.key(k));
    assertEquals(1_767_225_600_000L, PriceVersionKey.effectiveFrom(k));
    Bytes corrected = PriceVersionKey.of("s1", 1_767_225_600_000L, 1_767_232_800_000L);
    assertEquals(1_767_225_600_000L, PriceVersionKey.effectiveFrom(corrected));
    assertEquals(1_767_232_800_000L, PriceVersionKey.anchor(corrected));
    assertEquals(Long.MIN_VALUE, PriceVersionKey.effectiveFrom(PriceVersionKey.first("x")));
    assertEquals(Long.MAX_VALUE, PriceVersionKey.effectiveFrom(PriceVersionKey.last("x")));
  }

  @Test
  void byteOrderIsTimeOrderWithinAKeyBefore1970Too() {
    long[] times = {Long.MIN_VALUE, -86_400_000L, -1, 0, 1, 1_767_225_600_000L, Long.MAX_VALUE};
    for (int i = 1; i < times.length; i++) {
      assertTrue(PriceVersionKey.of("s", times[i - 1]).compareTo(PriceVersionKey.of("s", times[i])) < 0,
          times[i - 1] + " before " + times[i]);
      assertTrue(PriceVersionKey.lastOf("s", times[i - 1]).compareTo(PriceVersionKey.of("s", times[i], Long.MIN_VALUE)) < 0,
          "every anchor of " + times[i - 1] + " before " + times[i]);
    }
  }

  @Test
  void noKeysVersionsSortAmongAnothers() {
    // "a" and "a|b" share a prefix: the length byte (1 vs 3) keeps all of "a" before all of "a|b"
    assertTrue(PriceVersionKey.last("a").compareTo(PriceVersionKey.first("a|b")) < 0);
    assertTrue(PriceVersionKey.last("b").compareTo(PriceVersionKey.first("a|b")) < 0);
  }
}
