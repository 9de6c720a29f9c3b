package io.factorymeter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.contract.Heartbeat;
import io.factorymeter.producers.simulate.FleetSimulator;
import io.factorymeter.producers.simulate.FleetSpec;
import io.factorymeter.schema.BillingLine;
import io.factorymeter.schema.ClusterMetrics;
import io.factorymeter.schema.FleetMetrics;
import io.factorymeter.schema.NodeMetrics;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.stack.LocalStackExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, scale-out (the short form for CI): the same input on 6 partitions, metered by 1, 2
 * and 3 instances of the application at once (each its own state directory, one application id),
 * gives the same node, cluster and fleet figures and the same billing records, revisions
 * included.
 */
class ScaleOutTest {

  @RegisterExtension
  static final LocalStackExtension STACK = new LocalStackExtension();
  private static final BrokerFixture BROKER = new BrokerFixture(STACK);
  private static final String INPUT = "scale.factory.telemetry";
  private static final Instant START = Instant.parse("2026-11-26T00:00:00Z");

  /** Outputs under {@code prefix}; input and prices shared. */
  private static MeteringConfig config(String prefix) {
    return BrokerFixture.configSharingInput(prefix, "scale.");
  }

  /** 90 minutes of 16 nodes at 20 s, then a heartbeat on every partition that closes both hours' bills. */
  private static List<NodeSample> produceInput() throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", STACK.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(INPUT, Optional.of(6), Optional.empty())
          .configs(FactoryTopic.TELEMETRY.configs()))).all().get();
    }
    MeteringConfig shared = config("scale.1.");
    MeteringApplication.provisionTopics(BROKER.clientProps(), shared);
    BROKER.publishPrices(shared);
    FleetSimulator sim = new FleetSimulator(new FleetSpec(16, 4, 2, 5, 8, Duration.ofSeconds(20), 7L), START);
    List<NodeSample> samples = new ArrayList<>();
    for (int i = 0; i < 270; i++) {
      samples.addAll(sim.step());
    }
    BROKER.send(shared, samples);
    long close = START.plus(Duration.ofMinutes(130)).toEpochMilli();
    try (KafkaProducer<String, byte[]> raw = BROKER.rawProducer()) {
      for (int p = 0; p < 6; p++) {
        raw.send(new ProducerRecord<>(INPUT, p, close, Heartbeat.KEY, null,
            new RecordHeaders().add(Heartbeat.HEADER, Heartbeat.headerValue(close)))).get();
      }
    }
    return samples;
  }

  /** Runs {@code instances} applications at once until the group has processed everything. */
  private static void run(MeteringConfig config, String applicationId, int instances, Path dir) throws Exception {
    List<MeteringApplication> apps = new ArrayList<>();
    try {
      for (int i = 0; i < instances; i++) {
        apps.add(MeteringApplication.start(BROKER.clientProps(), config,
            new MeteringApplication.Options(applicationId, Files.createDirectories(dir.resolve(applicationId + "-" + i)), 1)));
      }
      for (MeteringApplication app : apps) {
        assertTrue(app.awaitRunning(Duration.ofSeconds(120)), applicationId + " running");
      }
      assertTrue(InputLag.awaitCaughtUp(BROKER.clientProps(), applicationId, INPUT, Duration.ofSeconds(240)),
          applicationId + " caught up");
    } finally {
      apps.forEach(MeteringApplication::close);
    }
  }

  private static <V extends SpecificRecord> Map<String, String> latest(String topic, Class<V> type) {
    Map<String, String> out = new TreeMap<>();
    BROKER.latest(topic, type).forEach((k, v) -> out.put(k, v.toString()));
    return out;
  }

  /** Every billing record per key, in order. */
  private static Map<String, List<String>> billing(MeteringConfig config) {
    Map<String, List<String>> history = new TreeMap<>();
    for (ConsumerRecord<String, BillingLine> r : BROKER.readAll(config.topics().name(FactoryTopic.BILLING_HOURLY),
        BROKER.deserializer(BillingLine.class))) {
      history.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value().toString());
    }
    return history;
  }

  @Test
  void oneTwoAndThreeInstancesGiveTheSameFiguresAndBills(@TempDir Path dir) throws Exception {
    List<NodeSample> samples = produceInput();
    long nodeMinutes = samples.stream().map(x -> x.getNodeId() + "|" + x.getTimestamp().toEpochMilli() / 60_000).distinct().count();
    Map<Integer, MeteringConfig> configs = new TreeMap<>();
    for (int instances = 1; instances <= 3; instances++) {
      MeteringConfig config = config("scale." + instances + ".");
      MeteringApplication.provisionTopics(BROKER.clientProps(), config);
      run(config, "scale-" + instances, instances, dir);
      configs.put(instances, config);
    }
    MeteringConfig one = configs.get(1);
    Map<String, String> nodes = latest(one.topics().name(FactoryTopic.NODE_METRICS), NodeMetrics.class);
    Map<String, String> clusters = latest(one.topics().name(FactoryTopic.CLUSTER_METRICS), ClusterMetrics.class);
    Map<String, FleetMetrics> fleet = BROKER.latest(one.topics().name(FactoryTopic.FLEET_METRICS), FleetMetrics.class);
    Map<String, List<String>> bills = billing(one);
    assertEquals(nodeMinutes, nodes.size(), "one record per node and minute with samples");
    // 90 minutes with samples, then the windows whose nodes are still known (SPEC §4, 1 h horizon)
    // up to the last one settled by the closing heartbeat at 02:10: 01:30 .. 02:07, 38 more
    assertEquals(4 * (90 + 38), clusters.size());
    assertEquals(90 + 38, fleet.size());
    assertEquals(samples.size(), fleet.values().stream().mapToLong(FleetMetrics::getSamples).sum(), "every sample in the fleet");
    assertTrue(bills.keySet().stream().anyMatch(k -> k.endsWith("T01:00:00Z")), "the second hour billed");
    for (int instances = 2; instances <= 3; instances++) {
      MeteringConfig other = configs.get(instances);
      assertEquals(nodes, latest(other.topics().name(FactoryTopic.NODE_METRICS), NodeMetrics.class), instances + " instances: nodes");
      assertEquals(clusters, latest(other.topics().name(FactoryTopic.CLUSTER_METRICS), ClusterMetrics.class),
          instances + " instances: clusters");
      Map<String, String> fleetText = new TreeMap<>();
      fleet.forEach((k, v) -> fleetText.put(k, v.toString()));
      assertEquals(fleetText, latest(other.topics().name(FactoryTopic.FLEET_METRICS), FleetMetrics.class),
          instances + " instances: fleet");
      assertEquals(bills, billing(other), instances + " instances: every billing record");
    }
  }
}
