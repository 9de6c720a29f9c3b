package io.factorymeter.app.deadletter;

import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.contract.FactoryTopic;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * Where the exception handlers write dead letters, from the Kafka Streams configuration they are
 * given: {@value #TOPIC} (the deployment's dead-letter topic) and {@value MeteringConfig#DEAD_LETTER_MAX_BYTES}.
 */
public record DeadLetterConfig(String topic, int maxBytes) {

  /** The dead-letter topic's name, set by the application in its Kafka Streams properties. */
  static final String TOPIC = "factory.meter.dead-letter.topic";

  static DeadLetterConfig from(Map<String, ?> configs) {
    Object topic = configs.get(TOPIC);
    if (topic == null || topic.toString().isBlank()) {
      throw new ConfigException(TOPIC + " must name the dead-letter topic (MeteringApplication sets it)");
    }
    Object max = configs.get(MeteringConfig.DEAD_LETTER_MAX_BYTES);
    int maxBytes = max == null ? MeteringConfig.defaults().deadLetterMaxBytes() : Integer.parseInt(max.toString().trim());
    return new DeadLetterConfig(topic.toString(), maxBytes);
  }

  /** The settings for a deployment, as Kafka Streams properties. */
  public static Map<String, Object> properties(MeteringConfig config) {
    return Map.of(TOPIC, config.topics().name(FactoryTopic.TELEMETRY_DLQ),
        MeteringConfig.DEAD_LETTER_MAX_BYTES, Integer.toString(config.deadLetterMaxBytes()));
  }
}
