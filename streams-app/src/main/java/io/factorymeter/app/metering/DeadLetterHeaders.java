package io.factorymeter.app.metering;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Headers on records of the dead-letter and late topics: why the record is there and where it
 * came from. The record's own headers are kept; these are added.
 */
public final class DeadLetterHeaders {

  /** DESERIALIZATION, KEY_MISMATCH, INVALID_ID, OUT_OF_RANGE, NAN, or BEYOND_RESTATEMENT_HORIZON. */
  public static final String REASON = "factory.meter.reason";
  /** A sentence saying what exactly is wrong. */
  public static final String DETAIL = "factory.meter.reason.detail";
  public static final String SOURCE_TOPIC = "factory.meter.source.topic";
  public static final String SOURCE_PARTITION = "factory.meter.source.partition";
  public static final String SOURCE_OFFSET = "factory.meter.source.offset";

  private DeadLetterHeaders() {
  }

  static Headers with(Headers original, String reason, String detail, RecordMetadata source) {
    Headers headers = new RecordHeaders(original.toArray());
    headers.add(REASON, reason.getBytes(StandardCharsets.UTF_8));
    headers.add(DETAIL, detail.getBytes(StandardCharsets.UTF_8));
    if (source != null) {
      headers.add(SOURCE_TOPIC, source.topic().getBytes(StandardCharsets.UTF_8));
      headers.add(SOURCE_PARTITION, Integer.toString(source.partition()).getBytes(StandardCharsets.UTF_8));
      headers.add(SOURCE_OFFSET, Long.toString(source.offset()).getBytes(StandardCharsets.UTF_8));
    }
    return headers;
  }
}
