package io.factorymeter.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.contract.Heartbeat;
import io.factorymeter.producers.simulate.FleetSimulator;
import io.factorymeter.producers.simulate.FleetSpec;
import io.factorymeter.app.ledger.LedgerHours;
import io.factorymeter.schema.BillingLine;
import io.factorymeter.schema.LedgerHour;
import io.factorymeter.schema.FleetMetrics;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.Tariff;
import io.factorymeter.schema.UsageEntry;
import io.factorymeter.producers.kafka.AvroRecordSender;
import io.factorymeter.stack.LocalStackExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8 §4: the same input gives the same bill. Three input partitions, two stream threads, a
 * late batch of samples for an hour already closed, read once in one go and once in two runs with
 * a stop between: every billing record (key, revision, values, in order) and every fleet figure
 * is the same. Before revisions were decided by each partition's own stream time, whether the late
 * samples went into revision 1 or a restatement depended on when the other partitions' progress
 * reached the billing task.
 */
class BillingDeterminismTest {

  @RegisterExtension
  static final LocalStackExtension STACK = new LocalStackExtension();
  private static final BrokerFixture BROKER = new BrokerFixture(STACK);
  private static final String INPUT = "determinism.factory.telemetry";
  private static final Instant DAY = Instant.parse("2026-11-26T00:00:00Z");

  /** Outputs under {@code prefix}; input and prices shared by both runs. */
  private static MeteringConfig config(String prefix) {
    return BrokerFixture.configSharingInput(prefix, "determinism.");
  }

  private static void heartbeats(long at) throws Exception {
    try (KafkaProducer<String, byte[]> raw = BROKER.rawProducer()) {
      for (int p = 0; p < raw.partitionsFor(INPUT).size(); p++) {
        raw.send(new ProducerRecord<>(INPUT, p, at, Heartbeat.KEY, null,
            new RecordHeaders().add(Heartbeat.HEADER, Heartbeat.headerValue(at)))).get();
      }
    }
  }

  private static NodeSample sample(String node, Instant at, String tenant, String model) {
    return NodeSample.newBuilder().setNodeId(node).setClusterId("cluster-x").setSite("site-a")
        .setGpuModel("H100-SXM5-80GB").setGpuCount(8).setTimestamp(at).setIntervalMs(60_000).setPowerWatts(4_000)
        .setEnergyJoules(null).setTemperatureC(55f).setGpuUtilization(0.4f)
        .setUsage(new ArrayList<>(List.of(new UsageEntry(tenant, model, 1_000L, 3_000L)))).build();
  }

