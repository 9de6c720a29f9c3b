package io.factorymeter.app.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.app.FactoryTopology;
import io.factorymeter.app.TestDrivers;
import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.serde.AppSerdes;
import io.factorymeter.contract.Heartbeat;
import io.factorymeter.producers.simulate.FleetSimulator;
import io.factorymeter.producers.simulate.FleetSpec;
import io.factorymeter.schema.BillingLine;
import io.factorymeter.schema.FleetMetrics;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.NodeMetrics;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.Tariff;
import io.factorymeter.schema.UsageEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Billing attribution, closing and restatement (SPEC §3, §4), with expected values worked out by hand. */
class BillingTopologyTest {

  /** Energy is rounded to 1e-6 J and money to 1e-12 units per sample. */
  private static final double JOULE_EPS = 1e-5;
  private static final double MONEY_EPS = 1e-9;

  private TopologyTestDriver driver;
  private AppSerdes serdes;
  private Serde<NodeSample> samples;
  private TestInputTopic<String, byte[]> telemetry;
  private TestOutputTopic<String, BillingLine> billing;
  private TestOutputTopic<String, FleetMetrics> fleet;
  private TestOutputTopic<String, byte[]> late;
  private TestOutputTopic<String, NodeMetrics> nodeMetrics;

  @BeforeEach
  void start() throws Exception {
    start(MeteringConfig.defaults());
  }

