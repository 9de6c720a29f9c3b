package io.factorymeter.registry.serde;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Confluent's wire format for a record value or key: magic byte {@code 0}, the schema's global id
 * as a 4-byte big-endian int, then the Avro binary encoding of the datum.
 */
public final class WireFormat {

  /** The only magic byte of the format. */
  public static final byte MAGIC_BYTE = 0x0;
  /** Length of the header (magic byte + schema id), bytes. */
  public static final int HEADER_LENGTH = 5;

  private WireFormat() {
  }

  /**
   * Reads the header of a serialized record and returns its schema id; the buffer is left at the
   * first byte of the Avro payload.
   *
   * @param where how to name the record in an error message, e.g. "topic factory.telemetry"
   * @throws SerializationException when the record is too short or its magic byte is not 0
   */
  public static int readSchemaId(ByteBuffer buffer, String where) {
    if (buffer.remaining() < HEADER_LENGTH) {
      throw new SerializationException("Record of " + buffer.remaining() + " bytes in " + where
          + " is too short for the Confluent wire format (a " + HEADER_LENGTH + "-byte header: magic byte 0 and a schema id)");
    }
    byte magic = buffer.get();
    if (magic != MAGIC_BYTE) {
      throw new SerializationException(String.format(
          "Unknown magic byte 0x%02x in %s: not Confluent wire format (expected magic byte 0x00)", magic & 0xff, where));
    }
    return buffer.getInt();
  }

  /** Writes the 5-byte header for a schema id. */
  public static void writeHeader(ByteBuffer buffer, int schemaId) {
    buffer.put(MAGIC_BYTE).putInt(schemaId);
  }
}
