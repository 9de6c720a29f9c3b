package io.factorymeter.producers.replay;

import io.factorymeter.producers.Pacing;
import io.factorymeter.producers.kafka.AvroRecordSender;
import io.factorymeter.producers.telemetry.SampleSource;
import io.factorymeter.producers.telemetry.TelemetryFormat;
import io.factorymeter.schema.NodeSample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Replays telemetry files (JSON Lines, flat CSV or Avro; gzip or not) to the input topic, keyed
 * by nodeId, with their original timestamps, in file order. A part that is not a NodeSample is
 * reported (file, line or record number, reason) and skipped, or, when strict, stops the replay.
 * With a speed-up, samples are sent when their event time has come (event time advances X times
 * faster than the wall clock from the first sample on); without, as fast as the cluster takes them.
 * A strict replay reads every file completely first and sends nothing if any part is rejected.
 * Records are stamped with the sender's clock (the wall clock at sending); the replay ends with an
 * {@link EndHeartbeat}.
 */
public final class TelemetryReplay {

  /**
   * How to replay.
   *
   * @param format the files' format, or empty to tell it from each file name
   * @param strict check every file completely first and send nothing if a part is rejected
   * @param end the heartbeat that ends the replay
   * @param speedup event-time seconds per wall-clock second; 0 for as fast as possible
   */
  public record Options(Optional<TelemetryFormat> format, boolean strict, EndHeartbeat end, double speedup) {

    /** @param heartbeatAtEnd end with a heartbeat at the latest sample timestamp to every partition */
    public Options(Optional<TelemetryFormat> format, boolean strict, boolean heartbeatAtEnd, double speedup) {
      this(format, strict, heartbeatAtEnd ? EndHeartbeat.atLatestSample() : EndHeartbeat.none(), speedup);
    }
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
    if (options.strict()) {
      List<RejectedLine> rejected = check(files);
      if (!rejected.isEmpty()) {
        return new ReplayReport(0, rejected, true, Optional.empty(), Optional.empty(), Optional.empty(), 0);
      }
    }
    long totalBytes = totalBytes(files);
    List<RejectedLine> rejected = new ArrayList<>();
    boolean stopped = false;
    long maxEventTime = Long.MIN_VALUE;
    long firstEventTime = Long.MIN_VALUE;
    long wallStart = System.nanoTime();
    long sent = 0;
    long ahead = 0;
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
            if (options.strict()) { // the file changed since it was checked
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
          if (!options.end().acceptedAt(ts, sender.now())) {
            ahead++;
          }
          sender.send(sample.getNodeId(), sample);
          maxEventTime = Math.max(maxEventTime, ts);
          if (++sent % 4096 == 0) {
            listener.progress(sent, bytesBefore + source.bytesRead(), totalBytes);
          }
        }
        bytesBefore += source.bytesRead();
      }
    }
    Optional<Instant> latest = maxEventTime == Long.MIN_VALUE ? Optional.empty() : Optional.of(Instant.ofEpochMilli(maxEventTime));
    Optional<Instant> heartbeat = Optional.empty();
    Optional<Instant> refused = Optional.empty();
    OptionalLong at = latest.isEmpty() || stopped ? OptionalLong.empty() : options.end().eventTime(maxEventTime);
    if (at.isPresent()) {
      if (options.end().acceptedAt(at.getAsLong(), sender.now())) {
        sender.heartbeat(at.getAsLong());
        heartbeat = Optional.of(Instant.ofEpochMilli(at.getAsLong()));
      } else {
        refused = Optional.of(Instant.ofEpochMilli(at.getAsLong()));
      }
    }
    sender.flush();
    listener.progress(sent, totalBytes, totalBytes);
    return new ReplayReport(sender.acknowledged(), List.copyOf(rejected), stopped, latest, heartbeat, refused, ahead);
  }

  /** Reads every file completely and returns its rejected parts, telling the listener of each; sends nothing. */
  private List<RejectedLine> check(List<Path> files) throws IOException {
    List<RejectedLine> rejected = new ArrayList<>();
    for (Path file : files) {
      try (SampleSource source = SampleSource.open(file, formatOf(file, options.format()))) {
        SampleSource.Item item;
        while ((item = source.next()) != null) {
          if (item instanceof SampleSource.Rejected r) {
            RejectedLine line = new RejectedLine(file, r.position(), r.reason());
            rejected.add(line);
            listener.rejected(line);
          }
        }
      }
    }
    return rejected;
  }
}
