package io.factorymeter.producers.telemetry;

import io.factorymeter.schema.NodeSample;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;

/** Writes samples to a telemetry file that replay reads back (gzip when the name ends in .gz). */
public interface SampleWriter extends Closeable {

  void write(NodeSample sample) throws IOException;

  static SampleWriter create(Path file, TelemetryFormat format) throws IOException {
    OutputStream raw = Files.newOutputStream(file);
    OutputStream out = TelemetryFormat.gzipped(file) ? new GZIPOutputStream(raw, 1 << 16) : raw;
    if (format == TelemetryFormat.AVRO) {
      DataFileWriter<NodeSample> avro = new DataFileWriter<>(new SpecificDatumWriter<>(NodeSample.class))
          .setCodec(CodecFactory.deflateCodec(6));
      avro.create(NodeSample.getClassSchema(), out);
      return new SampleWriter() {
        @Override
        public void write(NodeSample sample) throws IOException {
          avro.append(sample);
        }

        @Override
        public void close() throws IOException {
          avro.close();
        }
      };
    }
    Writer text = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
    if (format == TelemetryFormat.CSV) {
      text.write(NodeSampleCsv.header());
      text.write('\n');
    }
    return new SampleWriter() {
      @Override
      public void write(NodeSample sample) throws IOException {
        if (format == TelemetryFormat.CSV) {
          for (String row : NodeSampleCsv.format(sample)) {
            text.write(row);
            text.write('\n');
          }
        } else {
          text.write(NodeSampleJson.format(sample));
          text.write('\n');
        }
      }

      @Override
      public void close() throws IOException {
        text.close();
      }
    };
  }
}
