package io.factorymeter.app.serde;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The base of the application's internal binary serdes (state stores and repartition topics, not
 * seen outside the application, so not Avro): a format version byte, then what {@link #write}
 * writes. A record of another version, or one that ends early, fails with a
 * {@link SerializationException} naming what it should have been.
 *
 * @param <T> the type written
 */
public abstract class VersionedSerde<T> implements Serde<T>, Serializer<T>, Deserializer<T> {

  private final byte version;
  private final String what;
  private final int sizeHint;

  /**
   * @param version the format version written and the only one read
   * @param what what the bytes are, for errors ("window figures")
   * @param sizeHint expected size in bytes, to size the buffer
   */
  protected VersionedSerde(int version, String what, int sizeHint) {
    this.version = (byte) version;
    this.what = what;
    this.sizeHint = sizeHint;
  }

  /** Writes the value's fields (the version byte is written already). */
  protected abstract void write(DataOutput out, T value) throws IOException;

  /** Reads the value's fields (the version byte is read and checked already). */
  protected abstract T read(DataInput in) throws IOException;

  @Override
  public final byte[] serialize(String topic, T value) {
    if (value == null) {
      return null;
    }
    try {
      ByteWriter out = new ByteWriter(sizeHint);
      out.writeByte(version);
      write(out, value);
      return out.toByteArray();
    } catch (IOException e) {
      throw new SerializationException("Cannot write " + what, e);
    }
  }

  @Override
  public final T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    try {
      ByteReader in = new ByteReader(data);
      byte v = in.readByte();
      if (v != version) {
        throw new SerializationException("Unknown " + what + " format version " + v + " (this version reads " + version + ")");
      }
      return read(in);
    } catch (IOException e) {
      throw new SerializationException("Cannot read " + what + ": " + e, e);
    }
  }

  @Override
  public final Serializer<T> serializer() {
    return this;
  }

  @Override
  public final Deserializer<T> deserializer() {
    return this;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
  }

  @Override
  public void close() {
  }
}
