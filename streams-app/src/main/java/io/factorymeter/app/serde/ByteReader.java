package io.factorymeter.app.serde;

import java.io.DataInput;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;

/**
 * Reads the big-endian {@link DataInput} format from a byte array: what {@link DataInputStream}
 * over a {@code ByteArrayInputStream} reads, without the stream's per-byte synchronised reads
 * (state stores decode values on every access, so that cost showed in the profile).
 */
final class ByteReader implements DataInput {

  private final byte[] bytes;
  private int position;

  ByteReader(byte[] bytes) {
    this.bytes = bytes;
  }

  private int take(int n) throws EOFException {
    if (n > bytes.length - position) {
      throw new EOFException("needed " + n + " more bytes at " + position + " of " + bytes.length);
    }
    int at = position;
    position += n;
    return at;
  }

  /** Bytes not read yet. */
  int remaining() {
    return bytes.length - position;
  }

  @Override
  public void readFully(byte[] b) throws IOException {
    readFully(b, 0, b.length);
  }

  @Override
  public void readFully(byte[] b, int off, int len) throws IOException {
    System.arraycopy(bytes, take(len), b, off, len);
  }

  @Override
  public int skipBytes(int n) {
    int skipped = Math.max(0, Math.min(n, remaining()));
    position += skipped;
    return skipped;
  }

  @Override
  public boolean readBoolean() throws IOException {
    return bytes[take(1)] != 0;
  }

  @Override
  public byte readByte() throws IOException {
    return bytes[take(1)];
  }

  @Override
  public int readUnsignedByte() throws IOException {
    return bytes[take(1)] & 0xff;
  }

  @Override
  public short readShort() throws IOException {
    int at = take(2);
    return (short) ((bytes[at] << 8) | (bytes[at + 1] & 0xff));
  }

  @Override
  public int readUnsignedShort() throws IOException {
    return readShort() & 0xffff;
  }

  @Override
  public char readChar() throws IOException {
    return (char) readShort();
  }

  @Override
  public int readInt() throws IOException {
    int at = take(4);
    return ((bytes[at] & 0xff) << 24) | ((bytes[at + 1] & 0xff) << 16) | ((bytes[at + 2] & 0xff) << 8) | (bytes[at + 3] & 0xff);
  }

  @Override
  public long readLong() throws IOException {
    int at = take(8);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (bytes[at + i] & 0xff);
    }
    return v;
  }

  @Override
  public float readFloat() throws IOException {
    return Float.intBitsToFloat(readInt());
  }

  @Override
  public double readDouble() throws IOException {
    return Double.longBitsToDouble(readLong());
  }

  @Override
  public String readLine() {
    throw new UnsupportedOperationException("readLine: not part of the binary formats");
  }

  /** Modified UTF-8 with a two-byte length, as {@link DataInputStream#readUTF(DataInput)} reads it. */
  @Override
  public String readUTF() throws IOException {
    int length = readUnsignedShort();
    int at = position;
    take(length);
    boolean ascii = true;
    for (int i = at; i < at + length; i++) {
      if (bytes[i] <= 0) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return new String(bytes, at, length, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
    position = at - 2;
    return DataInputStream.readUTF(this);
  }
}
