package io.factorymeter.app;

import io.factorymeter.kafka.TopicSnapshot;
import io.factorymeter.registry.serde.SchemaRegistryAvroSerde;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A compacted output topic (SPEC §4: keys are strings, values Avro in Confluent's wire format) as
 * its consumers see it: read with read_committed up to its end at the moment of reading, keeping
 * the latest value of every key (what compaction keeps: the latest revision).
 */
public final class CompactedTopic {

  private CompactedTopic() {
  }

  /**
   * The latest value of every key of {@code topic}, read as {@code type}.
   *
   * @throws IllegalArgumentException when the topic does not exist
   */
  public static <T extends SpecificRecord> Map<String, T> latest(Map<String, Object> clientProps, String topic, Class<T> type) {
    SchemaRegistryAvroSerde<T> serde = SchemaRegistryAvroSerde.forType(type, clientProps, false);
    try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(TopicSnapshot.readerProps(clientProps),
        new StringDeserializer(), serde.deserializer())) {
      return TopicSnapshot.latest(consumer, topic);
    }
  }
}
