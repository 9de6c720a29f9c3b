package io.factorymeter.cli;

import io.factorymeter.producers.kafka.AvroRecordSender;
import io.factorymeter.producers.replay.RejectedLine;
import io.factorymeter.producers.replay.ReplayReport;
import io.factorymeter.producers.replay.TelemetryReplay;
import io.factorymeter.producers.telemetry.TelemetryFormat;
import io.factorymeter.schema.NodeSample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Replays historic telemetry files to the input topic, keyed by nodeId, with their original timestamps. */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Replay historic telemetry to Kafka, keyed by nodeId, with the samples' original timestamps:",
        "JSON Lines (.jsonl), flat CSV (.csv, one row per sample x usage entry) or Avro container files (.avro),",
        "each optionally gzip (.gz). A line that is not a NodeSample is reported with its file and line number and",
        "skipped (or stops the run under --strict). A progress bar shows on a terminal."})
final class ReplayCommand implements Callable<Integer> {

  @Mixin
  ConnectionOptions connection;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "Telemetry files, replayed in the order given.")
  List<Path> files;

  @Option(names = "--topic", defaultValue = "factory.telemetry", description = "Topic to write to (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--format", description = "jsonl, csv or avro (default: from each file name).")
  String format;

  @Option(names = "--speedup", paramLabel = "X|max", defaultValue = "max",
      description = "Event-time seconds per wall-clock second, from the first sample on; max for as fast as the cluster takes them (default: ${DEFAULT-VALUE}).")
  String speedup;

  @Option(names = "--strict", description = "Stop at the first line that is not a NodeSample and exit with status 1.")
  boolean strict;

  @Option(names = "--heartbeat", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "End with a heartbeat at the latest sample time to every partition, so that partitions the files"
          + " did not touch move on too (default: on; --no-heartbeat turns it off).")
  boolean heartbeat;

  @Override
  public Integer call() throws IOException, InterruptedException {
    files.forEach(ReadableFile::require);
    double pace = Speedup.parse(speedup);
    TelemetryReplay.Options options;
    try {
      Optional<TelemetryFormat> fmt = format == null ? Optional.empty() : Optional.of(TelemetryFormat.parse(format));
      files.forEach(f -> TelemetryReplay.formatOf(f, fmt));
      options = new TelemetryReplay.Options(fmt, strict, heartbeat, pace);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage(), 2);
    }
    Map<String, Object> props = connection.reachableProperties();
    TopicSetup.ensureTelemetry(props, topic);
    long started = System.nanoTime();
    ReplayReport report;
    try (AvroRecordSender<NodeSample> sender = new AvroRecordSender<>(props, topic);
         Progress progress = new Progress(TelemetryReplay.totalBytes(files))) {
      report = new TelemetryReplay(sender, options, progress).replay(files);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf(Locale.ROOT, "Sent %d records to %s from %d file(s) in %.1f s (%.0f records/s); %d line(s) rejected%s%n",
        report.sent(), topic, files.size(), seconds, report.sent() / Math.max(seconds, 1e-9), report.rejected().size(),
        report.stoppedEarly() ? " (stopped at the first, --strict)" : "");
    return report.stoppedEarly() ? 1 : 0;
  }

  /** Rejected lines to stderr; a progress bar (MiB read, records, rate, ETA) when stderr is a terminal. */
  private static final class Progress implements TelemetryReplay.Listener, AutoCloseable {
    private final ProgressBar bar;

    Progress(long totalBytes) {
      this.bar = System.console() == null ? null : new ProgressBarBuilder().setTaskName("replay")
          .setInitialMax(Math.max(1, totalBytes)).setUnit(" MiB", 1 << 20).setStyle(ProgressBarStyle.ASCII)
          .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).showSpeed().build();
    }

    @Override
    public void rejected(RejectedLine line) {
      System.err.println("rejected " + line);
    }

    @Override
    public void progress(long samples, long bytesRead, long totalBytes) {
      if (bar != null) {
        bar.stepTo(bytesRead);
        bar.setExtraMessage(String.format(Locale.ROOT, "%,d records", samples));
      }
    }

    @Override
    public void close() {
      if (bar != null) {
        bar.close();
      }
    }
  }
}
