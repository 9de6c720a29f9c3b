package io.factorymeter.producers.telemetry;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Samples read from a telemetry file, in file order, with their position (line number, or record
 * number for Avro) and the parts that are not samples, with the reason.
 */
public interface SampleSource extends Closeable {

  /** An item of the file. */
  sealed interface Item {
    /** 1-based line number (JSON Lines, CSV) or record number (Avro). */
    long position();
  }

  record Sample(io.factorymeter.schema.NodeSample sample, long position) implements Item {
  }

  /** A part that is not a sample; the reason is one clean line ({@link ReasonText}). */
  record Rejected(long position, String reason) implements Item {
    public Rejected {
      reason = ReasonText.clean(reason);
    }
  }

  /** The next item, or null at the end of the file. */
  Item next() throws IOException;

  /** Bytes of the file read so far (compressed bytes for gzip). */
  long bytesRead();

  /** Opens a file in a format; gzip is recognised by its magic bytes, whatever the name. */
  static SampleSource open(Path file, TelemetryFormat format) throws IOException {
    CountingInputStream counted = new CountingInputStream(Files.newInputStream(file));
    try {
      InputStream in = new BufferedInputStream(counted, 1 << 16);
      in.mark(2);
      int b1 = in.read();
      int b2 = in.read();
      in.reset();
      if (b1 == 0x1f && b2 == 0x8b) {
        try {
          in = new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        } catch (IOException e) {
          counted.close();
          return new Unreadable("not a readable gzip file: " + e.getMessage(), Files.size(file));
        }
      }
      return switch (format) {
        case JSONL -> new JsonLinesSource(in, counted);
        case CSV -> new CsvSource(in, counted);
        case AVRO -> new AvroSource(in, counted);
      };
    } catch (IOException | RuntimeException e) {
      counted.close(); // a broken gzip header or Avro file header: the file is not kept open
      throw e;
    }
  }

  /** A file that cannot be read at all: one rejection at position 1. */
  final class Unreadable implements SampleSource {
    private final String reason;
    private final long size;
    private boolean told;

    Unreadable(String reason, long size) {
      this.reason = reason;
      this.size = size;
    }

    @Override
    public Item next() {
      if (told) {
        return null;
      }
      told = true;
      return new Rejected(1, reason);
    }

    @Override
    public long bytesRead() {
      return told ? size : 0;
    }

    @Override
    public void close() {
    }
  }

  /** Counts the bytes read through it. */
  final class CountingInputStream extends FilterInputStream {
    private long count;

    CountingInputStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }

    long count() {
      return count;
    }
  }
}
