package io.factorymeter.cli;

import io.factorymeter.contract.OutputKey;
import io.factorymeter.producers.kafka.AvroRecordSender;
import io.factorymeter.schema.NodeSample;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Sends a heartbeat at an event time to every partition of the telemetry topic. */
@Command(name = "heartbeat", mixinStandardHelpOptions = true,
    description = {"Tell the pipeline that event time has reached an instant on every partition of the telemetry topic,",
        "e.g. after replaying a finished day, to close its last billing period: --event-time <end + 1h + 10m>.",
        "Samples older than their window's grace (or period's) then count as late."})
final class HeartbeatCommand implements Callable<Integer> {

  @Mixin
  ConnectionOptions connection;

  @Option(names = "--event-time", required = true, paramLabel = "ISO", converter = InstantConverter.class,
      description = "The event time, e.g. 2026-11-27T01:10:00Z.")
  Instant eventTime;

  @Option(names = "--topic", defaultValue = "factory.telemetry", description = "(default: ${DEFAULT-VALUE})")
  String topic;

  @Override
  public Integer call() {
    Map<String, Object> props = connection.properties();
    Reachability.requireKafka(props);
    TopicSetup.ensureTelemetry(props, topic);
    try (AvroRecordSender<NodeSample> sender = new AvroRecordSender<>(props, topic)) {
      sender.heartbeat(eventTime.toEpochMilli());
      sender.flush();
    }
    System.out.println("Sent a heartbeat at " + OutputKey.iso(eventTime) + " to every partition of " + topic);
    return 0;
  }
}
