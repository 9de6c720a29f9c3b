package io.factorymeter.app.serde;

import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.UTFDataFormatException;
import java.util.Arrays;

/**
 * Writes the big-endian {@link DataOutput} format into a growing byte array: the bytes
 * {@link DataOutputStream} writes, without its stream layers (state stores encode values on every
 * write, so that cost showed in the profile).
 */
final class ByteWriter implements DataOutput {

  private byte[] bytes;
  private int size;

  ByteWriter(int capacity) {
    this.bytes = new byte[Math.max(16, capacity)];
  }

  private int reserve(int n) {
    if (size + n > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + n));
    }
    int at = size;
    size += n;
    return at;
  }

  /** The bytes written, in an array of exactly their length. */
  byte[] toByteArray() {
    return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
  }

  @Override
  public void write(int b) {
    int at = reserve(1);   // first: reserve may replace the array
    bytes[at] = (byte) b;
  }

  @Override
  public void write(byte[] b) {
    write(b, 0, b.length);
  }

  @Override
  public void write(byte[] b, int off, int len) {
    int at = reserve(len);
    System.arraycopy(b, off, bytes, at, len);
  }

  @Override
  public void writeBoolean(boolean v) {
    write(v ? 1 : 0);
  }

  @Override
  public void writeByte(int v) {
    write(v);
  }

  @Override
  public void writeShort(int v) {
    int at = reserve(2);
    bytes[at] = (byte) (v >>> 8);
    bytes[at + 1] = (byte) v;
  }

  @Override
  public void writeChar(int v) {
    writeShort(v);
  }

  @Override
  public void writeInt(int v) {
    int at = reserve(4);
    bytes[at] = (byte) (v >>> 24);
    bytes[at + 1] = (byte) (v >>> 16);
    bytes[at + 2] = (byte) (v >>> 8);
    bytes[at + 3] = (byte) v;
  }

  @Override
  public void writeLong(long v) {
    int at = reserve(8);
    for (int i = 7; i >= 0; i--) {
      bytes[at + i] = (byte) v;
      v >>>= 8;
    }
  }

  @Override
  public void writeFloat(float v) {
    writeInt(Float.floatToIntBits(v));
  }

  @Override
  public void writeDouble(double v) {
    writeLong(Double.doubleToLongBits(v));
  }

  @Override
  public void writeBytes(String s) {
    for (int i = 0; i < s.length(); i++) {
      write(s.charAt(i));
    }
  }

  @Override
  public void writeChars(String s) {
    for (int i = 0; i < s.length(); i++) {
      writeChar(s.charAt(i));
    }
  }

  /** Modified UTF-8 with a two-byte length, as {@link DataOutputStream#writeUTF} writes it. */
  @Override
  public void writeUTF(String s) throws UTFDataFormatException {
    int length = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      length += c >= 0x0001 && c <= 0x007f ? 1 : c <= 0x07ff ? 2 : 3;
    }
    if (length > 65535) {
      throw new UTFDataFormatException("a string of " + length + " encoded bytes, more than 65535");
    }
    writeShort(length);
    int at = reserve(length);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x0001 && c <= 0x007f) {
        bytes[at++] = (byte) c;
      } else if (c <= 0x07ff) {
        bytes[at++] = (byte) (0xc0 | (c >> 6));
        bytes[at++] = (byte) (0x80 | (c & 0x3f));
      } else {
        bytes[at++] = (byte) (0xe0 | (c >> 12));
        bytes[at++] = (byte) (0x80 | ((c >> 6) & 0x3f));
        bytes[at++] = (byte) (0x80 | (c & 0x3f));
      }
    }
  }
}
