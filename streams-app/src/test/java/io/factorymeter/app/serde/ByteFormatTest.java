package io.factorymeter.app.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * {@link ByteWriter} and {@link ByteReader} against the JDK's own {@link DataOutputStream} and
 * {@link DataInputStream}: the same bytes both ways, so stores written before the change read the same.
 */
class ByteFormatTest {

  private static final String[] STRINGS = {"", "node-001", "H100 80GB HBM3", "zürich", "東京", "a\u0000b", "\ud83d\ude80 rocket",
      "x".repeat(300)};

  private static void writeAll(DataOutput out) throws IOException {
    out.writeByte(-7);
    out.writeBoolean(true);
    out.writeBoolean(false);
    out.writeShort(-2);
    out.writeInt(Integer.MIN_VALUE);
    out.writeInt(0x01020304);
    out.writeLong(Long.MAX_VALUE);
    out.writeLong(-1_234_567_890_123L);
    out.writeDouble(Double.NEGATIVE_INFINITY);
    out.writeDouble(0.1);
    out.writeFloat(85.5f);
    for (String s : STRINGS) {
      out.writeUTF(s);
    }
    out.write(new byte[] {1, 2, 3});
  }

  private static void readAll(DataInput in) throws IOException {
    assertEquals(-7, in.readByte());
    assertTrue(in.readBoolean());
    assertEquals(false, in.readBoolean());
    assertEquals(-2, in.readShort());
    assertEquals(Integer.MIN_VALUE, in.readInt());
    assertEquals(0x01020304, in.readInt());
    assertEquals(Long.MAX_VALUE, in.readLong());
    assertEquals(-1_234_567_890_123L, in.readLong());
    assertEquals(Double.NEGATIVE_INFINITY, in.readDouble());
    assertEquals(0.1, in.readDouble());
    assertEquals(85.5f, in.readFloat());
    for (String s : STRINGS) {
      assertEquals(s, in.readUTF());
    }
    byte[] tail = new byte[3];
    in.readFully(tail);
    assertArrayEquals(new byte[] {1, 2, 3}, tail);
  }

  @Test
  void writesTheBytesOfDataOutputStream() throws IOException {
    ByteArrayOutputStream jdk = new ByteArrayOutputStream();
    writeAll(new DataOutputStream(jdk));
    ByteWriter ours = new ByteWriter(4);
    writeAll(ours);
    assertArrayEquals(jdk.toByteArray(), ours.toByteArray());
  }

  @Test
  void readsWhatDataOutputStreamWrote() throws IOException {
    ByteArrayOutputStream jdk = new ByteArrayOutputStream();
    writeAll(new DataOutputStream(jdk));
    ByteReader in = new ByteReader(jdk.toByteArray());
    readAll(in);
    assertEquals(0, in.remaining());
    // and the JDK reads ours
    ByteWriter ours = new ByteWriter(16);
    writeAll(ours);
    readAll(new DataInputStream(new ByteArrayInputStream(ours.toByteArray())));
  }

  @Test
  void aValueThatEndsEarlyOrHasAnotherVersionIsASerializationError() {
    VersionedSerde<long[]> serde = new VersionedSerde<>(3, "two longs", 17) {
      @Override
      protected void write(DataOutput out, long[] value) throws IOException {
        out.writeLong(value[0]);
        out.writeLong(value[1]);
      }

      @Override
      protected long[] read(DataInput in) throws IOException {
        return new long[] {in.readLong(), in.readLong()};
      }
    };
    byte[] bytes = serde.serialize("t", new long[] {5, -6});
    assertEquals(17, bytes.length);
    assertEquals(3, bytes[0]);
    assertArrayEquals(new long[] {5, -6}, serde.deserialize("t", bytes));
    SerializationException cut = assertThrows(SerializationException.class,
        () -> serde.deserialize("t", Arrays.copyOf(bytes, 12)));
    assertTrue(cut.getMessage().startsWith("Cannot read two longs"), cut.getMessage());
    byte[] other = bytes.clone();
    other[0] = 2;
    SerializationException version = assertThrows(SerializationException.class, () -> serde.deserialize("t", other));
    assertTrue(version.getMessage().contains("format version 2"), version.getMessage());
  }
}
