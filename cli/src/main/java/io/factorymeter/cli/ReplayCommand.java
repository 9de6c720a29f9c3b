package io.factorymeter.cli;

import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.contract.TopicProvisioner;
import io.factorymeter.producers.kafka.AvroRecordSender;
import io.factorymeter.producers.replay.JsonLinesReplay;
import io.factorymeter.producers.replay.ReplayReport;
import io.factorymeter.schema.NodeSample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Replays NodeSamples from JSON Lines files to the input topic, keyed by nodeId. */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Replay historic telemetry (JSON Lines, one NodeSample per line) to Kafka, keyed by nodeId.",
        "A line that is not a NodeSample is reported with its line number and skipped (or stops the run under --strict)."})
final class ReplayCommand implements Callable<Integer> {

  @Mixin
  ConnectionOptions connection;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "JSON Lines files, replayed in the order given.")
  List<Path> files;

  @Option(names = "--topic", defaultValue = "factory.telemetry", description = "Topic to write to (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--strict", description = "Stop at the first line that is not a NodeSample and exit with status 1.")
  boolean strict;

  @Option(names = "--heartbeat", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "End with a heartbeat at the latest sample time to every partition, so that partitions the files"
          + " did not touch move on too (default: on; --no-heartbeat turns it off).")
  boolean heartbeat;

  @Override
  public Integer call() throws IOException {
    for (Path f : files) {
      if (!Files.isReadable(f) || Files.isDirectory(f)) {
        throw new UserError("Cannot read " + f + ": no such file");
      }
    }
    Map<String, Object> props = connection.properties();
    Reachability.requireKafka(props);
    Reachability.requireRegistry(props);
    TopicSetup.ensure(props, List.of(new TopicProvisioner.Topic(topic, FactoryTopic.TELEMETRY)));
    ReplayReport report;
    try (AvroRecordSender<NodeSample> sender = new AvroRecordSender<>(props, topic)) {
      report = new JsonLinesReplay(sender, strict, heartbeat, r -> System.err.println("rejected " + r)).replay(files);
    }
    System.out.printf("Sent %d records to %s from %d file(s); %d line(s) rejected%s%n", report.sent(), topic, files.size(),
        report.rejected().size(), report.stoppedEarly() ? " (stopped at the first, --strict)" : "");
    return report.stoppedEarly() ? 1 : 0;
  }
}
