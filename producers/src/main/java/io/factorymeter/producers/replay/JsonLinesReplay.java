package io.factorymeter.producers.replay;

import io.factorymeter.producers.kafka.AvroRecordSender;
import io.factorymeter.producers.telemetry.NodeSampleFormatException;
import io.factorymeter.producers.telemetry.NodeSampleJson;
import io.factorymeter.schema.NodeSample;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Replays JSON Lines telemetry files to the input topic, keyed by nodeId, in file order. A line
 * that is not a NodeSample is reported (file, line number, reason) and skipped, or, when strict,
 * stops the replay. Blank lines are ignored. Records already sent before a strict stop stay sent;
 * sending them again later is harmless, the pipeline drops duplicates by (nodeId, timestamp).
 */
public final class JsonLinesReplay {

  private final AvroRecordSender<NodeSample> sender;
  private final boolean strict;
  private final Consumer<RejectedLine> onRejected;
  private final boolean heartbeatAtEnd;

  /**
   * @param heartbeatAtEnd whether to end with a heartbeat at the latest sample timestamp replayed,
   *     so every partition's stream time reaches it (partitions the file did not touch included)
   */
  public JsonLinesReplay(AvroRecordSender<NodeSample> sender, boolean strict, boolean heartbeatAtEnd,
      Consumer<RejectedLine> onRejected) {
    this.sender = sender;
    this.strict = strict;
    this.heartbeatAtEnd = heartbeatAtEnd;
    this.onRejected = onRejected;
  }

  /** Replays the files in order and waits until the broker acknowledged everything sent. */
  public ReplayReport replay(List<Path> files) throws IOException {
    List<RejectedLine> rejected = new ArrayList<>();
    boolean stopped = false;
    long maxEventTime = Long.MIN_VALUE;
    files:
    for (Path file : files) {
      try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        long lineNumber = 0;
        String line;
        while ((line = in.readLine()) != null) {
          lineNumber++;
          if (line.isBlank()) {
            continue;
          }
          NodeSample sample;
          try {
            sample = NodeSampleJson.parse(line);
          } catch (NodeSampleFormatException e) {
            RejectedLine r = new RejectedLine(file, lineNumber, e.getMessage());
            rejected.add(r);
            onRejected.accept(r);
            if (strict) {
              stopped = true;
              break files;
            }
            continue;
          }
          sender.send(sample.getNodeId(), sample, null);
          maxEventTime = Math.max(maxEventTime, sample.getTimestamp().toEpochMilli());
        }
      }
    }
    if (heartbeatAtEnd && maxEventTime != Long.MIN_VALUE) {
      sender.heartbeat(maxEventTime);
    }
    sender.flush();
    return new ReplayReport(sender.acknowledged(), List.copyOf(rejected), stopped);
  }
}
