package io.factorymeter.producers.telemetry;

import io.factorymeter.schema.NodeSample;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.apache.avro.file.DataFileConstants;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * Avro object container files of NodeSample records, written with this or any compatible
 * (older or newer) NodeSample schema: records are resolved into the current one. A file that is
 * not Avro, or whose records do not resolve into a NodeSample (a file of another schema), is one
 * rejection at record 1; a corrupt block ends the file with one rejection naming the first record
 * that could not be read. A file cut short in a block is told apart from a whole one by its end:
 * a whole container file ends with the sync marker its header names (Avro's own reader takes the
 * cut for the end of the file).
 */
final class AvroSource implements SampleSource {

  /** The header (magic, metadata with the schema, sync marker) is read twice: first here, for its sync marker. */
  private static final int MAX_HEADER_BYTES = 4 << 20;

  private final InputStream raw;
  private final SampleSource.CountingInputStream counted;
  private DataFileStream<NodeSample> in;
  private Tail tail;
  private byte[] sync;
  private long record;
  private boolean done;

  AvroSource(InputStream in, SampleSource.CountingInputStream counted) {
    this.raw = in.markSupported() ? in : new BufferedInputStream(in);
    this.counted = counted;
  }

  @Override
  public Item next() {
    if (done) {
      return null;
    }
    try {
      if (in == null) {
        sync = syncMarker(raw);
        tail = new Tail(raw);
        in = new DataFileStream<>(tail, new SpecificDatumReader<>(NodeSample.class));
      }
      if (!in.hasNext()) {
        done = true;
        tail.drain();
        return tail.endsWith(sync) ? null
            : new Rejected(record + 1, "the file ends in the middle of a block (truncated?): the records from here on are lost");
      }
      NodeSample sample = in.next();
      record++;
      return new Sample(sample, record);
    } catch (IOException | RuntimeException e) { // Avro's own exceptions, and whatever a corrupt block makes it throw
      done = true;
      return new Rejected(record + 1, (record == 0 ? "not a readable NodeSample Avro file: "
          : "not readable from this record on (truncated or corrupt?): ") + firstLine(e));
    }
  }

  /** The sync marker the container file's header names; the stream is reset to its start. */
  private static byte[] syncMarker(InputStream in) throws IOException {
    in.mark(MAX_HEADER_BYTES);
    try {
      BinaryDecoder d = DecoderFactory.get().directBinaryDecoder(in, null);
      byte[] magic = new byte[DataFileConstants.MAGIC.length];
      d.readFixed(magic);
      if (!Arrays.equals(magic, DataFileConstants.MAGIC)) {
        throw new IOException("Not an Avro data file.");
      }
      for (long n = d.readMapStart(); n != 0; n = d.mapNext()) {
        for (long i = 0; i < n; i++) {
          d.skipString();
          d.skipBytes();
        }
      }
      byte[] sync = new byte[DataFileConstants.SYNC_SIZE];
      d.readFixed(sync);
      return sync;
    } finally {
      in.reset();
    }
  }

  private static String firstLine(Exception e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return t.getMessage().lines().findFirst().orElse("");
      }
    }
    return e.getClass().getSimpleName();
  }

  @Override
  public long bytesRead() {
    return counted.count();
  }

  @Override
  public void close() throws IOException {
    if (in != null) {
      in.close();
    } else {
      raw.close();
    }
  }

  /** Remembers the last bytes read through it. */
  private static final class Tail extends FilterInputStream {
    private final byte[] last = new byte[DataFileConstants.SYNC_SIZE];
    private long total;

    Tail(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        remember(new byte[] {(byte) b}, 0, 1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int n) throws IOException {
      int got = super.read(b, off, n);
      if (got > 0) {
        remember(b, off, got);
      }
      return got;
    }

    private void remember(byte[] b, int off, int n) {
      for (int i = Math.max(off, off + n - last.length); i < off + n; i++) {
        System.arraycopy(last, 1, last, 0, last.length - 1);
        last[last.length - 1] = b[i];
      }
      total += n;
    }

    /** Reads what is left (the end of the file, normally nothing). */
    void drain() throws IOException {
      byte[] skip = new byte[8192];
      while (read(skip, 0, skip.length) >= 0) {
        // keep the last bytes only
      }
    }

    boolean endsWith(byte[] marker) {
      return total >= marker.length && Arrays.equals(last, marker);
    }
  }
}
