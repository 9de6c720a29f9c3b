package io.factorymeter.cli;

import io.factorymeter.contract.OutputKey;
import io.factorymeter.producers.kafka.AvroRecordSender;
import io.factorymeter.producers.simulate.FleetSimulator;
import io.factorymeter.producers.simulate.FleetSpec;
import io.factorymeter.producers.replay.TelemetryReplay;
import io.factorymeter.producers.simulate.SimulatedClock;
import io.factorymeter.producers.simulate.SimulationRunner;
import io.factorymeter.producers.telemetry.SampleWriter;
import io.factorymeter.producers.telemetry.TelemetryFormat;
import io.factorymeter.schema.NodeSample;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Emits NodeSamples of a simulated fleet to Kafka, or writes them to a JSON Lines file. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
    description = {"Simulate a fleet of GPU nodes serving LLMs and emit its NodeSamples.",
        "Power per token is calibrated on ML.ENERGY Leaderboard v3 figures; load follows the time of day. Live, the fleet"
            + " sends a heartbeat to every partition each event-time minute, and stamps its records with its own clock: the"
            + " simulated time (ahead of the wall clock with --speedup), or the wall clock when that is later."})
final class SimulateCommand implements Callable<Integer> {

  @Mixin
  ConnectionOptions connection;

  @Mixin
  FleetOptions fleet;

  @Option(names = "--topic", defaultValue = "factory.telemetry", description = "Topic to write to (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--start", paramLabel = "ISO", converter = InstantConverter.class,
      description = "Event time of the first interval (default: now).")
  Instant start;

  @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Event time to simulate, e.g. 1h or 1d (default: until Ctrl-C; required with --output).")
  Duration duration;

  @Option(names = "--speedup", paramLabel = "X|max",
      description = "Event-time seconds per wall-clock second; max for as fast as possible (default: 1, or max with --output).")
  String speedup;

  @Option(names = "--output", paramLabel = "FILE",
      description = "Write to FILE instead of Kafka: JSON Lines (.jsonl), flat CSV (.csv) or Avro (.avro), gzip when it ends in .gz.")
  Path output;

  @Override
  public Integer call() throws Exception {
    FleetSpec spec = fleet.spec();
    FleetSimulator simulator = new FleetSimulator(spec, start != null ? start : Instant.now());
    Instant first = simulator.time(); // the start, at an interval boundary
    Instant end = duration == null ? null : first.plus(duration);
    if (output != null && end == null) {
      throw new UserError("--output needs --duration (how much event time to write)", 2);
    }
    double pace = Speedup.parse(speedup != null ? speedup : (output != null ? "max" : "1"));
    if (output != null) {
      return writeFile(simulator, pace, end);
    }
    Map<String, Object> props = connection.reachableProperties();
    TopicSetup.ensureTelemetry(props, topic);
    // the fleet's clock is the simulated one: a sped-up fleet stamps its records with its own (future) now
    try (AvroRecordSender<NodeSample> sender = new AvroRecordSender<>(props, topic, new SimulatedClock(simulator::time))) {
      SimulationRunner runner = new SimulationRunner(simulator, s -> sender.send(s.getNodeId(), s), pace, end,
          sender.heartbeatEveryMinute());
      System.err.printf("Simulating %d nodes (%d clusters, %d sites) from %s%s to %s at %s%n", spec.nodes(), spec.clusters(),
          spec.sites(), OutputKey.iso(first), end == null ? "" : " until " + OutputKey.iso(end), topic,
          pace == 0 ? "full speed" : (pace == 1 ? "real time" : pace + "x real time"));
      long count = runUntilDone(runner, () -> {
        sender.heartbeat(runner.eventTime().toEpochMilli());
        sender.flush();
      });
      System.out.printf("Sent %d samples to %s (event time %s to %s)%n", count, topic, OutputKey.iso(first),
          OutputKey.iso(runner.eventTime()));
    }
    return 0;
  }

  private int writeFile(FleetSimulator simulator, double pace, Instant end) throws Exception {
    TelemetryFormat format;
    try {
      format = TelemetryReplay.formatOf(output, Optional.empty());
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage(), 2);
    }
    try (SampleWriter out = SampleWriter.create(output, format)) {
      SimulationRunner runner = new SimulationRunner(simulator, s -> {
        try {
          out.write(s);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }, pace, end, t -> { });
      long count = runUntilDone(runner, () -> { });
      System.out.printf("Wrote %d samples to %s%n", count, output);
    } catch (UncheckedIOException e) {
      throw new UserError("Cannot write " + output + ": " + e.getCause().getMessage());
    } catch (IOException e) {
      throw new UserError("Cannot write " + output + ": " + e.getMessage());
    }
    return 0;
  }

  /** Runs the simulation, printing progress to stderr; Ctrl-C stops it after the current interval. */
  static long runUntilDone(SimulationRunner runner, Runnable onStop) throws InterruptedException {
    Thread progress = new Thread(() -> {
      try {
        while (true) {
          Thread.sleep(5_000);
          System.err.printf("... %d samples, event time %s%n", runner.emitted(), OutputKey.iso(runner.eventTime()));
        }
      } catch (InterruptedException e) {
        // done
      }
    }, "simulate-progress");
    progress.setDaemon(true);
    progress.start();
    return StopOnSignal.run("simulate", runner::run, runner::stop, () -> {
      progress.interrupt();
      onStop.run();
    }, null);
  }
}
