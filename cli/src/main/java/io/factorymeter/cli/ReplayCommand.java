package io.factorymeter.cli;

import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.contract.OutputKey;
import io.factorymeter.producers.kafka.AvroRecordSender;
import io.factorymeter.producers.replay.EndHeartbeat;
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
import java.util.concurrent.atomic.AtomicLong;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Replays historic telemetry files to the input topic, keyed by nodeId, with their original timestamps. */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Replay historic telemetry to Kafka, keyed by nodeId, with the samples' original timestamps.",
        "Reads JSON Lines (.jsonl), flat CSV (.csv, one row per sample x usage entry) or Avro container files (.avro),"
            + " each optionally gzip (.gz). A line that is not a NodeSample is reported as FILE:LINE: reason (the record"
            + " number for Avro) and skipped; --strict checks every file first and sends nothing if a line is rejected."
            + " Records are stamped with this machine's clock. A progress bar shows on a terminal."})
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

  @Option(names = "--strict", description = "Check every file completely before sending anything; if a line is not a"
      + " NodeSample, send nothing and exit with status 1.")
  boolean strict;

  @Option(names = "--heartbeat", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "End with a heartbeat at the latest sample time to every partition, so that partitions the files"
          + " did not touch move on too (default: on; --no-heartbeat turns it off).")
  boolean heartbeat;

  @Option(names = "--close",
      description = "End with a heartbeat that closes the billing hour of the latest sample instead: at the end of that"
          + " hour + the billing grace (factory.meter.billing.grace, 10m by default; set it here as the pipeline has it),"
          + " so that the hour's bill is settled now. Samples of the following hour sent later are still billed, but"
          + " the metric windows that ended by then minus the metric grace (the first 8 minutes of that hour by"
          + " default) are closed: those samples count as late for metrics.")
  boolean close;

  @Override
  public Integer call() throws IOException, InterruptedException {
    files.forEach(ReadableFile::require);
    double pace = Speedup.parse(speedup);
    Map<String, Object> props = connection.properties();
    MeteringConfig pipeline;
    try {
      pipeline = MeteringConfig.from(props);
    } catch (ConfigException e) {
      throw new UserError(e.getMessage(), 2);
    }
    EndHeartbeat end = close ? EndHeartbeat.closingTheHour(pipeline.billingGrace(), pipeline.maxFutureSkew())
        : heartbeat ? EndHeartbeat.atLatestSample(pipeline.maxFutureSkew()) : EndHeartbeat.none(pipeline.maxFutureSkew());
    TelemetryReplay.Options options;
    try {
      Optional<TelemetryFormat> fmt = format == null ? Optional.empty() : Optional.of(TelemetryFormat.parse(format));
      files.forEach(f -> TelemetryReplay.formatOf(f, fmt));
      options = new TelemetryReplay.Options(fmt, strict, end, pace);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage(), 2);
    }
    Reachability.requireKafkaAndRegistry(props);
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
        report.stoppedEarly() ? " (--strict: nothing sent)" : "");
    report.heartbeat().ifPresent(t -> System.err.println("Heartbeat at " + OutputKey.iso(t) + " sent to every partition of "
        + topic + (close ? " (closes the billing hour " + OutputKey.iso(t.minus(pipeline.billingGrace()).minus(MeteringConfig.BILLING_PERIOD))
        + ")" : "")));
    if (report.aheadOfClock() > 0) {
      System.err.println("factory-meter: warning: " + report.aheadOfClock() + " sample(s) lay more than "
          + DurationConverter.format(pipeline.maxFutureSkew()) + " ahead of this machine's clock when sent; the pipeline"
          + " dead-letters them as FUTURE_TIMESTAMP");
    }
    report.heartbeatRefused().ifPresent(t -> System.err.println("factory-meter: no heartbeat sent: its event time "
        + OutputKey.iso(t) + " lies more than " + DurationConverter.format(pipeline.maxFutureSkew())
        + " ahead of this machine's clock; the pipeline would dead-letter it as FUTURE_TIMESTAMP"));
    return report.stoppedEarly() ? 1 : 0;
  }

  /** Rejected lines to stderr; a progress bar (bytes read, rate, records, ETA) when stderr is a terminal. */
  private static final class Progress implements TelemetryReplay.Listener, AutoCloseable {
    private final AtomicLong records = new AtomicLong();
    private final ProgressBar bar;

    Progress(long totalBytes) {
      this.bar = System.console() == null ? null : new ProgressBarBuilder().setTaskName("replay")
          .setInitialMax(Math.max(1, totalBytes)).setRenderer(new ReplayProgressLine(records::get))
          .setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
    }

    @Override
    public void rejected(RejectedLine line) {
      System.err.println("rejected " + line);
    }

    @Override
    public void progress(long samples, long bytesRead, long totalBytes) {
      records.set(samples);
      if (bar != null) {
        bar.stepTo(bytesRead);
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
