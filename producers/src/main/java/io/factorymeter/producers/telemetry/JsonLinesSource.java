package io.factorymeter.producers.telemetry;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** JSON Lines: one NodeSample per line; blank lines are skipped. */
final class JsonLinesSource implements SampleSource {

  private final BufferedReader in;
  private final SampleSource.CountingInputStream counted;
  private long line;

  JsonLinesSource(InputStream in, SampleSource.CountingInputStream counted) {
    this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    this.counted = counted;
  }

  @Override
  public Item next() throws IOException {
    String text;
    while ((text = in.readLine()) != null) {
      line++;
      if (text.isBlank()) {
        continue;
      }
      try {
        return new Sample(NodeSampleJson.parse(text), line);
      } catch (NodeSampleFormatException e) {
        return new Rejected(line, e.getMessage());
      }
    }
    return null;
  }

  @Override
  public long bytesRead() {
    return counted.count();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
