package io.factorymeter.cli;

import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.contract.OutputKey;
import io.factorymeter.producers.kafka.AvroRecordSender;
import io.factorymeter.schema.NodeSample;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Sends a heartbeat at an event time to every partition of the telemetry topic. */
@Command(name = "heartbeat", mixinStandardHelpOptions = true,
    description = {"Tell the pipeline that event time has reached an instant on every partition of the telemetry topic.",
        "After replaying a finished day, --event-time <end of its last hour + 10 min> (the billing grace,"
            + " factory.meter.billing.grace) settles its last billing hour; samples of the next hour sent later are still"
            + " billed, but those whose metric windows ended before the heartbeat's time minus the metric grace count as"
            + " late for metrics. replay --close sends this heartbeat by itself.",
        "The heartbeat is stamped with this machine's clock: an event time more than 5 min (factory.meter.max.future.skew)"
            + " ahead of it is refused, since the pipeline would dead-letter the heartbeat as FUTURE_TIMESTAMP."})
final class HeartbeatCommand implements Callable<Integer> {

  @Mixin
  ConnectionOptions connection;

  @Option(names = "--event-time", required = true, paramLabel = "ISO", converter = InstantConverter.class,
      description = "The event time, e.g. 2026-11-27T00:10:00Z.")
  Instant eventTime;

  @Option(names = "--topic", defaultValue = "factory.telemetry", description = "Topic to write to (default: ${DEFAULT-VALUE}).")
  String topic;

  @Override
  public Integer call() {
    Map<String, Object> props = connection.properties();
    requireNotFuture(eventTime, Instant.now(), maxFutureSkew(props));
    Reachability.requireKafka(props);
    TopicSetup.ensureTelemetry(props, topic);
    try (AvroRecordSender<NodeSample> sender = new AvroRecordSender<>(props, topic)) {
      sender.heartbeat(eventTime.toEpochMilli());
      sender.flush();
    }
    System.out.println("Sent a heartbeat at " + OutputKey.iso(eventTime) + " to every partition of " + topic);
    return 0;
  }

  /** The pipeline's future-timestamp skew: {@code factory.meter.max.future.skew} of the client properties, default 5 min. */
  static Duration maxFutureSkew(Map<String, Object> props) {
    try {
      return MeteringConfig.from(props).maxFutureSkew();
    } catch (ConfigException e) {
      throw new UserError(e.getMessage(), 2);
    }
  }

  /** A usage error (exit 2) when {@code eventTime} lies more than {@code skew} ahead of {@code now}. */
  static void requireNotFuture(Instant eventTime, Instant now, Duration skew) {
    if (eventTime.isAfter(now.plus(skew))) {
      throw new UserError("--event-time " + OutputKey.iso(eventTime) + " lies more than " + DurationConverter.format(skew)
          + " ahead of this machine's clock (" + OutputKey.iso(now) + "); the pipeline would dead-letter the heartbeat"
          + " as FUTURE_TIMESTAMP", 2);
    }
  }
}
