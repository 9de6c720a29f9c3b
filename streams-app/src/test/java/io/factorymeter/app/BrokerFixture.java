package io.factorymeter.app;

import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.producers.kafka.AvroRecordSender;
import io.factorymeter.producers.prices.PriceLoader;
import io.factorymeter.producers.reference.ReferenceKind;
import io.factorymeter.producers.reference.ReferenceLoader;
import io.factorymeter.registry.serde.SchemaRegistryAvroDeserializer;
import io.factorymeter.registry.serde.SchemaRegistryAvroSerializer;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.Tariff;
import io.factorymeter.stack.LocalStackExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the tests of the application on a real (in-process) broker share: a configuration whose
 * topics carry a prefix (so tests do not share data), the repository's example prices, producers
 * of samples and raw records, and readers of whole topics with read_committed.
 */
public final class BrokerFixture {

  private final LocalStackExtension stack;

  public BrokerFixture(LocalStackExtension stack) {
    this.stack = stack;
  }

  public Map<String, Object> clientProps() {
    return stack.clientProps();
  }

  /** The default configuration with every topic name prefixed. */
  public static MeteringConfig config(String prefix) {
    return MeteringConfig.from(prefixedTopics(prefix));
  }

  /**
   * The default configuration with the outputs under {@code prefix} and the input and price topics
   * under {@code inputPrefix}: several runs over the same input, each with outputs of its own.
   */
  public static MeteringConfig configSharingInput(String prefix, String inputPrefix) {
    Map<String, Object> p = prefixedTopics(prefix);
    for (FactoryTopic t : List.of(FactoryTopic.TELEMETRY, FactoryTopic.TARIFFS, FactoryTopic.GPU_RATES)) {
      p.put(topicKey(t), inputPrefix + t.defaultName());
    }
    return MeteringConfig.from(p);
  }

  private static Map<String, Object> prefixedTopics(String prefix) {
    Map<String, Object> p = new HashMap<>();
    for (FactoryTopic t : FactoryTopic.values()) {
      p.put(topicKey(t), prefix + t.defaultName());
    }
    return p;
  }

  private static String topicKey(FactoryTopic t) {
    return MeteringConfig.TOPIC_PREFIX + t.name().toLowerCase().replace('_', '-');
  }

  /** Publishes the example price list of the repository (examples/prices.jsonl). */
  public void publishPrices(MeteringConfig config) {
    try (AvroRecordSender<Tariff> t = new AvroRecordSender<>(clientProps(), config.topics().name(FactoryTopic.TARIFFS));
         AvroRecordSender<GpuRate> g = new AvroRecordSender<>(clientProps(), config.topics().name(FactoryTopic.GPU_RATES))) {
      new PriceLoader(t, g).publish(PriceLoader.read(Path.of("../examples/prices.jsonl")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Publishes the repository's example carbon figures (examples/carbon.jsonl: grid intensity per site, embodied per GPU model). */
  public void publishCarbon(MeteringConfig config) {
    Map<ReferenceKind, AvroRecordSender<SpecificRecord>> senders = new EnumMap<>(ReferenceKind.class);
    try {
      ReferenceLoader.publish(ReferenceLoader.read(Path.of("../examples/carbon.jsonl")), new ReferenceLoader.Sink() {
        @Override
        public void send(ReferenceKind kind, String key, SpecificRecord value, long timestampMs) {
          senders.computeIfAbsent(kind, k -> new AvroRecordSender<>(clientProps(), config.topics().name(k.topic())))
              .send(key, value, timestampMs);
        }

        @Override
        public void flush() {
          senders.values().forEach(AvroRecordSender::flush);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      senders.values().forEach(AvroRecordSender::close);
    }
  }

  /** Sends samples keyed by nodeId, record timestamp = now, and waits for the broker's acknowledgement. */
  public void send(MeteringConfig config, List<NodeSample> samples) {
    try (AvroRecordSender<NodeSample> sender = new AvroRecordSender<>(clientProps(), config.topics().telemetry())) {
      samples.forEach(s -> sender.send(s.getNodeId(), s, null));
      sender.flush();
    }
  }

  /** A producer of raw records (string keys, byte values), idempotent, acks=all. */
  public KafkaProducer<String, byte[]> rawProducer() {
    Map<String, Object> p = clientProps();
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024);
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  /** A value in Confluent's wire format, registered under {@code <topic>-value}. */
  public <V extends SpecificRecord> byte[] wireFormat(String topic, V value) {
    try (SchemaRegistryAvroSerializer<V> serializer = new SchemaRegistryAvroSerializer<>()) {
      serializer.configure(clientProps(), false);
      return serializer.serialize(topic, value);
    }
  }

  /** Every record of a topic, in order per partition, read_committed until it has been quiet for 3 s. */
  public <V> List<ConsumerRecord<String, V>> readAll(String topic, Deserializer<V> values) {
    Map<String, Object> p = clientProps();
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + topic + "-" + System.nanoTime());
    List<ConsumerRecord<String, V>> all = new ArrayList<>();
    try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(p, new StringDeserializer(), values)) {
      consumer.subscribe(List.of(topic));
      long quietSince = System.nanoTime();
      while (System.nanoTime() - quietSince < Duration.ofSeconds(3).toNanos()) {
        var records = consumer.poll(Duration.ofMillis(200));
        if (!records.isEmpty()) {
          quietSince = System.nanoTime();
        }
        records.forEach(all::add);
      }
    }
    return all;
  }

  /** Every record of a topic with its raw value. */
  public List<ConsumerRecord<String, byte[]>> readRaw(String topic) {
    return readAll(topic, new ByteArrayDeserializer());
  }

  /** The latest value per key of a topic of Avro records of {@code type}. */
  public <V extends SpecificRecord> Map<String, V> latest(String topic, Class<V> type) {
    Map<String, V> latest = new TreeMap<>();
    readAll(topic, deserializer(type)).forEach(r -> latest.put(r.key(), r.value()));
    return latest;
  }

  /** A deserializer of the values of {@code type} in Confluent's wire format. */
  public <V extends SpecificRecord> Deserializer<V> deserializer(Class<V> type) {
    Map<String, Object> p = clientProps();
    p.put("specific.avro.reader", true);
    p.put("specific.avro.value.type", type);
    SchemaRegistryAvroDeserializer<V> d = new SchemaRegistryAvroDeserializer<>();
    d.configure(p, false);
    return d;
  }
}
