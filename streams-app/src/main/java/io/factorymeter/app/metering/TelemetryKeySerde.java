package io.factorymeter.app.metering;

import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Keys of the telemetry topic read byte for byte: as ISO-8859-1 text, which maps each byte to one
 * character and back, so a dead letter carries the original key bytes even when they are not
 * UTF-8 (SPEC §4). A valid key equals its sample's nodeId, which is ASCII (SPEC §1), and ASCII
 * reads the same in ISO-8859-1 and UTF-8: keys of metered samples are plain nodeIds downstream.
 */
public final class TelemetryKeySerde {

  private TelemetryKeySerde() {
  }

  /** The serde for the telemetry topic's keys. */
  public static Serde<String> serde() {
    Serde<String> serde = Serdes.serdeFrom(new StringSerializer(), new StringDeserializer());
    serde.configure(Map.of("key.serializer.encoding", "ISO-8859-1", "key.deserializer.encoding", "ISO-8859-1"), true);
    return serde;
  }

  /** The original bytes of a key read with {@link #serde()}, or null. */
  public static byte[] bytes(String key) {
    return key == null ? null : key.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
  }
}
