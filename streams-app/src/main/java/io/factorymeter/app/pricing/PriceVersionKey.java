package io.factorymeter.app.pricing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Bytes;

/**
 * The key of one price version in a {@link PriceVersionStore} (SPEC §2 prices, §2a): the price's
 * key (site or GPU model), the instant the version takes effect and its anchor (when it became
 * known: publishedAt, else effectiveFrom), laid out so that the store's byte order is "by key, then
 * by effectiveFrom, then by anchor":
 *
 * <pre>
 * [length of the key in UTF-8 bytes: 4 bytes, big-endian][the key, UTF-8][effectiveFrom: 8 bytes][anchor: 8 bytes]
 * </pre>
 *
 * <p>Times (epoch milliseconds) are written big-endian with their sign bit flipped, so that
 * unsigned byte order is numeric order, instants before 1970 included. The length prefix keeps
 * keys apart whatever characters they hold: no key's versions sort among another key's.
 */
public final class PriceVersionKey {

  private static final int LENGTH_BYTES = Integer.BYTES;
  private static final int TIME_BYTES = Long.BYTES;

  private PriceVersionKey() {
  }

  /** The store key of {@code key}'s version taking effect at {@code effectiveFromMs}, known from {@code anchorMs}. */
  public static Bytes of(String key, long effectiveFromMs, long anchorMs) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    return Bytes.wrap(ByteBuffer.allocate(LENGTH_BYTES + k.length + 2 * TIME_BYTES)
        .putInt(k.length).put(k).putLong(effectiveFromMs ^ Long.MIN_VALUE).putLong(anchorMs ^ Long.MIN_VALUE).array());
  }

  /** The lowest store key of {@code key}'s versions taking effect at {@code effectiveFromMs}. */
  public static Bytes of(String key, long effectiveFromMs) {
    return of(key, effectiveFromMs, Long.MIN_VALUE);
  }

  /** The highest store key of {@code key}'s versions taking effect at {@code effectiveFromMs}. */
  public static Bytes lastOf(String key, long effectiveFromMs) {
    return of(key, effectiveFromMs, Long.MAX_VALUE);
  }

  /** The lowest store key of {@code key}: its version at the earliest representable instant. */
  public static Bytes first(String key) {
    return of(key, Long.MIN_VALUE, Long.MIN_VALUE);
  }

  /** The highest store key of {@code key}: its version at the latest representable instant. */
  public static Bytes last(String key) {
    return of(key, Long.MAX_VALUE, Long.MAX_VALUE);
  }

  /** The effectiveFrom (epoch ms) of a store key made by {@link #of}. */
  public static long effectiveFrom(Bytes storeKey) {
    byte[] b = storeKey.get();
    return ByteBuffer.wrap(b, b.length - 2 * TIME_BYTES, TIME_BYTES).getLong() ^ Long.MIN_VALUE;
  }

  /** The anchor (epoch ms) of a store key made by {@link #of}. */
  public static long anchor(Bytes storeKey) {
    byte[] b = storeKey.get();
    return ByteBuffer.wrap(b, b.length - TIME_BYTES, TIME_BYTES).getLong() ^ Long.MIN_VALUE;
  }

  /** The price key (site or GPU model) of a store key made by {@link #of}. */
  public static String key(Bytes storeKey) {
    ByteBuffer b = ByteBuffer.wrap(storeKey.get());
    int length = b.getInt();
    return new String(storeKey.get(), LENGTH_BYTES, length, StandardCharsets.UTF_8);
  }
}
