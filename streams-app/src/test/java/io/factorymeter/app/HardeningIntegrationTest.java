package io.factorymeter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.deadletter.DeadLetterHeaders;
import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.contract.Heartbeat;
import io.factorymeter.producers.kafka.AvroRecordSender;
import io.factorymeter.schema.BillingLine;
import io.factorymeter.schema.FleetMetrics;
import io.factorymeter.schema.NodeMetrics;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.UsageEntry;
import io.factorymeter.stack.LocalStackExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8 §2 and §4 on a real broker with stock timestamp limits: records that used to stop the
 * application (a sum beyond the fixed point's capacity, a dead letter the broker refuses, event
 * time ahead of the broker's clock, a schema registry outage) end in the dead-letter topic or
 * wait, and the application goes on.
 */
class HardeningIntegrationTest {

  @RegisterExtension
  static final LocalStackExtension STACK = new LocalStackExtension();
  private static final BrokerFixture BROKER = new BrokerFixture(STACK);
  private static final Duration WAIT = Duration.ofSeconds(120);

  @TempDir
  Path stateDir;

  private static NodeSample.Builder sample(String nodeId, Instant at) {
    return NodeSample.newBuilder().setNodeId(nodeId).setClusterId("c1").setSite("site-a").setGpuModel("H100-SXM5-80GB")
        .setGpuCount(8).setTimestamp(at).setIntervalMs(60_000).setPowerWatts(5_600).setEnergyJoules(null)
        .setTemperatureC(60f).setGpuUtilization(0.5f).setUsage(new ArrayList<>(List.of(new UsageEntry("t1", "m1", 100L, 900L))));
  }

  private MeteringApplication start(String prefix, MeteringConfig config) throws InterruptedException {
    MeteringApplication app = MeteringApplication.start(BROKER.clientProps(), config,
        new MeteringApplication.Options(prefix + "app", stateDir, 1));
    assertTrue(app.awaitRunning(WAIT), "running");
    return app;
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      Thread.sleep(500);
    }
  }

  private static String header(ConsumerRecord<?, ?> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  /**
   * 1,300 nodes of 1,024 GPUs at 2,000 W each, one hour-long sample each, all in one minute: every
   * sample is valid (7.3728e9 J, the most one sample may hold), but the fleet's energy of that
   * minute exceeds what a signed 64-bit sum of microjoules holds after 1,250 of them
   * (9.223e18 / 7.3728e15 = 1,250.99). Before the processing exception handler, the overflow
   * in the fleet, cluster and billing sums stopped the application on every restart. Now each
   * record that overflows a sum goes to the dead-letter topic as PROCESSING_ERROR, the
   * application goes on, and a sample of a later minute is metered.
   */
  @Test
  void aSumBeyondTheFixedPointsCapacityDeadLettersTheRecordAndTheApplicationGoesOn() throws Exception {
    MeteringConfig config = BrokerFixture.config("capacity.");
    MeteringApplication.provisionTopics(BROKER.clientProps(), config);
    BROKER.publishPrices(config);
    Instant minute = Instant.parse("2026-11-26T10:00:00Z");
    List<NodeSample> huge = new ArrayList<>();
    for (int i = 0; i < 1_300; i++) {
      huge.add(sample(String.format("big-%04d", i), minute).setGpuCount(1_024).setIntervalMs(3_600_000)
          .setPowerWatts(2_048_000).setEnergyJoules(7.3728e9).setUsage(new ArrayList<>()).build());
    }
    BROKER.send(config, huge);
    BROKER.send(config, List.of(sample("after", minute.plus(70, ChronoUnit.MINUTES)).build()));
    try (MeteringApplication app = start("capacity.", config)) {
      String dlq = config.topics().name(FactoryTopic.TELEMETRY_DLQ);
      String nodeMetrics = config.topics().name(FactoryTopic.NODE_METRICS);
      await("the later sample's node metrics", () -> BROKER.latest(nodeMetrics, NodeMetrics.class)
          .containsKey("after|2026-11-26T11:10:00Z"));
      List<ConsumerRecord<String, byte[]>> dead = BROKER.readRaw(dlq);
      assertTrue(dead.size() >= 3, "fleet, cluster and billing sums each overflowed at least once: " + dead.size());
      for (ConsumerRecord<String, byte[]> r : dead) {
        assertEquals("PROCESSING_ERROR", header(r, DeadLetterHeaders.REASON));
        assertTrue(header(r, DeadLetterHeaders.DETAIL).contains("ArithmeticException"), header(r, DeadLetterHeaders.DETAIL));
        assertTrue(header(r, DeadLetterHeaders.SOURCE_TOPIC).endsWith("-repartition"), header(r, DeadLetterHeaders.SOURCE_TOPIC));
        assertNotNull(header(r, DeadLetterHeaders.FAILED_AT));
      }
      assertEquals(KafkaStreams.State.RUNNING, app.streams().state());
      // every node's own window took its sample: 1,300 node records for the minute
      long nodes = BROKER.latest(nodeMetrics, NodeMetrics.class).keySet().stream().filter(k -> k.startsWith("big-")).count();
      assertEquals(1_300, nodes);
    }
  }

  /**
   * A dead-letter topic whose broker limit is smaller than the dead letter (an operator set
   * max.message.bytes to 20,000; the invalid record is 100,000 bytes): the broker refused the dead
   * letter, which aborted the transaction and stopped the application on every restart. Now the
   * application reads the topic's limit at start and cuts the dead letter to fit: its header says
   * how long the value was, its source headers point at the whole original, and the next sample
   * is metered.
   */
  @Test
  void aDeadLetterIsCutToFitTheDeadLetterTopicsOwnLimit() throws Exception {
    MeteringConfig config = BrokerFixture.config("refused.");
    String dlq = config.topics().name(FactoryTopic.TELEMETRY_DLQ);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", STACK.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(dlq, Optional.empty(), Optional.empty()).configs(Map.of(
          TopicConfig.CLEANUP_POLICY_CONFIG, "delete", TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "20000")))).all().get();
    }
    MeteringApplication.provisionTopics(BROKER.clientProps(), config);
    BROKER.publishPrices(config);
    long badOffset;
    try (KafkaProducer<String, byte[]> raw = BROKER.rawProducer()) {
      byte[] junk = new byte[100_000];
      junk[0] = 7;   // not the wire format's magic byte
      junk[99_999] = 42;
      badOffset = raw.send(new ProducerRecord<>(config.topics().telemetry(), "n1", junk)).get().offset();
    }
    Instant at = Instant.parse("2026-11-26T10:00:00Z");
    BROKER.send(config, List.of(sample("n1", at).build()));
    try (MeteringApplication app = start("refused.", config)) {
      String nodeMetrics = config.topics().name(FactoryTopic.NODE_METRICS);
      await("n1's metrics", () -> BROKER.latest(nodeMetrics, NodeMetrics.class).containsKey("n1|2026-11-26T10:00:00Z"));
      List<ConsumerRecord<String, byte[]>> dead = BROKER.readRaw(dlq);
      assertEquals(1, dead.size());
      ConsumerRecord<String, byte[]> cut = dead.get(0);
      assertEquals("DESERIALIZATION", header(cut, DeadLetterHeaders.REASON));
      assertEquals("100000", header(cut, DeadLetterHeaders.VALUE_TRUNCATED));
      assertEquals(config.topics().telemetry(), header(cut, DeadLetterHeaders.SOURCE_TOPIC));
      assertEquals(Long.toString(badOffset), header(cut, DeadLetterHeaders.SOURCE_OFFSET));
      assertEquals("n1", cut.key());
      assertTrue(cut.value().length > 10_000 && cut.value().length < 20_000, "cut to fit: " + cut.value().length);
      assertEquals(7, cut.value()[0], "the beginning of the original");
      assertEquals(KafkaStreams.State.RUNNING, app.streams().state());
    }
  }

  /**
   * SPEC §4 changed: the dead-letter topic is no longer compacted. One left compacted by an earlier
   * version (compaction by node would erase all but one dead letter per node) stops the start
   * with one message that says how to migrate it.
   */
  @Test
  void aCompactedDeadLetterTopicFromAnEarlierVersionStopsTheStartWithTheMigrationCommand() throws Exception {
    MeteringConfig config = BrokerFixture.config("migrate.");
    String dlq = config.topics().name(FactoryTopic.TELEMETRY_DLQ);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", STACK.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(dlq, Optional.empty(), Optional.empty()).configs(Map.of(
          TopicConfig.CLEANUP_POLICY_CONFIG, "compact")))).all().get();
    }
    IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> MeteringApplication.provisionTopics(BROKER.clientProps(), config));
    assertEquals("Topic migrate.factory.telemetry.dlq exists with cleanup.policy=compact but must have cleanup.policy=delete;"
        + " change it with kafka-configs.sh --bootstrap-server HOST:PORT --alter --entity-type topics --entity-name"
        + " migrate.factory.telemetry.dlq --add-config cleanup.policy=delete,retention.ms=2592000000, or configure another"
        + " topic name", e.getMessage());
  }

  /**
   * A stock Kafka 4 broker refuses records more than an hour ahead of its clock; outputs carry
   * event time, and a sped-up simulation runs two days ahead. Every topic the application makes,
   * internal ones included, accepts them: metrics and the bill come out.
   */
  @Test
  void eventTimeDaysAheadOfTheBrokersClockIsMeteredAndBilled() throws Exception {
    MeteringConfig config = BrokerFixture.config("ahead.");
    MeteringApplication.provisionTopics(BROKER.clientProps(), config);
    BROKER.publishPrices(config);
    Instant hour = Instant.now().plus(2, ChronoUnit.DAYS).truncatedTo(ChronoUnit.HOURS);
    try (AvroRecordSender<NodeSample> sender = new AvroRecordSender<>(BROKER.clientProps(), config.topics().telemetry())) {
      for (int m = 0; m < 3; m++) {
        Instant at = hour.plus(m, ChronoUnit.MINUTES);
        // the simulated clock: record timestamp = event time
        sender.send("n1", sample("n1", at).build(), at.toEpochMilli());
      }
      sender.flush();
    }
    long close = hour.plus(70, ChronoUnit.MINUTES).toEpochMilli();
    try (KafkaProducer<String, byte[]> raw = BROKER.rawProducer()) {
      // to every partition: a billing period closes when every input partition has passed it
      for (int p = 0; p < raw.partitionsFor(config.topics().telemetry()).size(); p++) {
        raw.send(new ProducerRecord<>(config.topics().telemetry(), p, close, Heartbeat.KEY, null,
            new RecordHeaders().add(Heartbeat.HEADER, Heartbeat.headerValue(close)))).get();
      }
    }
    try (MeteringApplication app = start("ahead.", config)) {
      String billing = config.topics().name(FactoryTopic.BILLING_HOURLY);
      await("the bill", () -> !BROKER.latest(billing, BillingLine.class).isEmpty());
      BillingLine line = BROKER.latest(billing, BillingLine.class).get("t1|m1|" + hour);
      assertEquals(300, line.getPromptTokens());
      assertEquals(2_700, line.getCompletionTokens());
      // 3 samples x 5,600 W x 60 s
      assertEquals(3 * 5_600 * 60.0, line.getEnergyJ(), 1e-6);
      // minutes 0 .. 2 with samples, and up to 59 min after the last, while n1 is still known
      // (SPEC §4 nodesKnown, 1 h horizon): windows 0 .. 61
      String fleetTopic = config.topics().name(FactoryTopic.FLEET_METRICS);
      await("the fleet's windows", () -> BROKER.latest(fleetTopic, FleetMetrics.class).size() >= 62);
      Map<String, FleetMetrics> fleet = BROKER.latest(fleetTopic, FleetMetrics.class);
      assertEquals(62, fleet.size());
      assertEquals(0, BROKER.readRaw(config.topics().name(FactoryTopic.TELEMETRY_DLQ)).size());
      assertEquals(KafkaStreams.State.RUNNING, app.streams().state());
    }
  }

  /**
   * Issue 8 §4: while the schema registry is unreachable, valid samples used to be dead-lettered
   * as DESERIALIZATION and left out of the bill (the application starts during the outage, so
   * the samples' schema is not cached yet). Now they wait: nothing is dead-lettered or
   * metered during the outage, and all six are metered once the registry is back.
   */
  @Test
  void samplesWaitForAnUnavailableRegistryAndAreNeverDeadLettered() throws Exception {
    MeteringConfig config = BrokerFixture.config("outage.");
    MeteringApplication.provisionTopics(BROKER.clientProps(), config);
    // no prices: reading prices waits for the registry before the application starts (PriceRegistryOutageTest);
    // here the samples are what meets the outage
    List<NodeSample> six = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      six.add(sample("n" + i, Instant.parse("2026-11-26T10:00:00Z")).build());
    }
    BROKER.send(config, six);
    String dlq = config.topics().name(FactoryTopic.TELEMETRY_DLQ);
    String nodeMetrics = config.topics().name(FactoryTopic.NODE_METRICS);
    STACK.stack().stopRegistry();
    try (MeteringApplication app = MeteringApplication.start(BROKER.clientProps(), config,
        new MeteringApplication.Options("outage.app", stateDir, 1))) {
      Thread.sleep(30_000);   // a while of outage: the intake's own wait (20 s) has run out at least once
      assertTrue(BROKER.readRaw(dlq).isEmpty(), "nothing dead-lettered during the outage");
      assertTrue(BROKER.readRaw(nodeMetrics).isEmpty(), "nothing metered during the outage");
      assertEquals(0.0, app.counters().get("invalid-deserialization"));
      STACK.stack().startRegistry();
      await("six node records", () -> BROKER.latest(nodeMetrics, NodeMetrics.class).size() == 6);
      assertTrue(BROKER.readRaw(dlq).isEmpty(), "nothing dead-lettered after it");
      assertTrue(app.awaitRunning(WAIT));
    } finally {
      STACK.stack().startRegistry();
    }
  }
}
