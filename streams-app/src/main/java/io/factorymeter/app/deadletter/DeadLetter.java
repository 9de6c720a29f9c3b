package io.factorymeter.app.deadletter;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A record for the dead-letter or late topic (SPEC §1, §4): the original key and value, the
 * original headers, and the pipeline's headers saying why and where from
 * ({@link DeadLetterHeaders}).
 *
 * <p>A dead letter always fits ({@link #of}): when key, value and headers together exceed the
 * limit, first the value is cut (header {@link DeadLetterHeaders#VALUE_TRUNCATED} = its original
 * length), then the original headers are left out ({@link DeadLetterHeaders#HEADERS_DROPPED}),
 * then the key ({@link DeadLetterHeaders#KEY_DROPPED}); the source topic, partition and offset
 * always point at the whole original. Headers of the original named like the pipeline's are
 * renamed ({@link DeadLetterHeaders#FROM_PRODUCER}).
 *
 * @param key original key bytes, or null
 * @param value original value bytes (possibly cut), or null
 * @param headers the headers to write
 */
public record DeadLetter(byte[] key, byte[] value, Headers headers) {

  /** Bytes a record takes besides its key, value and header names and values (an upper bound). */
  static final int RECORD_OVERHEAD = 128;
  /** Bytes each header takes besides its name and value (an upper bound). */
  static final int HEADER_OVERHEAD = 10;
  /** The longest detail sentence kept, in characters. */
  static final int MAX_DETAIL = 1_000;

  /** Where the original record was read. */
  public record Source(String topic, int partition, long offset) {
  }

  /**
   * A dead letter for an original record.
   *
   * @param source where the original was read, or null when unknown
   * @param maxBytes the largest record to write: key, value and headers together
   */
  public static DeadLetter of(byte[] key, byte[] value, Headers original, String reason, String detail, Source source,
      int maxBytes) {
    RecordHeaders ours = new RecordHeaders();
    add(ours, DeadLetterHeaders.REASON, reason);
    add(ours, DeadLetterHeaders.DETAIL, detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) + "..." : detail);
    if (source != null) {
      add(ours, DeadLetterHeaders.SOURCE_TOPIC, source.topic());
      add(ours, DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(source.partition()));
      add(ours, DeadLetterHeaders.SOURCE_OFFSET, Long.toString(source.offset()));
    }
    Header[] theirs = original == null ? new Header[0] : renamed(original.toArray());
    // room for the notes a cut may add
    long fixed = RECORD_OVERHEAD + size(ours.toArray()) + 3 * (HEADER_OVERHEAD + 40);
    long keyBytes = key == null ? 0 : key.length;
    long valueBytes = value == null ? 0 : value.length;
    long theirBytes = size(theirs);

    RecordHeaders headers = new RecordHeaders(theirs);
    if (fixed + keyBytes + theirBytes > maxBytes) {
      headers = new RecordHeaders();
      if (theirs.length > 0) {
        add(headers, DeadLetterHeaders.HEADERS_DROPPED, Integer.toString(theirs.length));
      }
      theirBytes = 0;
      if (fixed + keyBytes > maxBytes) {
        add(headers, DeadLetterHeaders.KEY_DROPPED, Long.toString(keyBytes));
        key = null;
        keyBytes = 0;
      }
    }
    long room = maxBytes - fixed - keyBytes - theirBytes;
    if (valueBytes > room) {
      add(headers, DeadLetterHeaders.VALUE_TRUNCATED, Long.toString(valueBytes));
      value = Arrays.copyOf(value, (int) Math.max(0, room));
    }
    for (Header h : ours) {
      headers.add(h);
    }
    return new DeadLetter(key, value, headers);
  }

  /** A dead letter of a record whose key is a string (the telemetry topic's). */
  public static DeadLetter of(String key, byte[] value, Headers original, String reason, String detail, Source source,
      int maxBytes) {
    return of(key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, original, reason, detail, source, maxBytes);
  }

  /** The key as the string it was, or null. */
  public String keyString() {
    return key == null ? null : new String(key, StandardCharsets.UTF_8);
  }

  /** The header's value as UTF-8 text, or null when absent. */
  public String header(String name) {
    Header h = headers.lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** As a record of {@code topic}. */
  public ProducerRecord<byte[], byte[]> toRecord(String topic, Long timestampMs) {
    return new ProducerRecord<>(topic, null, timestampMs, key, value, headers);
  }

  private static Header[] renamed(Header[] original) {
    Header[] out = new Header[original.length];
    for (int i = 0; i < original.length; i++) {
      Header h = original[i];
      out[i] = h.key().startsWith(DeadLetterHeaders.PREFIX)
          ? new org.apache.kafka.common.header.internals.RecordHeader(DeadLetterHeaders.FROM_PRODUCER + h.key(), h.value())
          : h;
    }
    return out;
  }

  private static long size(Header[] headers) {
    long n = 0;
    for (Header h : headers) {
      n += HEADER_OVERHEAD + h.key().getBytes(StandardCharsets.UTF_8).length + (h.value() == null ? 0 : h.value().length);
    }
    return n;
  }

  private static void add(Headers headers, String name, String value) {
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
