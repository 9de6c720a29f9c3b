package io.factorymeter.producers.telemetry;

import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.UsageEntry;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Flat CSV ({@link NodeSampleCsv}): consecutive rows with the same nodeId and timestamp make one
 * sample. A sample is replayed only when all its rows are good: a bad row, or a row whose sample
 * fields differ from the first row's, rejects its whole sample (every row of it is reported). A
 * row that does not parse belongs to the sample its nodeId and timestamp cells name; when those
 * cannot be read either, to the sample before it (which may have been cut short by it).
 */
final class CsvSource implements SampleSource {

  private final NumberedLines lines;
  private final SampleSource.CountingInputStream counted;
  private final Deque<Item> ready = new ArrayDeque<>();
  private NodeSampleCsv parser;
  /** The sample being collected: its key, its first good row (null when its first row was bad) and that row's line. */
  private NodeSampleCsv.Key pendingKey;
  private NodeSampleCsv.Row first;
  private long firstLine;
  private final List<UsageEntry> usage = new ArrayList<>();
  /** Why the pending sample is not replayed (null while it is good), and its good rows other than the first. */
  private String brokenReason;
  private final List<Long> brokenLines = new ArrayList<>();
  private boolean done;

  CsvSource(InputStream in, SampleSource.CountingInputStream counted) {
    this.lines = new NumberedLines(in);
    this.counted = counted;
  }

  @Override
  public Item next() {
    while (ready.isEmpty() && !done) {
      NumberedLines.Line numbered = lines.next();
      if (numbered == null) {
        flush();
        done = true;
        break;
      }
      long line = numbered.number();
      if (!numbered.readable()) {
        ready.add(new Rejected(line, numbered.problem()));
        if (parser == null) {
          done = true; // no header: nothing after it can be read
        } else {
          breakPending(line); // the unreadable line may have been a row of it
        }
        continue;
      }
      String text = numbered.text();
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
      } catch (RuntimeException e) {
        NodeSampleCsv.Key key = parser.keyOf(text);
        if (key != null && !key.equals(pendingKey)) {
          flush();
          pendingKey = key; // a sample whose first row is bad: its other rows are rejected with it
          firstLine = line;
          brokenReason = "row " + line + " of the sample is rejected";
        } else {
          breakPending(line);
        }
        ready.add(new Rejected(line, e instanceof NodeSampleFormatException ? e.getMessage() : "not a NodeSample row: " + e));
        continue;
      }
      if (row.key().equals(pendingKey)) {
        if (brokenReason != null) {
          brokenLines.add(line);
        } else if (!row.sample().equals(first.sample())) { // both without usage: the rows' usage is apart, in row.usage()
          brokenLines.add(line);
          brokenReason = "row " + line + " repeats the sample with other values than row " + firstLine;
        } else if (row.usage() != null) {
          usage.add(row.usage());
        }
        continue;
      }
      flush();
      pendingKey = row.key();
      first = row;
      firstLine = line;
      if (row.usage() != null) {
        usage.add(row.usage());
      }
    }
    return ready.poll();
  }

  /** Marks the pending sample, if any, as not replayed because of a bad row at {@code line}. */
  private void breakPending(long line) {
    if (pendingKey != null && brokenReason == null) {
      brokenReason = "row " + line + " of the sample is rejected";
    }
  }

  /** Ends the pending sample: a Sample, or Rejected for each of its good rows when one was bad. */
  private void flush() {
    if (pendingKey == null) {
      return;
    }
    if (brokenReason == null) {
      NodeSample s = NodeSample.newBuilder(first.sample()).setUsage(List.copyOf(usage)).build();
      ready.add(new Sample(s, firstLine));
    } else {
      if (first != null) {
        ready.add(new Rejected(firstLine, "sample not replayed: " + brokenReason));
      }
      for (long l : brokenLines) {
        ready.add(new Rejected(l, "sample not replayed: " + brokenReason));
      }
    }
    pendingKey = null;
    first = null;
    usage.clear();
    brokenReason = null;
    brokenLines.clear();
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
