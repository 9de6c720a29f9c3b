package io.factorymeter.stack.registry;

import java.time.Duration;
import io.factorymeter.contract.TopicProvisioner;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import io.factorymeter.kafka.TopicSnapshot;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A {@link SchemaJournal} on a single-partition, log-compacted Kafka topic ({@code _schemas} by
 * default), like Confluent Schema Registry's. The topic is created when missing; an existing topic
 * that is not compacted is refused, since deletion would lose schemas.
 */
public final class KafkaSchemaJournal implements SchemaJournal {

  private final String topic;
  private final Properties clientProps;
  private final KafkaProducer<String, String> producer;
  private final Duration timeout = Duration.ofSeconds(30);

  public KafkaSchemaJournal(String bootstrapServers, String topic) {
    this(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), topic);
  }

  /**
   * @param kafkaProps Kafka client settings: {@code bootstrap.servers} and any security settings
   *     ({@code security.protocol}, {@code sasl.*}, {@code ssl.*})
   */
  public KafkaSchemaJournal(Map<String, ?> kafkaProps, String topic) {
    this.topic = topic;
    this.clientProps = new Properties();
    clientProps.putAll(kafkaProps);
    ensureTopic();
    Properties p = new Properties();
    p.putAll(clientProps);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "schema-registry-journal");
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
  }

  @Override
  public void append(String key, String value) {
    try {
      producer.send(new ProducerRecord<>(topic, 0, key, value)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while writing to " + topic, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Cannot write to " + topic + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void replay(BiConsumer<String, String> apply) {
    Properties p = new Properties();
    p.putAll(clientProps);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "schema-registry-journal-reader");
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      TopicSnapshot.read(consumer, topic, r -> apply.accept(r.key(), r.value()));
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }

  private void ensureTopic() {
    try (Admin admin = Admin.create(clientProps)) {
      new TopicProvisioner(admin, Optional.empty(), Optional.empty()).ensure(List.of(new TopicProvisioner.Topic(topic,
          Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT), Optional.of(1))));
    } catch (IllegalStateException e) {
      throw new IllegalStateException("Schema topic " + topic + ": " + e.getMessage()
          + " (a schema topic must be compacted, or old schemas would be deleted)", e);
    }
  }
}
