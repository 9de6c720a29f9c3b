package io.factorymeter.cli;

import io.factorymeter.producers.kafka.AvroRecordSender;
import io.factorymeter.producers.replay.ReplayReport;
import io.factorymeter.producers.replay.TelemetryReplay;
import io.factorymeter.producers.simulate.FleetSimulator;
import io.factorymeter.producers.telemetry.SampleWriter;
import io.factorymeter.producers.telemetry.TelemetryFormat;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.stack.LocalStack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Measurements, each on a fresh local stack in this process. */
@Command(name = "benchmark", mixinStandardHelpOptions = true, subcommands = BenchmarkCommand.Replay.class,
    description = "Measure throughput on a fresh local stack (free ports, temporary data).")
final class BenchmarkCommand implements Runnable {

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: replay");
  }

  /** Samples per second replay sustains: a simulated history file sent through the real producer and broker. */
  @Command(name = "replay", mixinStandardHelpOptions = true,
      description = {"Measure how many samples per second replay sustains here.",
          "Simulates a history file (not timed), then replays it to a fresh in-process broker and registry (timed, until"
              + " every record is acknowledged)."})
  static final class Replay implements Callable<Integer> {

    @Mixin
    FleetOptions fleet;

    @Option(names = "--duration", defaultValue = "6h", converter = DurationConverter.class,
        description = "Event time of history to simulate (default: ${DEFAULT-VALUE}; with the default fleet about 52,000 samples).")
    Duration duration;

    @Option(names = "--format", defaultValue = "jsonl", description = "jsonl, csv or avro (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--runs", defaultValue = "3", description = "Timed runs, each into a new topic (default: ${DEFAULT-VALUE}).")
    int runs;

    @Override
    public Integer call() throws Exception {
      TelemetryFormat fmt;
      try {
        fmt = TelemetryFormat.parse(format);
      } catch (IllegalArgumentException e) {
        throw new UserError(e.getMessage(), 2);
      }
      Path dir = Files.createTempDirectory("factory-meter-bench");
      Path file = dir.resolve("history." + fmt.name().toLowerCase(Locale.ROOT));
      try {
        writeHistory(file, fmt);
        try (LocalStack stack = LocalStack.builder().start()) {
          Map<String, Object> props = stack.clientProps();
          for (int run = 1; run <= runs; run++) {
            String topic = "bench.telemetry." + run;
            TopicSetup.ensureTelemetry(props, topic);
            long started = System.nanoTime();
            ReplayReport report;
            try (AvroRecordSender<NodeSample> sender = new AvroRecordSender<>(props, topic)) {
              report = new TelemetryReplay(sender, new TelemetryReplay.Options(Optional.of(fmt), false, false, 0), r -> { })
                  .replay(List.of(file));
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf(Locale.ROOT, "run %d: %,d samples in %.2f s = %,.0f samples/s%n", run, report.sent(), seconds,
                report.sent() / seconds);
          }
        }
      } finally {
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
      }
      return 0;
    }

    /** Simulates the fleet's history into {@code file} (not timed). */
    private void writeHistory(Path file, TelemetryFormat fmt) throws IOException {
      long samples = 0;
      FleetSimulator sim = new FleetSimulator(fleet.spec(), Instant.parse("2026-11-26T00:00:00Z"));
      Instant end = sim.time().plus(duration);
      try (SampleWriter out = SampleWriter.create(file, fmt)) {
        while (sim.time().isBefore(end)) {
          for (NodeSample s : sim.step()) {
            out.write(s);
            samples++;
          }
        }
      }
      System.out.printf(Locale.ROOT, "history: %,d samples, %s, %.1f MiB%n", samples, file.getFileName(),
          Files.size(file) / 1048576.0);
    }
  }
}
