package io.factorymeter.producers.replay;

import io.factorymeter.producers.Pacing;
import io.factorymeter.producers.kafka.AvroRecordSender;
import io.factorymeter.producers.telemetry.SampleSource;
import io.factorymeter.producers.telemetry.TelemetryFormat;
import io.factorymeter.schema.NodeSample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Replays telemetry files (JSON Lines, flat CSV or Avro; gzip or not) to the input topic, keyed
 * by nodeId, with their original timestamps, in file order. A part that is not a NodeSample is
 * reported (file, line or record number, reason) and skipped, or, when strict, stops the replay.
 * With a speed-up, samples are sent when their event time has come (event time advances X times
 * faster than the wall clock from the first sample on); without, as fast as the cluster takes them.
 * Records already sent before a strict stop stay sent; sending them again later is harmless, the
 * pipeline drops duplicates by (nodeId, timestamp).
 */
public final class TelemetryReplay {

  /**
   * How to replay.
   *
   * @param format the files' format, or empty to tell it from each file name
   * @param strict stop at the first rejected part
   * @param heartbeatAtEnd end with a heartbeat at the latest sample timestamp to every partition
   * @param speedup event-time seconds per wall-clock second; 0 for as fast as possible
   */
  public record Options(Optional<TelemetryFormat> format, boolean strict, boolean heartbeatAtEnd, double speedup) {
  }

  /** Told of rejected parts and of progress. */
  public interface Listener {
    void rejected(RejectedLine line);

    /** Every few thousand samples: samples sent so far, bytes of all files read so far, and their total. */
    default void progress(long samples, long bytesRead, long totalBytes) {
    }
  }

  private final AvroRecordSender<NodeSample> sender;
  private final Options options;
  private final Listener listener;

  public TelemetryReplay(AvroRecordSender<NodeSample> sender, Options options, Listener listener) {
    this.sender = sender;
    this.options = options;
    this.listener = listener;
  }

  /** The format of a file: the option, else its name; {@link IllegalArgumentException} when neither says. */
  public static TelemetryFormat formatOf(Path file, Optional<TelemetryFormat> option) {
    return option.or(() -> TelemetryFormat.ofFileName(file)).orElseThrow(() -> new IllegalArgumentException(
        "Cannot tell the format of " + file + " from its name: use .jsonl, .csv or .avro (optionally .gz), or --format"));
  }

  /** The size of the files together, in bytes (what progress is measured against). */
  public static long totalBytes(List<Path> files) throws IOException {
    long total = 0;
    for (Path f : files) {
      total += Files.size(f);
    }
    return total;
  }

  /** Replays the files in order and waits until the broker acknowledged everything sent. */
  public ReplayReport replay(List<Path> files) throws IOException, InterruptedException {
    files.forEach(f -> formatOf(f, options.format()));
    long totalBytes = totalBytes(files);
    List<RejectedLine> rejected = new ArrayList<>();
    boolean stopped = false;
    long maxEventTime = Long.MIN_VALUE;
    long firstEventTime = Long.MIN_VALUE;
    long wallStart = System.nanoTime();
    long sent = 0;
    long bytesBefore = 0;
    files:
    for (Path file : files) {
      try (SampleSource source = SampleSource.open(file, formatOf(file, options.format()))) {
        SampleSource.Item item;
        while ((item = source.next()) != null) {
          if (item instanceof SampleSource.Rejected r) {
            RejectedLine line = new RejectedLine(file, r.position(), r.reason());
            rejected.add(line);
            listener.rejected(line);
            if (options.strict()) {
              stopped = true;
              break files;
            }
            continue;
          }
          NodeSample sample = ((SampleSource.Sample) item).sample();
          long ts = sample.getTimestamp().toEpochMilli();
          if (options.speedup() > 0) {
            if (firstEventTime == Long.MIN_VALUE) {
              firstEventTime = ts;
            }
            long due = wallStart + (long) (TimeUnit.MILLISECONDS.toNanos(Math.max(ts, maxEventTime) - firstEventTime) / options.speedup());
            Pacing.sleepUntil(due, () -> false);
          }
          sender.send(sample.getNodeId(), sample, null);
          maxEventTime = Math.max(maxEventTime, ts);
          if (++sent % 4096 == 0) {
            listener.progress(sent, bytesBefore + source.bytesRead(), totalBytes);
          }
        }
        bytesBefore += source.bytesRead();
      }
    }
    if (options.heartbeatAtEnd() && maxEventTime != Long.MIN_VALUE) {
      sender.heartbeat(maxEventTime);
    }
    sender.flush();
    listener.progress(sent, totalBytes, totalBytes);
    return new ReplayReport(sender.acknowledged(), List.copyOf(rejected), stopped);
  }
}
