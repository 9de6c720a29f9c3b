package io.factorymeter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.http.OpsServer;
import io.factorymeter.app.http.OpsServerTest;
import io.factorymeter.app.http.PipelineMeters;
import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.producers.simulate.FleetSimulator;
import io.factorymeter.producers.simulate.FleetSpec;
import io.factorymeter.registry.serde.SchemaRegistryAvroDeserializer;
import io.factorymeter.schema.FleetMetrics;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.UsageEntry;
import io.factorymeter.stack.LocalStackExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import io.factorymeter.app.config.AlertConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metering application on a real broker with exactly_once_v2: the simulator's samples
 * replayed twice give the same metrics as replayed once, the fleet's totals equal the samples'
 * (summed independently here), the same alerts (latest per key) are raised, and every output topic
 * is compacted and readable read_committed.
 */
class MeteringIntegrationTest {

  @RegisterExtension
  static final LocalStackExtension STACK = new LocalStackExtension();

  private static final BrokerFixture BROKER = new BrokerFixture(STACK);

  private static Map<String, Object> clientProps() {
    return STACK.clientProps();
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

  /** Latest value per key of a topic, read with read_committed, as generic records rendered to strings. */
  private static Map<String, String> latestByKey(String topic) {
    SchemaRegistryAvroDeserializer<GenericRecord> values = new SchemaRegistryAvroDeserializer<>();
    values.configure(clientProps(), false);
    Map<String, String> latest = new TreeMap<>();
    BROKER.readAll(topic, values).forEach(r -> latest.put(r.key(), String.valueOf(r.value())));
    return latest;
  }

  private static Map<String, Map<String, String>> run(String prefix, List<NodeSample> samples, int times, Path stateDir)
      throws Exception {
    // alert thresholds low enough that 15 minutes of the simulated fleet raise alerts
    MeteringConfig config = BrokerFixture.config(prefix)
        .withAlerts(new AlertConfig(Duration.ofSeconds(30), 50.0, 3, 0.9, Duration.ofMinutes(10), 0.99));
    MeteringApplication.provisionTopics(clientProps(), config);
    BROKER.publishPrices(config);
    for (int i = 0; i < times; i++) {
      BROKER.send(config, samples);
    }
    String applicationId = prefix + "metering";
    try (MeteringApplication app = MeteringApplication.start(clientProps(), config,
        new MeteringApplication.Options(applicationId, stateDir, 2));
        PipelineMeters meters = new PipelineMeters(app.streams(), Duration.ofSeconds(1));
        OpsServer http = OpsServer.start("127.0.0.1", 0, () -> app.streams().state(), meters.registry())) {
      assertTrue(app.awaitRunning(Duration.ofSeconds(60)), "application running");
      assertTrue(InputLag.awaitCaughtUp(clientProps(), applicationId, config.topics().telemetry(), Duration.ofSeconds(120)),
          applicationId + " caught up");
      Map<String, Double> counters = app.counters();
      assertEquals((double) samples.size() * times, counters.get("samples-in"));
      assertEquals((double) samples.size() * (times - 1), counters.get("duplicates"));
      // the same counts through HTTP in the Prometheus text format, summed over the tasks' series
      // (a task's counters are bound at the binder's next look, here every second)
      String metrics = OpsServerTest.get(http.port(), "/metrics").body();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!metrics.contains("kafka_stream_factory_meter_samples_in_total{") && System.nanoTime() < deadline) {
        Thread.sleep(500);
        metrics = OpsServerTest.get(http.port(), "/metrics").body();
      }
      Thread.sleep(1_500);   // and the last task's
      metrics = OpsServerTest.get(http.port(), "/metrics").body();
      assertEquals((double) samples.size() * times, OpsServerTest.sum(metrics, "kafka_stream_factory_meter_samples_in_total"), metrics);
      assertEquals((double) samples.size() * (times - 1), OpsServerTest.sum(metrics, "kafka_stream_factory_meter_duplicates_total"));
      assertEquals(200, OpsServerTest.get(http.port(), "/health/ready").statusCode());
    }
    Map<String, Map<String, String>> outputs = new TreeMap<>();
    for (FactoryTopic t : List.of(FactoryTopic.NODE_METRICS, FactoryTopic.CLUSTER_METRICS, FactoryTopic.FLEET_METRICS,
        FactoryTopic.ALERTS)) {
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
    assertTrue(once.get("ALERTS").values().stream().anyMatch(a -> a.contains("\"RESOLVED\"")), "alerts opened and resolved");
    assertEquals(once, twice, "value for value");

    // the fleet's totals against an independent sum over the samples
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
    Map<String, FleetMetrics> latest = BROKER.latest("once.factory.metrics.fleet.1m", FleetMetrics.class);
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
          FactoryTopic.BILLING_HOURLY, FactoryTopic.ALERTS)) {
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