  void start(MeteringConfig config) throws Exception {
    if (driver != null) {
      driver.close();
    }
    serdes = new AppSerdes(Map.of("schema.registry.url", TestDrivers.registryUrl()));
    samples = serdes.values(NodeSample.class);
    driver = TestDrivers.driver(FactoryTopology.build(config, serdes));
    telemetry = driver.createInputTopic("factory.telemetry", new StringSerializer(), new ByteArraySerializer());
    billing = driver.createOutputTopic("factory.billing.hourly", new StringDeserializer(), serdes.values(BillingLine.class).deserializer());
    fleet = driver.createOutputTopic("factory.metrics.fleet.1m", new StringDeserializer(), serdes.values(FleetMetrics.class).deserializer());
    late = driver.createOutputTopic("factory.telemetry.late", new StringDeserializer(), new ByteArrayDeserializer());
    nodeMetrics = driver.createOutputTopic("factory.metrics.node.1m", new StringDeserializer(), serdes.values(NodeMetrics.class).deserializer());
    TestInputTopic<String, byte[]> tariffs = driver.createInputTopic("factory.tariffs", new StringSerializer(), new ByteArraySerializer());
    TestInputTopic<String, byte[]> rates = driver.createInputTopic("factory.gpu-rates", new StringSerializer(), new ByteArraySerializer());
    Instant from = Instant.parse("2026-11-01T00:00:00Z");
    for (String site : List.of("s1", "site-a", "site-b")) {
      tariffs.pipeInput(site, serdes.values(Tariff.class).serializer().serialize("factory.tariffs",
          new Tariff(site, "USD", 0.20, 1.5, from, null)), from);
    }
    for (String gpu : List.of("H100-SXM5-80GB", "B200-SXM-180GB", "H200-SXM-141GB", "GB200-NVL72")) {
      rates.pipeInput(gpu, serdes.values(GpuRate.class).serializer().serialize("factory.gpu-rates",
          new GpuRate(gpu, "USD", 2.00, from, null)), from);
    }
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  static NodeSample sample(String timestamp, Consumer<NodeSample.Builder> change) {
    NodeSample.Builder b = NodeSample.newBuilder()
        .setNodeId("n1").setClusterId("c1").setSite("s1").setGpuModel("H100-SXM5-80GB").setGpuCount(8)
        .setTimestamp(Instant.parse("2026-11-26T" + timestamp + "Z")).setIntervalMs(10_000).setPowerWatts(3_600)
        .setEnergyJoules(null).setTemperatureC(60f).setGpuUtilization(0.5f).setUsage(new ArrayList<>());
    change.accept(b);
    return b.build();
  }

  void send(NodeSample s) {
    telemetry.pipeInput(s.getNodeId(), samples.serializer().serialize("factory.telemetry", s));
  }

  void heartbeat(String instant) {
    long at = Instant.parse(instant).toEpochMilli();
    telemetry.pipeInput(new TestRecord<>(Heartbeat.KEY, null,
        new RecordHeaders().add(Heartbeat.HEADER, Heartbeat.headerValue(at)), Instant.ofEpochMilli(at)));
  }

  /** Two tenants on one sample: 3,600 W x 10 s = 36,000 J; 0.003 USD energy; 8 GPUs x 10 s x 2 USD/h = 0.0444 USD capacity. */
  private static final double ENERGY = 36_000;
  private static final double ENERGY_COST = 36_000 / 3.6e6 * 0.20 * 1.5;
  private static final double CAPACITY_COST = 8 * (10_000 / 3.6e6) * 2.00;

  private void sendSharedSample() {
    send(sample("10:00:00", b -> b.setUsage(List.of(new UsageEntry("t1", "m1", 100L, 300L), new UsageEntry("t2", "m2", 200L, 400L)))));
  }

  /** The topic after a flush of the intake's partial sums (wall-clock punctuation, factory.meter.flush.interval). */
  private <K, V> TestOutputTopic<K, V> flushed(TestOutputTopic<K, V> topic) {
    driver.advanceWallClockTime(java.time.Duration.ofSeconds(1));
    return topic;
  }

  @Test
  void aSampleSharedByTwoTenantsIsSplitByTokens() {
    sendSharedSample();
    heartbeat("2026-11-26T11:10:00Z");
    Map<String, BillingLine> lines = flushed(billing).readKeyValuesToMap();
    BillingLine t1 = lines.get("t1|m1|2026-11-26T10:00:00Z");
    BillingLine t2 = lines.get("t2|m2|2026-11-26T10:00:00Z");
    // t1 has 400 of the 1,000 tokens, t2 600
    assertEquals(0.4 * ENERGY, t1.getEnergyJ(), JOULE_EPS);
    assertEquals(0.6 * ENERGY, t2.getEnergyJ(), JOULE_EPS);
    assertEquals(0.4 * ENERGY_COST, t1.getEnergyCost(), MONEY_EPS);
    assertEquals(0.4 * CAPACITY_COST, t1.getCapacityCost(), MONEY_EPS);
    assertEquals(0.4 * (ENERGY_COST + CAPACITY_COST), t1.getTotalCost(), MONEY_EPS);
    assertEquals(0.6 * (ENERGY_COST + CAPACITY_COST), t2.getTotalCost(), MONEY_EPS);
    assertEquals(0.4 * (ENERGY_COST + CAPACITY_COST) / 400 * 1e6, t1.getCostPerMillionTokens(), 1e-6);
    assertEquals(100, t1.getPromptTokens());
    assertEquals(300, t1.getCompletionTokens());
    assertEquals(Instant.parse("2026-11-26T10:00:00Z"), t1.getPeriodStart());
    assertEquals(Instant.parse("2026-11-26T11:00:00Z"), t1.getPeriodEnd());
    assertEquals(1, t1.getRevision());
    assertTrue(t1.getIsFinal());
    assertEquals("USD", t1.getCurrency());
    assertEquals(2, lines.size());
  }

  @Test
  void thePromptWeightChangesTheSplit() throws Exception {
    start(MeteringConfig.defaults().withPromptWeight(0.5));
    sendSharedSample();
    heartbeat("2026-11-26T11:10:00Z");
    Map<String, BillingLine> lines = flushed(billing).readKeyValuesToMap();
    // weights: t1 100 x 0.5 + 300 = 350, t2 200 x 0.5 + 400 = 500
    assertEquals(ENERGY * 350 / 850, lines.get("t1|m1|2026-11-26T10:00:00Z").getEnergyJ(), JOULE_EPS);
    assertEquals(ENERGY * 500 / 850, lines.get("t2|m2|2026-11-26T10:00:00Z").getEnergyJ(), JOULE_EPS);
    assertEquals((ENERGY_COST + CAPACITY_COST) * 350 / 850, lines.get("t1|m1|2026-11-26T10:00:00Z").getTotalCost(), MONEY_EPS);
  }

  @Test
  void anIdleSampleIsBilledToIdle() {
    send(sample("10:00:10", b -> { }));
    heartbeat("2026-11-26T11:10:00Z");
    BillingLine idle = flushed(billing).readKeyValuesToMap().get("_idle|_idle|2026-11-26T10:00:00Z");
    assertEquals(ENERGY, idle.getEnergyJ(), JOULE_EPS);
    assertEquals(ENERGY_COST + CAPACITY_COST, idle.getTotalCost(), MONEY_EPS);
    assertEquals(0, idle.getPromptTokens() + idle.getCompletionTokens());
    assertNull(idle.getCostPerMillionTokens());
  }

  @Test
  void aPeriodClosesWithNoFurtherTrafficAndOnlyThen() {
    sendSharedSample();
    send(sample("10:59:50", b -> b.setUsage(List.of(new UsageEntry("t1", "m1", 1L, 1L)))));
    heartbeat("2026-11-26T11:09:59.999Z");   // end 11:00 + 10 min grace not reached
    assertTrue(flushed(billing).isEmpty(), "nothing before the period closes");
    heartbeat("2026-11-26T11:10:00Z");
    List<KeyValue<String, BillingLine>> emitted = flushed(billing).readKeyValuesToList();
    assertEquals(2, emitted.size(), "one final line per key");
    heartbeat("2026-11-26T12:30:00Z");
    assertTrue(flushed(billing).isEmpty(), "nothing more for settled keys");
  }

  @Test
  void aLateSampleWithinTheHorizonRestatesItsLineWithTheNextRevisionOnceStreamTimeLeavesItsMinute() {
    sendSharedSample();
    heartbeat("2026-11-26T11:10:00Z");
    flushed(billing).readKeyValuesToList();
    send(sample("10:30:00", b -> b.setUsage(List.of(new UsageEntry("t1", "m1", 10L, 90L)))));   // 40 minutes late, all to t1
    // a new tenant in a settled period: its first line
    send(sample("10:40:00", b -> b.setUsage(List.of(new UsageEntry("t3", "m3", 5L, 5L)))));
    assertTrue(flushed(billing).isEmpty(), "late data is restated when stream time has left the minute it arrived in (11:10)");
    heartbeat("2026-11-26T11:10:59.999Z");
    assertTrue(flushed(billing).isEmpty());
    heartbeat("2026-11-26T11:11:00Z");
    Map<String, BillingLine> restated = flushed(billing).readKeyValuesToMap();
    assertEquals(2, restated.size(), "only the changed keys");
    BillingLine t1 = restated.get("t1|m1|2026-11-26T10:00:00Z");
    assertEquals(2, t1.getRevision());
    assertEquals(0.4 * ENERGY + ENERGY, t1.getEnergyJ(), JOULE_EPS);
    assertEquals(110, t1.getPromptTokens());
    assertEquals(390, t1.getCompletionTokens());
    assertEquals(0.4 * (ENERGY_COST + CAPACITY_COST) + ENERGY_COST + CAPACITY_COST, t1.getTotalCost(), MONEY_EPS);
    BillingLine t3 = restated.get("t3|m3|2026-11-26T10:00:00Z");
    assertEquals(1, t3.getRevision());
    assertEquals(ENERGY, t3.getEnergyJ(), JOULE_EPS);
  }

  /**
   * Issue 8 §4: after a heartbeat closed an hour, replaying that hour's samples (360 of them, all
   * to t1) re-issued the line once per sample, up to revision 361. Late data that arrives while
   * stream time stays in one minute is one restatement.
   */
  @Test
  void anHourOfLateSamplesIsOneRestatement() {
    send(sample("10:00:00", b -> b.setUsage(List.of(new UsageEntry("t1", "m1", 1L, 1L)))));
    heartbeat("2026-11-26T11:10:00Z");
    assertEquals(1, flushed(billing).readKeyValuesToList().size());
    for (int i = 1; i < 360; i++) {
      int second = i * 10;
      String at = String.format("10:%02d:%02d", second / 60, second % 60);
      send(sample(at, b -> b.setUsage(List.of(new UsageEntry("t1", "m1", 1L, 1L)))));
    }
    heartbeat("2026-11-26T11:11:00Z");
    List<KeyValue<String, BillingLine>> restated = flushed(billing).readKeyValuesToList();
    assertEquals(1, restated.size());
    BillingLine t1 = restated.get(0).value;
    assertEquals(2, t1.getRevision());
    assertEquals(360, t1.getPromptTokens());
    assertEquals(360 * ENERGY, t1.getEnergyJ(), 360 * JOULE_EPS);
  }

  @Test
  void aSampleBeyondTheHorizonGoesToTheLateTopicAndChangesNoBill() {
    sendSharedSample();
    heartbeat("2026-11-28T11:00:00Z");   // the 10:00 period of the 26th ended 48 h ago
    flushed(billing).readKeyValuesToList();
    send(sample("10:59:50", b -> b.setUsage(List.of(new UsageEntry("t1", "m1", 1L, 1L)))));
    assertEquals(1, flushed(late).readRecordsToList().size());
    assertTrue(flushed(billing).isEmpty());
  }

  /**
   * Issue 8 §4: a sample late for metrics (its minute closed 25 minutes earlier) is still billed;
   * the fleet and cluster windows take it too, so Σ billing = fleet for the hour also after late
   * data. The node's own window of that minute does not (it is settled; the sample is counted as
   * late-for-metrics). Fleet: 2 samples x 36,000 J; cost 2 x (0.003 + 0.0444) USD.
   */
  @Test
  void aSampleLateForMetricsCountsInTheFleetAsInTheBill() {
    send(sample("10:00:00", b -> b.setUsage(List.of(new UsageEntry("t1", "m1", 10L, 10L)))));
    heartbeat("2026-11-26T10:30:00Z");
    flushed(fleet).readKeyValuesToMap();
    send(sample("10:05:00", b -> b.setNodeId("n2").setUsage(List.of(new UsageEntry("t1", "m1", 30L, 50L)))));
    heartbeat("2026-11-26T11:10:00Z");
    FleetMetrics minute = flushed(fleet).readKeyValuesToMap().get("fleet|2026-11-26T10:05:00Z");
    assertEquals(ENERGY, minute.getEnergyJ(), JOULE_EPS);
    BillingLine t1 = flushed(billing).readKeyValuesToMap().get("t1|m1|2026-11-26T10:00:00Z");
    assertEquals(2 * ENERGY, t1.getEnergyJ(), JOULE_EPS);
    assertEquals(2 * (ENERGY_COST + CAPACITY_COST), t1.getTotalCost(), MONEY_EPS);
    assertEquals(40, t1.getPromptTokens());
    assertTrue(flushed(nodeMetrics).readKeyValuesToMap().keySet().stream().noneMatch(k -> k.startsWith("n2|")),
        "the node's own minute was settled before the sample came");
  }

  /**
   * SPEC §3: for every hour, the billing lines (including _idle) add up to the fleet's energy and
   * cost: a simulated day of 8 nodes reporting every minute.
   */
  @Test
  void billingLinesAddUpToTheFleetEveryHourOfASimulatedDay() {
    FleetSimulator sim = new FleetSimulator(new FleetSpec(8, 4, 2, 5, 8, Duration.ofSeconds(60), 3L),
        Instant.parse("2026-11-26T00:00:00Z"));
    int steps = 24 * 60;
    for (int i = 0; i < steps; i++) {
      for (NodeSample s : sim.step()) {
        send(s);
      }
    }
    heartbeat("2026-11-27T01:10:00Z");

    Map<String, BillingLine> lines = new HashMap<>();
    int records = 0;
    for (KeyValue<String, BillingLine> kv : flushed(billing).readKeyValuesToList()) {
      lines.put(kv.key, kv.value);
      records++;
    }
    assertEquals(lines.size(), records, "exactly one line per key: no restatements in an ordered day");
    Map<Instant, double[]> billed = new TreeMap<>();
    for (BillingLine l : lines.values()) {
      double[] sums = billed.computeIfAbsent(l.getPeriodStart(), k -> new double[2]);
      sums[0] += l.getEnergyJ();
      sums[1] += l.getTotalCost();
    }
    Map<Instant, double[]> metered = new TreeMap<>();
    for (FleetMetrics f : flushed(fleet).readKeyValuesToMap().values()) {
      Instant hour = Instant.ofEpochMilli(Math.floorDiv(f.getWindowStart().toEpochMilli(), 3_600_000L) * 3_600_000L);
      double[] sums = metered.computeIfAbsent(hour, k -> new double[2]);
      sums[0] += f.getEnergyJ();
      sums[1] += f.getTotalCost();
    }
    assertEquals(24, billed.size());
    // the fleet also has windows of the next day's first hour, without samples: its nodes are
    // still known there (SPEC §4 nodesKnown, 1 h horizon), and nothing is billed for that hour
    assertEquals(25, metered.size());
    assertTrue(metered.keySet().containsAll(billed.keySet()));
    for (Instant hour : metered.keySet()) {
      double[] bill = billed.getOrDefault(hour, new double[2]);
      assertEquals(metered.get(hour)[0], bill[0], metered.get(hour)[0] * 1e-9, "energy " + hour);
      assertEquals(metered.get(hour)[1], bill[1], metered.get(hour)[1] * 1e-9, "cost " + hour);
    }
    assertTrue(lines.keySet().stream().anyMatch(k -> k.startsWith("_idle|")) || lines.size() > 24, "several tenants");
  }
}
