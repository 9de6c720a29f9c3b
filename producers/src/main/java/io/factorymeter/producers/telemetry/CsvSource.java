package io.factorymeter.producers.telemetry;

import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.UsageEntry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Flat CSV ({@link NodeSampleCsv}): consecutive rows with the same nodeId and timestamp make one
 * sample. A sample is replayed only when all its rows are good: a bad row, or a row whose sample
 * fields differ from the first row's, rejects its whole sample (every row of it is reported).
 */
final class CsvSource implements SampleSource {

  private final BufferedReader in;
  private final SampleSource.CountingInputStream counted;
  private final Deque<Item> ready = new ArrayDeque<>();
  private NodeSampleCsv parser;
  private long line;
  private NodeSampleCsv.Row first;
  private long firstLine;
  private final List<UsageEntry> usage = new ArrayList<>();
  private String brokenReason;
  private final List<Long> brokenLines = new ArrayList<>();
  private boolean done;

  CsvSource(InputStream in, SampleSource.CountingInputStream counted) {
    this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    this.counted = counted;
  }

  @Override
  public Item next() throws IOException {
    while (ready.isEmpty() && !done) {
      String text = in.readLine();
      if (text == null) {
        flush();
        done = true;
        break;
      }
      line++;
      if (text.isBlank()) {
        continue;
      }
      if (parser == null) {
        try {
          parser = new NodeSampleCsv(text);
        } catch (NodeSampleFormatException e) {
          ready.add(new Rejected(line, e.getMessage()));
          done = true;
        }
        continue;
      }
      NodeSampleCsv.Row row;
      try {
        row = parser.parse(text);
      } catch (NodeSampleFormatException e) {
        ready.add(new Rejected(line, e.getMessage()));
        if (first != null && brokenReason == null) {
          brokenReason = "row " + line + " of the sample is rejected";
        }
        continue;
      }
      if (row.sameSample(first)) {
        if (!row.sample().equals(first.sample())) { // both without usage: the rows' usage is apart, in row.usage()
          brokenLines.add(line);
          brokenReason = brokenReason != null ? brokenReason
              : "row " + line + " repeats the sample with other values than row " + firstLine;
        } else if (brokenReason != null) {
          brokenLines.add(line);
        } else if (row.usage() != null) {
          usage.add(row.usage());
        }
        continue;
      }
      flush();
      first = row;
      firstLine = line;
      usage.clear();
      if (row.usage() != null) {
        usage.add(row.usage());
      }
    }
    return ready.poll();
  }

  /** Ends the pending sample: a Sample, or Rejected for each of its rows when one was bad. */
  private void flush() {
    if (first == null) {
      return;
    }
    if (brokenReason == null) {
      NodeSample s = NodeSample.newBuilder(first.sample()).setUsage(List.copyOf(usage)).build();
      ready.add(new Sample(s, firstLine));
    } else {
      ready.add(new Rejected(firstLine, "sample not replayed: " + brokenReason));
      for (long l : brokenLines) {
        ready.add(new Rejected(l, "sample not replayed: " + brokenReason));
      }
    }
    first = null;
    brokenReason = null;
    brokenLines.clear();
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
