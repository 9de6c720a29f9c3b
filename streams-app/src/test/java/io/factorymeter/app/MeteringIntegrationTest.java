package io.factorymeter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.producers.kafka.AvroRecordSender;
import io.factorymeter.producers.prices.PriceLoader;
import io.factorymeter.producers.simulate.FleetSimulator;
import io.factorymeter.producers.simulate.FleetSpec;
import io.factorymeter.registry.serde.SchemaRegistryAvroDeserializer;
import io.factorymeter.schema.FleetMetrics;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.Tariff;
import io.factorymeter.schema.UsageEntry;
import io.factorymeter.stack.LocalStackExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metering application on a real broker with exactly_once_v2: the simulator's samples
 * replayed twice give the same metrics as replayed once, the fleet's totals equal the samples'
 * (summed independently here), and every output topic is compacted and readable read_committed.
 */
class MeteringIntegrationTest {

  @RegisterExtension
  static final LocalStackExtension STACK = new LocalStackExtension();

  private static Map<String, Object> clientProps() {
    return STACK.clientProps();
  }

  /** A configuration whose topics all carry a prefix, so runs do not share data. */
  private static MeteringConfig config(String prefix) {
    Map<String, Object> p = new HashMap<>();
    for (FactoryTopic t : FactoryTopic.values()) {
      p.put(MeteringConfig.TOPIC_PREFIX + t.name().toLowerCase().replace('_', '-'), prefix + t.defaultName());
    }
    return MeteringConfig.from(p);
  }

  private static List<NodeSample> simulatedSamples() {
    FleetSimulator sim = new FleetSimulator(new FleetSpec(12, 3, 2, 4, 8, Duration.ofSeconds(10), 11L),
        Instant.parse("2026-11-26T08:00:00Z"));
    List<NodeSample> all = new ArrayList<>();
    for (int i = 0; i < 90; i++) {   // 15 minutes
      all.addAll(sim.step());
    }
    return all;
  }

  /** The example price list of the repository (examples/prices.jsonl). */
  private static void publishPrices(MeteringConfig config) throws IOException {
    try (AvroRecordSender<Tariff> t = new AvroRecordSender<>(clientProps(), config.topics().name(FactoryTopic.TARIFFS));
         AvroRecordSender<GpuRate> g = new AvroRecordSender<>(clientProps(), config.topics().name(FactoryTopic.GPU_RATES))) {
      new PriceLoader(t, g).publish(PriceLoader.read(Path.of("../examples/prices.jsonl")));
    }
  }

  private static void replay(MeteringConfig config, List<NodeSample> samples) {
    try (AvroRecordSender<NodeSample> sender = new AvroRecordSender<>(clientProps(), config.topics().telemetry())) {
      samples.forEach(s -> sender.send(s.getNodeId(), s, null));
      sender.flush();
    }
  }

