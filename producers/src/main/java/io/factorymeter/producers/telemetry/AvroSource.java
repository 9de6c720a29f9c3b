package io.factorymeter.producers.telemetry;

import io.factorymeter.schema.NodeSample;
import java.io.IOException;
import java.io.InputStream;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * Avro object container files of NodeSample records, written with this or any compatible
 * (older or newer) NodeSample schema: records are resolved into the current one. A corrupt
 * block ends the file with one rejection naming the record number.
 */
final class AvroSource implements SampleSource {

  private final InputStream raw;
  private final SampleSource.CountingInputStream counted;
  private DataFileStream<NodeSample> in;
  private long record;
  private boolean done;

  AvroSource(InputStream in, SampleSource.CountingInputStream counted) {
    this.raw = in;
    this.counted = counted;
  }

  @Override
  public Item next() throws IOException {
    if (done) {
      return null;
    }
    try {
      if (in == null) {
        in = new DataFileStream<>(raw, new SpecificDatumReader<>(NodeSample.class));
      }
      if (!in.hasNext()) {
        done = true;
        return null;
      }
      record++;
      return new Sample(in.next(), record);
    } catch (IOException | AvroRuntimeException e) {
      done = true;
      return new Rejected(Math.max(1, record), "not a readable NodeSample Avro file from here on: " + e.getMessage());
    }
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
}
