package io.factorymeter.app.pricing;

import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.producers.kafka.AvroRecordSender;
import io.factorymeter.registry.serde.SchemaRegistryAvroDeserializer;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.NodeMetrics;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.Tariff;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the real-broker price tests share. Every sample is of a node with 8 x H100 for 10 s at
 * 3,600 W: 36,000 J = 0.01 kWh, so a minute of 6 samples costs 0.06 kWh x pricePerKwh x pue in
 * energy and 6 x 8 GPUs x 10/3,600 h x hourlyRate in capacity (0.48 at 3.60 per GPU-hour).
 */
final class PricingFixtures {

  static final String GPU = "H100-SXM5-80GB";

  private PricingFixtures() {
  }

  /** A configuration whose topics all carry a prefix, so tests do not share data. */
  static MeteringConfig config(String prefix) {
    Map<String, Object> p = new HashMap<>();
    for (FactoryTopic t : FactoryTopic.values()) {
      p.put(MeteringConfig.TOPIC_PREFIX + t.name().toLowerCase(Locale.ROOT).replace('_', '-'), prefix + t.defaultName());
    }
    return MeteringConfig.from(p);
  }

  static Tariff tariff(String site, double pricePerKwh, double pue, String effectiveFrom) {
    return new Tariff(site, "USD", pricePerKwh, pue, Instant.parse(effectiveFrom), null);
  }

  static GpuRate gpuRate(double hourlyRate, String effectiveFrom) {
    return new GpuRate(GPU, "USD", hourlyRate, Instant.parse(effectiveFrom), null);
  }

  /** Publishes tariffs (keyed by site) and GPU rates (keyed by model), record timestamp = effectiveFrom. */
  static void publish(Map<String, Object> clientProps, MeteringConfig config, List<Tariff> tariffs, List<GpuRate> rates) {
    try (AvroRecordSender<Tariff> t = new AvroRecordSender<>(clientProps, config.topics().name(FactoryTopic.TARIFFS));
         AvroRecordSender<GpuRate> g = new AvroRecordSender<>(clientProps, config.topics().name(FactoryTopic.GPU_RATES))) {
      tariffs.forEach(v -> t.send(v.getSite(), v, v.getEffectiveFrom().toEpochMilli()));
      rates.forEach(v -> g.send(v.getGpuModel(), v, v.getEffectiveFrom().toEpochMilli()));
      t.flush();
      g.flush();
    }
  }

  /** Sends raw bytes to a topic (records no serializer would write, or bytes serialized earlier). */
  static void sendRaw(Map<String, Object> clientProps, String topic, String key, byte[] value, long timestampMs) {
    Map<String, Object> p = new HashMap<>();
    p.put("bootstrap.servers", clientProps.get("bootstrap.servers"));
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, null, timestampMs, key, value));
      producer.flush();
    }
  }

  /** {@code count} consecutive 10-second samples of a node from {@code start}. */
  static List<NodeSample> samples(String node, String site, String start, int count) {
    List<NodeSample> out = new ArrayList<>();
    Instant t = Instant.parse(start);
    for (int i = 0; i < count; i++) {
      out.add(NodeSample.newBuilder()
          .setNodeId(node).setClusterId("c1").setSite(site).setGpuModel(GPU).setGpuCount(8)
          .setTimestamp(t.plusSeconds(10L * i)).setIntervalMs(10_000).setPowerWatts(3_600).setEnergyJoules(null)
          .setTemperatureC(60f).setGpuUtilization(0.5f).setUsage(new ArrayList<>()).build());
    }
    return out;
  }

  static void send(Map<String, Object> clientProps, MeteringConfig config, List<NodeSample> samples) {
    try (AvroRecordSender<NodeSample> sender = new AvroRecordSender<>(clientProps, config.topics().telemetry())) {
      samples.forEach(s -> sender.send(s.getNodeId(), s, null));
      sender.flush();
    }
  }

  /** The latest node figures per key (nodeId|windowStart), read read_committed until the topic is quiet for 2 s. */
  static Map<String, NodeMetrics> nodeMetrics(Map<String, Object> clientProps, MeteringConfig config) {
    Map<String, Object> p = new HashMap<>(clientProps);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + System.nanoTime());
    p.put("specific.avro.reader", true);
    p.put("specific.avro.value.type", NodeMetrics.class);
    SchemaRegistryAvroDeserializer<NodeMetrics> values = new SchemaRegistryAvroDeserializer<>();
    values.configure(p, false);
    Map<String, NodeMetrics> latest = new TreeMap<>();
    try (KafkaConsumer<String, NodeMetrics> consumer = new KafkaConsumer<>(p, new StringDeserializer(), values)) {
      consumer.subscribe(List.of(config.topics().name(FactoryTopic.NODE_METRICS)));
      long quietSince = System.nanoTime();
      while (System.nanoTime() - quietSince < Duration.ofSeconds(2).toNanos()) {
        var records = consumer.poll(Duration.ofMillis(200));
        if (!records.isEmpty()) {
          quietSince = System.nanoTime();
        }
        records.forEach(r -> latest.put(r.key(), r.value()));
      }
    }
    return latest;
  }

  /** The figures of one node, by window start (ISO). */
  static Map<String, NodeMetrics> ofNode(Map<String, NodeMetrics> all, String node) {
    Map<String, NodeMetrics> mine = new TreeMap<>();
    all.forEach((k, v) -> {
      if (k.startsWith(node + "|")) {
        mine.put(k.substring(node.length() + 1), v);
      }
    });
    return mine;
  }
}