  /** Latest value per key of a topic, read with read_committed, as generic records rendered to strings. */
  private static Map<String, String> latestByKey(String topic) {
    Map<String, Object> p = clientProps();
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + topic);
    SchemaRegistryAvroDeserializer<GenericRecord> values = new SchemaRegistryAvroDeserializer<>();
    values.configure(clientProps(), false);
    Map<String, String> latest = new TreeMap<>();
    try (KafkaConsumer<String, GenericRecord> consumer = new KafkaConsumer<>(p, new StringDeserializer(), values)) {
      consumer.subscribe(List.of(topic));
      long quietSince = System.nanoTime();
      while (System.nanoTime() - quietSince < Duration.ofSeconds(3).toNanos()) {
        var records = consumer.poll(Duration.ofMillis(200));
        if (!records.isEmpty()) {
          quietSince = System.nanoTime();
        }
        for (ConsumerRecord<String, GenericRecord> r : records) {
          latest.put(r.key(), String.valueOf(r.value()));
        }
      }
    }
    return latest;
  }

  private static Map<String, Map<String, String>> run(String prefix, List<NodeSample> samples, int times, Path stateDir)
      throws Exception {
    MeteringConfig config = config(prefix);
    MeteringApplication.provisionTopics(clientProps(), config);
    publishPrices(config);
    for (int i = 0; i < times; i++) {
      replay(config, samples);
    }
    String applicationId = prefix + "metering";
    try (MeteringApplication app = MeteringApplication.start(clientProps(), config,
        new MeteringApplication.Options(applicationId, stateDir, 2))) {
      assertTrue(app.awaitRunning(Duration.ofSeconds(60)), "application running");
      assertTrue(InputLag.awaitCaughtUp(clientProps(), applicationId, config.topics().telemetry(), Duration.ofSeconds(120)),
          applicationId + " caught up");
      Map<String, Double> counters = app.counters();
      assertEquals((double) samples.size() * times, counters.get("samples-in"));
      assertEquals((double) samples.size() * (times - 1), counters.get("duplicates"));
    }
    Map<String, Map<String, String>> outputs = new TreeMap<>();
    for (FactoryTopic t : List.of(FactoryTopic.NODE_METRICS, FactoryTopic.CLUSTER_METRICS, FactoryTopic.FLEET_METRICS)) {
      outputs.put(t.name(), latestByKey(config.topics().name(t)));
    }
    return outputs;
  }

  @Test
  void replayingTwiceGivesTheSameMetricsAsOnceAndEveryTopicHasItsPolicy(@TempDir Path dir) throws Exception {
    List<NodeSample> samples = simulatedSamples();
    Map<String, Map<String, String>> once = run("once.", samples, 1, Files.createDirectories(dir.resolve("once")));
    Map<String, Map<String, String>> twice = run("twice.", samples, 2, Files.createDirectories(dir.resolve("twice")));

    assertFalse(once.get("FLEET_METRICS").isEmpty());
    assertEquals(15, once.get("FLEET_METRICS").size(), "one fleet record per minute");
    assertEquals(15 * 3, once.get("CLUSTER_METRICS").size());
    assertEquals(once, twice, "value for value");

    // the fleet's totals against an independent sum over the samples
    Map<String, Object> p = clientProps();
    SchemaRegistryAvroDeserializer<FleetMetrics> fleetValues = new SchemaRegistryAvroDeserializer<>();
    p.put("specific.avro.value.type", FleetMetrics.class);
    fleetValues.configure(p, false);
    double energy = 0;
    long tokens = 0;
    for (NodeSample s : samples) {
      energy += s.getEnergyJoules() != null ? s.getEnergyJoules() : s.getPowerWatts() * s.getIntervalMs() / 1000.0;
      for (UsageEntry u : s.getUsage()) {
        tokens += u.getPromptTokens() + u.getCompletionTokens();
      }
    }
    double fleetEnergy = 0;
    long fleetTokens = 0;
    long fleetSamples = 0;
    Map<String, Object> c = clientProps();
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "fleet-check");
    Map<String, FleetMetrics> latest = new TreeMap<>();
    try (KafkaConsumer<String, FleetMetrics> consumer = new KafkaConsumer<>(c, new StringDeserializer(), fleetValues)) {
      consumer.subscribe(List.of("once.factory.metrics.fleet.1m"));
      long quietSince = System.nanoTime();
      while (System.nanoTime() - quietSince < Duration.ofSeconds(3).toNanos()) {
        var records = consumer.poll(Duration.ofMillis(200));
        if (!records.isEmpty()) {
          quietSince = System.nanoTime();
        }
        records.forEach(r -> latest.put(r.key(), r.value()));
      }
    }
    for (FleetMetrics f : latest.values()) {
      fleetEnergy += f.getEnergyJ();
      fleetTokens += f.getTokens();
      fleetSamples += f.getSamples();
      assertTrue(f.getTotalCost() != null && f.getTotalCost() > 0, "priced: " + f);
    }
    assertEquals(samples.size(), fleetSamples);
    assertEquals(tokens, fleetTokens);
    assertEquals(energy, fleetEnergy, energy * 1e-9);

    try (Admin admin = Admin.create(Map.of("bootstrap.servers", STACK.bootstrapServers()))) {
      for (FactoryTopic t : Set.of(FactoryTopic.NODE_METRICS, FactoryTopic.CLUSTER_METRICS, FactoryTopic.FLEET_METRICS,
          FactoryTopic.TELEMETRY_DLQ, FactoryTopic.TELEMETRY_LATE, FactoryTopic.TARIFFS, FactoryTopic.GPU_RATES,
          FactoryTopic.BILLING_HOURLY)) {
        String name = "once." + t.defaultName();
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, name);
        Config config = admin.describeConfigs(List.of(r)).all().get().get(r);
        boolean deadLetters = t == FactoryTopic.TELEMETRY_DLQ || t == FactoryTopic.TELEMETRY_LATE;
        // SPEC §4: dead letters and late samples are all kept (delete, 30 days); the rest is compacted
        assertEquals(deadLetters ? "delete" : "compact", config.get("cleanup.policy").value(), name);
        if (deadLetters) {
          assertEquals(Long.toString(30L * 24 * 3600 * 1000), config.get("retention.ms").value(), name);
        }
        assertEquals(Long.toString(Long.MAX_VALUE), config.get("message.timestamp.after.max.ms").value(), name);
      }
    }
  }
}