  /** The first part: two hours of 12 nodes, then heartbeats that close both hours. */
  private static void firstPart(FleetSimulator sim, MeteringConfig config) throws Exception {
    List<NodeSample> samples = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      samples.addAll(sim.step());
      if (i >= 60) {
        samples.add(sample("extra", DAY.plus(Duration.ofMinutes(i)), "tenant-x", "model-x"));
      }
    }
    BROKER.send(config, samples);
    heartbeats(DAY.plus(Duration.ofMinutes(130)).toEpochMilli());
  }

  /** The second part: late samples of four more nodes for the closed hour 01:00, then the third hour. */
  private static void secondPart(FleetSimulator sim, MeteringConfig config) throws Exception {
    List<NodeSample> late = new ArrayList<>();
    for (int n = 0; n < 4; n++) {
      for (int m = 0; m < 60; m += 5) {
        NodeSample s = sample("late-" + n, DAY.plus(Duration.ofMinutes(60 + m)), "tenant-late", "model-late");
        s.getUsage().add(new UsageEntry("tenant-x", "model-x", 10L, 30L));
        late.add(s);
      }
    }
    BROKER.send(config, late);
    List<NodeSample> third = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      third.addAll(sim.step());
    }
    BROKER.send(config, third);
    heartbeats(DAY.plus(Duration.ofMinutes(190)).toEpochMilli());
  }

  private static void runUntilCaughtUp(MeteringConfig config, String applicationId, Path stateDir) throws Exception {
    try (MeteringApplication app = MeteringApplication.start(BROKER.clientProps(), config,
        new MeteringApplication.Options(applicationId, stateDir, 2))) {
      assertTrue(app.awaitRunning(Duration.ofSeconds(120)), applicationId + " running");
      assertTrue(InputLag.awaitCaughtUp(BROKER.clientProps(), applicationId, INPUT, Duration.ofSeconds(180)),
          applicationId + " caught up");
    }
  }

  /** Every billing record per key, in order: revision and values. */
  private static Map<String, List<String>> billingHistory(MeteringConfig config) {
    Map<String, List<String>> history = new TreeMap<>();
    for (ConsumerRecord<String, BillingLine> r : BROKER.readAll(config.topics().name(FactoryTopic.BILLING_HOURLY),
        BROKER.deserializer(BillingLine.class))) {
      history.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value().toString());
    }
    return history;
  }

  @Test
  void linesAndRevisionsDependOnTheInputAloneNotOnTimingThreadsOrRestarts(@TempDir Path dir) throws Exception {
    MeteringConfig interrupted = config("determinism.interrupted.");
    MeteringConfig whole = config("determinism.whole.");
    MeteringApplication.provisionTopics(BROKER.clientProps(), interrupted);
    MeteringApplication.provisionTopics(BROKER.clientProps(), whole);
    BROKER.publishPrices(interrupted);
    FleetSimulator sim = new FleetSimulator(new FleetSpec(12, 3, 2, 4, 8, Duration.ofSeconds(60), 5L), DAY);

    Path interruptedState = Files.createDirectories(dir.resolve("interrupted"));
    firstPart(sim, interrupted);
    runUntilCaughtUp(interrupted, "determinism-interrupted", interruptedState);   // stopped in the middle
    // SPEC §2a: the final tariff of site-a from 01:00 is 0.170 /kWh, not 0.085, published at 02:30 of
    // event time, after the first run billed 01:00 (at 02:10). The whole run finds it in the store from
    // the start; both must restate at 02:31 the same way.
    publishCorrection(interrupted);
    secondPart(sim, interrupted);
    runUntilCaughtUp(interrupted, "determinism-interrupted", interruptedState);
    runUntilCaughtUp(whole, "determinism-whole", Files.createDirectories(dir.resolve("whole")));

    Map<String, List<String>> once = billingHistory(whole);
    Map<String, List<String>> twice = billingHistory(interrupted);
    assertEquals(once, twice, "every billing record, revisions included");

    // the late samples restated the closed hour: tenant-late's line first appears as revision 1, and
    // tenant-x of hour 01:00, billed at 02:10, is restated with revision 2
    String lateKey = "tenant-late|model-late|2026-11-26T01:00:00Z";
    assertEquals(2, once.get(lateKey).size(), "first billed at the late batch's close (02:11), then restated by the correction");
    assertTrue(once.get(lateKey).get(0).contains("\"revision\": 1"), once.get(lateKey).get(0));
    assertTrue(once.get(lateKey).get(1).contains("\"revision\": 2"), once.get(lateKey).get(1));
    List<String> restated = once.get("tenant-x|model-x|2026-11-26T01:00:00Z");
    assertEquals(3, restated.size(), "billed once at the close, restated for the late batch, then for the correction");
    assertTrue(restated.get(1).contains("\"revision\": 2"), restated.get(1));
    assertTrue(restated.get(2).contains("\"revision\": 3"), restated.get(2));
    // every sample of tenant-x is of site-a after 01:00: the correction doubles its energy cost and
    // leaves its energy and capacity cost as they were
    BillingLine late = lastLine(whole, "tenant-x|model-x|2026-11-26T01:00:00Z", 2);
    BillingLine corrected = lastLine(whole, "tenant-x|model-x|2026-11-26T01:00:00Z", 3);
    assertEquals(late.getEnergyJ(), corrected.getEnergyJ());
    assertEquals(late.getCapacityCost(), corrected.getCapacityCost());
    assertEquals(2 * late.getEnergyCost(), corrected.getEnergyCost(), 1e-11);
    // 00:00 lies before the correction: no line of it is restated
    once.forEach((key, records) -> {
      if (key.endsWith("T00:00:00Z")) {
        assertEquals(1, records.size(), key);
      }
    });

    Map<String, FleetMetrics> fleetOnce = BROKER.latest(whole.topics().name(FactoryTopic.FLEET_METRICS), FleetMetrics.class);
    Map<String, FleetMetrics> fleetTwice = BROKER.latest(interrupted.topics().name(FactoryTopic.FLEET_METRICS), FleetMetrics.class);
    // 3 hours with samples, then 03:00 .. 03:07, settled by the heartbeat at 03:10, whose nodes
    // reported within the hour (SPEC §4 nodesKnown)
    assertEquals(180 + 8, fleetOnce.size());
    assertEquals(fleetOnce, fleetTwice);

    // the intake ledger (issue 11): the same records, revisions included, in both runs
    Map<String, List<LedgerHour>> ledgerOnce = ledgerHistory(whole);
    assertEquals(ledgerOnce, ledgerHistory(interrupted), "every ledger record, revisions included");
    assertLedgerAccountsForTheInput(ledgerOnce);
  }

  private static void publishCorrection(MeteringConfig config) {
    try (AvroRecordSender<Tariff> t = new AvroRecordSender<>(BROKER.clientProps(), config.topics().name(FactoryTopic.TARIFFS))) {
      Instant from = DAY.plus(Duration.ofHours(1));
      t.send("site-a", new Tariff("site-a", "USD", 0.170, 1.25, from, DAY.plus(Duration.ofMinutes(150))), from.toEpochMilli());
      t.flush();
    }
  }

  /** The record of revision {@code revision} of the billing line {@code key}. */
  private static BillingLine lastLine(MeteringConfig config, String key, int revision) {
    return BROKER.readAll(config.topics().name(FactoryTopic.BILLING_HOURLY), BROKER.deserializer(BillingLine.class)).stream()
        .filter(r -> r.key().equals(key) && r.value().getRevision() == revision).map(ConsumerRecord::value).findFirst()
        .orElseThrow();
  }

  /** Every ledger record per key, in order. */
  private static Map<String, List<LedgerHour>> ledgerHistory(MeteringConfig config) {
    Map<String, List<LedgerHour>> history = new TreeMap<>();
    for (ConsumerRecord<String, LedgerHour> r : BROKER.readAll(config.topics().name(FactoryTopic.LEDGER_HOURLY),
        BROKER.deserializer(LedgerHour.class))) {
      history.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
    }
    return history;
  }

  /**
   * By hand from what was sent: 00:00 holds 60 steps x 12 nodes = 720 samples; 01:00 720 + 60 of
   * node "extra" = 780 when it closed at 02:10, then the 4 late nodes' 48 samples (late for
   * metrics) restated it to 828; 02:00 holds 720 and the heartbeats at 02:10, one per partition,
   * of which the 12 nodes' samples of 02:00 .. 02:07 (96) came after those heartbeats had closed
   * their windows (window end + 2 min grace <= 02:10): late for metrics; 03:00 has not closed (it
   * closes at 04:10). Nothing was invalid, duplicated or too late.
   */
  private static void assertLedgerAccountsForTheInput(Map<String, List<LedgerHour>> history) {
    Map<Instant, long[]> firstAndLast = new TreeMap<>();   // hour -> {metered at revision 1, metered at the last, late, heartbeats}
    int partitions = 0;
    for (List<LedgerHour> revisions : history.values()) {
      LedgerHour first = revisions.get(0);
      LedgerHour last = revisions.get(revisions.size() - 1);
      assertEquals(1, first.getRevision());
      assertEquals(revisions.size(), last.getRevision(), "revisions 1, 2, ... " + revisions);
      for (LedgerHour h : revisions) {
        assertEquals(java.util.Optional.empty(), LedgerHours.imbalance(h), h.toString());
        assertEquals(0, h.getDuplicates() + h.getDeadLetters() + h.getTooLate(), h.toString());
      }
      long[] sums = firstAndLast.computeIfAbsent(first.getPeriodStart(), k -> new long[4]);
      sums[0] += first.getMetered();
      sums[1] += last.getMetered();
      sums[2] += last.getLateForMetrics();
      sums[3] += last.getHeartbeats();
      partitions = Math.max(partitions, first.getPartition() + 1);
    }
    assertEquals(3, partitions);
    assertEquals(List.of(DAY, DAY.plus(Duration.ofHours(1)), DAY.plus(Duration.ofHours(2))), List.copyOf(firstAndLast.keySet()));
    assertArrayEquals(new long[] {720, 720, 0, 0}, firstAndLast.get(DAY), "00:00");
    assertArrayEquals(new long[] {780, 828, 48, 0}, firstAndLast.get(DAY.plus(Duration.ofHours(1))), "01:00");
    assertArrayEquals(new long[] {720, 720, 8 * 12, 3}, firstAndLast.get(DAY.plus(Duration.ofHours(2))), "02:00");
  }
}
