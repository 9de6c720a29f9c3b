package io.factorymeter.producers.telemetry;

import java.io.IOException;
import java.io.InputStream;

/** JSON Lines: one NodeSample per line; blank lines are skipped. */
final class JsonLinesSource implements SampleSource {

  private final NumberedLines lines;
  private final SampleSource.CountingInputStream counted;

  JsonLinesSource(InputStream in, SampleSource.CountingInputStream counted) {
    this.lines = new NumberedLines(in);
    this.counted = counted;
  }

  @Override
  public Item next() {
    NumberedLines.Line line;
    while ((line = lines.next()) != null) {
      if (!line.readable()) {
        return new Rejected(line.number(), line.problem());
      }
      if (line.text().isBlank()) {
        continue;
      }
      try {
        return new Sample(NodeSampleJson.parse(line.text()), line.number());
      } catch (NodeSampleFormatException e) {
        return new Rejected(line.number(), e.getMessage());
      } catch (RuntimeException e) { // a case the parser did not foresee: still one line, never a stack trace
        return new Rejected(line.number(), "not a NodeSample: " + e);
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
    lines.close();
  }
}
