package io.factorymeter.contract;

import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * A heartbeat on the telemetry topic: a record without value whose header
 * {@value #HEADER} holds an event time (epoch milliseconds, decimal). It tells the pipeline that
 * its partition's stream time is at least that, so that windows and billing periods close on a
 * partition without samples. Producers send one to every partition now and then.
 */
public final class Heartbeat {

  /** Header that marks a heartbeat and carries its event time. */
  public static final String HEADER = "factory.meter.heartbeat";
  /** Key of heartbeat records (any key works; this one says what the record is). */
  public static final String KEY = "_heartbeat";

  private Heartbeat() {
  }

  /** The heartbeat's event time, or empty when the header is not a number. */
  public static OptionalLong eventTime(Headers headers) {
    Header h = headers.lastHeader(HEADER);
    if (h == null || h.value() == null) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(new String(h.value(), StandardCharsets.UTF_8).trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  public static byte[] headerValue(long eventTimeMs) {
    return Long.toString(eventTimeMs).getBytes(StandardCharsets.UTF_8);
  }
}
