package io.factorymeter.app.metering;

import io.factorymeter.app.deadletter.DeadLetterHeaders;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.contract.Heartbeat;
import io.factorymeter.app.TestDrivers;
import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.serde.AppSerdes;
import io.factorymeter.schema.ClusterMetrics;
import io.factorymeter.schema.FleetMetrics;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.NodeMetrics;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.Tariff;
import io.factorymeter.schema.UsageEntry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every formula of SPEC §2 and every input rule of SPEC §1, with expected values worked out by
 * hand in each test (never read back from the code under test).
 */
class MeteringTopologyTest {

  /** Figures are exact but for each sample's money and energy being rounded to 1e-12 units and 1e-6 J. */
  private static final double EPS = 1e-9;

  private TopologyTestDriver driver;
  private AppSerdes serdes;
  private Serde<NodeSample> samples;
  private TestInputTopic<String, byte[]> telemetry;
  private TestInputTopic<String, byte[]> tariffs;
  private TestInputTopic<String, byte[]> gpuRates;
  private TestOutputTopic<String, NodeMetrics> nodes;
  private TestOutputTopic<String, ClusterMetrics> clusters;
  private TestOutputTopic<String, FleetMetrics> fleet;
  private TestOutputTopic<String, byte[]> dlq;
  private TestOutputTopic<String, byte[]> late;

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
    driver = TestDrivers.driver(MeteringTopology.build(config, serdes));
    telemetry = driver.createInputTopic("factory.telemetry", new StringSerializer(), new ByteArraySerializer());
    tariffs = driver.createInputTopic("factory.tariffs", new StringSerializer(), new ByteArraySerializer());
    gpuRates = driver.createInputTopic("factory.gpu-rates", new StringSerializer(), new ByteArraySerializer());
    nodes = driver.createOutputTopic("factory.metrics.node.1m", new StringDeserializer(), serdes.values(NodeMetrics.class).deserializer());
    clusters = driver.createOutputTopic("factory.metrics.cluster.1m", new StringDeserializer(), serdes.values(ClusterMetrics.class).deserializer());
    fleet = driver.createOutputTopic("factory.metrics.fleet.1m", new StringDeserializer(), serdes.values(FleetMetrics.class).deserializer());
    dlq = driver.createOutputTopic("factory.telemetry.dlq", new StringDeserializer(), new ByteArrayDeserializer());
    late = driver.createOutputTopic("factory.telemetry.late", new StringDeserializer(), new ByteArrayDeserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  // --- helpers -----------------------------------------------------------------------------------

  static Instant t(String hhmmss) {
    return Instant.parse("2026-11-26T" + hhmmss + "Z");
  }

  /** A valid sample of node n1 (cluster c1, site s1, 8 x H100) with no usage; adjust with {@code change}. */
  static NodeSample sample(String timestamp, Consumer<NodeSample.Builder> change) {
    NodeSample.Builder b = NodeSample.newBuilder()
        .setNodeId("n1").setClusterId("c1").setSite("s1").setGpuModel("H100-SXM5-80GB").setGpuCount(8)
        .setTimestamp(t(timestamp)).setIntervalMs(10_000).setPowerWatts(4_000).setEnergyJoules(null)
        .setTemperatureC(60f).setGpuUtilization(0.5f).setUsage(new ArrayList<>());
    change.accept(b);
    return b.build();
  }

  static UsageEntry usage(String tenant, String model, long prompt, long completion) {
    return new UsageEntry(tenant, model, prompt, completion);
  }

  void send(NodeSample s) {
    telemetry.pipeInput(s.getNodeId(), samples.serializer().serialize("factory.telemetry", s), Instant.parse("2026-12-01T00:00:00Z"));
  }

  void tariff(String site, double pricePerKwh, double pue, String currency, String effectiveFrom) {
    Tariff v = new Tariff(site, currency, pricePerKwh, pue, Instant.parse(effectiveFrom), null);
    tariffs.pipeInput(site, serdes.values(Tariff.class).serializer().serialize("factory.tariffs", v), Instant.parse(effectiveFrom));
  }

  void gpuRate(String gpuModel, double hourlyRate, String effectiveFrom) {
    GpuRate v = new GpuRate(gpuModel, "USD", hourlyRate, Instant.parse(effectiveFrom), null);
    gpuRates.pipeInput(gpuModel, serdes.values(GpuRate.class).serializer().serialize("factory.gpu-rates", v), Instant.parse(effectiveFrom));
  }

  void defaultPrices() {
    tariff("s1", 0.10, 1.5, "USD", "2026-11-01T00:00:00Z");
    gpuRate("H100-SXM5-80GB", 2.00, "2026-11-01T00:00:00Z");
  }

  double counter(String name) {
    double total = 0;
    for (Map.Entry<MetricName, ? extends Metric> e : driver.metrics().entrySet()) {
      if (e.getKey().group().equals(MeteringCounters.GROUP) && e.getKey().name().equals(name + "-total")) {
        total += ((Number) e.getValue().metricValue()).doubleValue();
      }
    }
    return total;
  }

  static String header(Headers headers, String key) {
    Header h = headers.lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  // --- SPEC §2 -------------------------------------------------------------------------------------

  /** The topic after a flush of the intake's partial sums (wall-clock punctuation, factory.meter.flush.interval). */
  private <K, V> TestOutputTopic<K, V> flushed(TestOutputTopic<K, V> topic) {
    driver.advanceWallClockTime(java.time.Duration.ofSeconds(1));
    return topic;
  }

  @Test
  void nodeClusterAndFleetFiguresFromPowerAndFromEnergyJoules() {
    defaultPrices();
    // A: 30 s at 4,000 W, no energyJoules -> 4,000 W x 30 s = 120,000 J
    send(sample("10:00:00", b -> b.setIntervalMs(30_000).setPowerWatts(4_000).setTemperatureC(60f).setGpuUtilization(0.5f)
        .setUsage(List.of(usage("t1", "m1", 1_000, 3_000)))));
    // B: 30 s at 5,000 W but energyJoules 140,000 J is authoritative (not 150,000)
    send(sample("10:00:30", b -> b.setIntervalMs(30_000).setPowerWatts(5_000).setEnergyJoules(140_000.0).setTemperatureC(70f)
        .setGpuUtilization(0.75f).setUsage(List.of(usage("t1", "m1", 2_000, 5_000), usage("t2", "m2", 0, 1_000)))));

    NodeMetrics n = flushed(nodes).readKeyValuesToMap().get("n1|2026-11-26T10:00:00Z");
    assertNotNull(n);
    assertEquals("n1", n.getNodeId());
    assertEquals("c1", n.getClusterId());
    assertEquals(t("10:00:00"), n.getWindowStart());
    assertEquals(t("10:01:00"), n.getWindowEnd());
    assertEquals(2, n.getSamples());
    assertEquals(12_000, n.getTokens());                       // 1000+3000 + 2000+5000 + 0+1000
    assertEquals(9_000, n.getOutputTokens());                  // 3000 + 5000 + 1000
    assertEquals(260_000.0, n.getEnergyJ(), EPS);              // 120,000 + 140,000
    assertEquals(200.0, n.getTokensPerSecond(), EPS);          // 12,000 / 60 s
    assertEquals(150.0, n.getOutputTokensPerSecond(), EPS);    // 9,000 / 60 s
    assertEquals(12_000 / 260_000.0, n.getTokensPerJoule(), EPS);
    assertEquals(9_000 / 260_000.0, n.getOutputTokensPerJoule(), EPS);
    assertEquals(60_000, n.getCovered());
    assertEquals(260_000 / 60.0, n.getAvgPowerW(), EPS);       // energy / covered seconds
    assertEquals(1.0, n.getCoverage(), EPS);
    assertEquals(0.625, n.getUtilization(), EPS);              // (0.5 x 30 s + 0.75 x 30 s) / 60 s
    assertEquals(70.0, n.getMaxTemperatureC(), EPS);
    assertEquals(65.0, n.getMeanTemperatureC(), EPS);          // (60 x 30 + 70 x 30) / 60
    double energyCost = 260_000 / 3.6e6 * 0.10 * 1.5;          // 0.0108333 USD
    double capacityCost = 8 * (30_000 / 3.6e6) * 2.00 * 2;     // two samples of 8 GPUs x 30 s at 2 USD/h = 0.2666667 USD
    assertEquals(energyCost, n.getEnergyCost(), EPS);
    assertEquals(capacityCost, n.getCapacityCost(), EPS);
    assertEquals(energyCost + capacityCost, n.getTotalCost(), EPS);
    assertEquals((energyCost + capacityCost) / 12_000 * 1e6, n.getCostPerMillionTokens(), EPS); // 23.125 USD / M tokens
    assertEquals("USD", n.getCurrency());
    assertEquals(0, n.getUnpricedSamples());

    ClusterMetrics c = flushed(clusters).readKeyValuesToMap().get("c1|2026-11-26T10:00:00Z");
    assertEquals(1, c.getNodesReporting());
    assertEquals(12_000, c.getTokens());
    assertEquals(260_000 / 60.0, c.getAvgPowerW(), EPS);       // group: energy / window seconds
    assertEquals(1.0, c.getCoverage(), EPS);
    FleetMetrics f = flushed(fleet).readKeyValuesToMap().get("fleet|2026-11-26T10:00:00Z");
    assertEquals("fleet", f.getFleetId());
    assertEquals(energyCost + capacityCost, f.getTotalCost(), EPS);
    assertEquals(2, f.getSamples());
  }

  @Test
  void coverageBelowOneForANodeThatMissedSamplesAndGroupPowerIsTheTotalDraw() {
    defaultPrices();
    for (int s = 0; s < 60; s += 10) {   // n1 reports all six 10 s intervals at 4,000 W
      String ts = String.format("10:00:%02d", s);
      send(sample(ts, b -> { }));
    }
    // n2 (same cluster) reports only two of six, at 3,000 W
    send(sample("10:00:00", b -> b.setNodeId("n2").setPowerWatts(3_000)));
    send(sample("10:00:30", b -> b.setNodeId("n2").setPowerWatts(3_000)));

    Map<String, NodeMetrics> byKey = flushed(nodes).readKeyValuesToMap();
    NodeMetrics n2 = byKey.get("n2|2026-11-26T10:00:00Z");
    assertEquals(20_000, n2.getCovered());
    assertEquals(1.0 / 3.0, n2.getCoverage(), EPS);             // 20 s of 60 s
    assertEquals(3_000.0, n2.getAvgPowerW(), EPS);              // 60,000 J over the 20 s it reported
    assertEquals(1.0, byKey.get("n1|2026-11-26T10:00:00Z").getCoverage(), EPS);

    ClusterMetrics c = flushed(clusters).readKeyValuesToMap().get("c1|2026-11-26T10:00:00Z");
    assertEquals(2, c.getNodesReporting());
    assertEquals(8, c.getSamples());
    assertEquals(80_000, c.getCovered());
    assertEquals(80_000 / (60_000.0 * 2), c.getCoverage(), EPS); // 0.6667
    assertEquals((6 * 40_000 + 2 * 30_000) / 60.0, c.getAvgPowerW(), EPS); // 300,000 J / 60 s = 5,000 W
  }

  @Test
  void windowBoundaries() {
    send(sample("10:00:59.999", b -> b.setIntervalMs(1)));
    send(sample("10:01:00", b -> b.setIntervalMs(1)));
    Map<String, NodeMetrics> byKey = flushed(nodes).readKeyValuesToMap();
    assertEquals(1, byKey.get("n1|2026-11-26T10:00:00Z").getSamples());
    assertEquals(1, byKey.get("n1|2026-11-26T10:01:00Z").getSamples());
    assertEquals(2, byKey.size());
  }

  @Test
  void duplicatesAreCountedOnce() {
    NodeSample s = sample("10:00:10", b -> b.setUsage(List.of(usage("t1", "m1", 10, 20))));
    send(s);
    send(s);
    // same node and timestamp, other values: still the same sample
    send(sample("10:00:10", b -> b.setPowerWatts(9_999).setUsage(List.of(usage("t1", "m1", 100, 200)))));
    NodeMetrics n = flushed(nodes).readKeyValuesToMap().get("n1|2026-11-26T10:00:00Z");
    assertEquals(1, n.getSamples());
    assertEquals(30, n.getTokens());
    assertEquals(2.0, counter("duplicates"));
    assertEquals(3.0, counter("samples-in"));
  }

  /**
   * The sums are kept on the heap between commits and written back at each commit of the task
   * (TopologyTestDriver commits after every record): before any flush, the stores already hold
   * them, as a restart after that commit would find them. Without the write-back they would be
   * empty here.
   */
  @Test
  void theSumsAreInTheStoresAtEveryCommitBeforeAnyFlush() {
    defaultPrices();
    send(sample("10:00:10", b -> b.setUsage(List.of(usage("t1", "m1", 10, 20)))));
    send(sample("10:00:20", b -> b.setUsage(List.of(usage("t1", "m1", 1, 2)))));
    var nodeWindows = driver.<String, Object>getKeyValueStore(PartitionSums.NODE_STORE);
    WindowFigures n = (WindowFigures) nodeWindows.get("0000001795687200000|n1");   // 2026-11-26T10:00:00Z
    assertNotNull(n, "node window written back at the commit");
    assertEquals(2, n.samples());
    assertEquals(33, n.tokens);
    assertEquals(20_000, n.coveredMs);
    var groupDeltas = driver.<String, Object>getKeyValueStore(PartitionSums.GROUP_STORE);
    assertEquals(2, ((WindowFigures) groupDeltas.get("0000001795687200000|CLUSTER|c1")).samples());
    assertEquals(2, ((WindowFigures) groupDeltas.get("0000001795687200000|FLEET|fleet")).samples());
    var billingDeltas = driver.<String, Object>getKeyValueStore(PartitionSums.BILLING_STORE);
    long billingEntries = 0;
    try (var it = billingDeltas.all()) {
      while (it.hasNext()) {
        var kv = it.next();
        assertTrue(kv.key.endsWith("|0000001795687200000|t1|m1"), kv.key);   // batch close | period 10:00 | tenant | model
        assertEquals(11, ((io.factorymeter.app.billing.BillingAmounts) kv.value).promptTokens());
        billingEntries++;
      }
    }
    assertEquals(1, billingEntries);
    var dedup = driver.<String, Object>getWindowStore(SampleIntake.DEDUP_STORE);
    TimestampSet seen = (TimestampSet) dedup.fetch("n1", t("10:00:00").toEpochMilli());
    assertEquals(2, seen.size());
    assertTrue(seen.contains(10_000) && seen.contains(20_000));
    // a flush sends the deltas on and removes them from the stores too
    flushed(nodes);
    assertNull(groupDeltas.get("0000001795687200000|FLEET|fleet"));
    try (var it = billingDeltas.all()) {
      assertFalse(it.hasNext());
    }
    assertEquals(2, ((WindowFigures) nodeWindows.get("0000001795687200000|n1")).samples());
  }

  /**
   * SPEC §4 isFinal: partial records first; when the window's grace (2 min) has passed — here at
   * stream time 10:03:00 for the window 10:00–10:01 — one final record per node, cluster and fleet
   * window. A sample late for node metrics after that restates the cluster and fleet (final again)
   * and sends no node record.
   */
  @Test
  void metricRecordsSayWhetherTheWindowIsFinal() {
    send(sample("10:00:10", b -> { }));
    send(sample("10:00:10", b -> b.setNodeId("n2")));
    List<TestRecord<String, NodeMetrics>> partialNodes = flushed(nodes).readRecordsToList();
    assertEquals(2, partialNodes.size());
    assertTrue(partialNodes.stream().noneMatch(r -> r.value().getIsFinal()));
    List<ClusterMetrics> partialClusters = clusters.readValuesToList();
    assertFalse(partialClusters.isEmpty());
    assertTrue(partialClusters.stream().noneMatch(ClusterMetrics::getIsFinal));
    assertTrue(fleet.readValuesToList().stream().noneMatch(FleetMetrics::getIsFinal));

    send(sample("10:02:59", b -> { }));   // 10:01 + 2 min not reached: nothing final yet
    assertTrue(flushed(nodes).readValuesToList().stream().noneMatch(NodeMetrics::getIsFinal));
    assertTrue(clusters.readValuesToList().stream().noneMatch(ClusterMetrics::getIsFinal));

    send(sample("10:03:00", b -> { }));   // grace of the 10:00 window passed
    List<TestRecord<String, NodeMetrics>> settledNodes = flushed(nodes).readRecordsToList().stream()
        .filter(r -> r.key().endsWith("|2026-11-26T10:00:00Z")).toList();
    assertEquals(2, settledNodes.size());   // n1 and n2, once each
    assertTrue(settledNodes.stream().allMatch(r -> r.value().getIsFinal()));
    assertEquals(1, settledNodes.get(0).value().getSamples());
    List<ClusterMetrics> finalClusters = clusters.readValuesToList().stream()
        .filter(c -> c.getWindowStart().equals(t("10:00:00")) && c.getIsFinal()).toList();
    assertEquals(1, finalClusters.size());
    assertEquals(2, finalClusters.get(0).getSamples());
    assertEquals(2, finalClusters.get(0).getNodesReporting());
    List<FleetMetrics> finalFleet = fleet.readValuesToList().stream()
        .filter(f -> f.getWindowStart().equals(t("10:00:00")) && f.getIsFinal()).toList();
    assertEquals(1, finalFleet.size());
    assertEquals(2, finalFleet.get(0).getSamples());

    // late for node metrics: the node window stays as settled, cluster and fleet are restated (final)
    send(sample("10:00:30", b -> { }));
    assertTrue(flushed(nodes).readKeyValuesToMap().keySet().stream().noneMatch(k -> k.endsWith("|2026-11-26T10:00:00Z")));
    List<ClusterMetrics> restated = clusters.readValuesToList().stream()
        .filter(c -> c.getWindowStart().equals(t("10:00:00"))).toList();
    assertEquals(1, restated.size());
    assertTrue(restated.get(0).getIsFinal());
    assertEquals(3, restated.get(0).getSamples());
    assertEquals(1.0, counter("late-for-metrics"));
  }

  /** A heartbeat: the partition's stream time moves to {@code hhmmss} of 2026-11-26. */
  void heartbeat(String hhmmss) {
    long at = t(hhmmss).toEpochMilli();
    telemetry.pipeInput(new TestRecord<>(Heartbeat.KEY, null,
        new RecordHeaders().add(Heartbeat.HEADER, Heartbeat.headerValue(at)), Instant.ofEpochMilli(at)));
  }

  /** The final record of each window, by window start (a restatement would replace it). */
  private static <R> Map<Instant, R> finalByWindow(List<R> records, java.util.function.Function<R, Instant> start,
      java.util.function.Predicate<R> isFinal) {
    Map<Instant, R> out = new java.util.TreeMap<>();
    records.stream().filter(isFinal).forEach(r -> out.put(start.apply(r), r));
    return out;
  }

  /**
   * SPEC §4 nodesKnown and uptimeKnown (horizon 1 h). n1 and n2 of c1 report in 10:00 (10 s each);
   * in 10:05 only n1 reports, 30 s + 20 s = 50 s covered. When 10:05 is final (stream time 10:08 =
   * its end 10:06 + 2 min grace) its c1 record has nodesReporting 1 but nodesKnown 2: n2's last
   * sample, 10:00:10, is within [10:06 − 1 h, 10:06). uptimeKnown = 50 s / (60 s × 2) = 0.41667,
   * where coverage = 50 s / (60 s × 1) = 0.83333. The fleet is c1's two nodes: the same. 10:00 has
   * 20 s of 2 × 60 s: uptimeKnown 1/6.
   */
  @Test
  void aNodeThatStopsReportingLowersUptimeKnown() {
    send(sample("10:00:10", b -> { }));
    send(sample("10:00:10", b -> b.setNodeId("n2")));
    send(sample("10:05:00", b -> b.setIntervalMs(30_000)));
    send(sample("10:05:30", b -> b.setIntervalMs(20_000)));
    heartbeat("10:08:00");

    List<ClusterMetrics> c1 = flushed(clusters).readValuesToList();
    Map<Instant, ClusterMetrics> finalC1 = finalByWindow(c1, ClusterMetrics::getWindowStart, ClusterMetrics::getIsFinal);
    ClusterMetrics c = finalC1.get(t("10:05:00"));
    assertEquals(2, c.getSamples());
    assertEquals(1, c.getNodesReporting());
    assertEquals(50_000, c.getCovered());
    assertEquals(2, c.getNodesKnown());
    assertEquals(50_000 / (60_000.0 * 2), c.getUptimeKnown(), EPS);    // 0.41667
    assertEquals(50_000 / (60_000.0 * 1), c.getCoverage(), EPS);       // 0.83333: over the nodes reporting
    ClusterMetrics first = finalC1.get(t("10:00:00"));
    assertEquals(2, first.getNodesReporting());
    assertEquals(2, first.getNodesKnown());
    assertEquals(20_000 / (60_000.0 * 2), first.getUptimeKnown(), EPS); // 1/6

    List<FleetMetrics> fleetRecords = fleet.readValuesToList();
    Map<Instant, FleetMetrics> finalFleet = finalByWindow(fleetRecords, FleetMetrics::getWindowStart, FleetMetrics::getIsFinal);
    FleetMetrics f = finalFleet.get(t("10:05:00"));
    assertEquals(1, f.getNodesReporting());
    assertEquals(2, f.getNodesKnown());
    assertEquals(50_000 / (60_000.0 * 2), f.getUptimeKnown(), EPS);
    assertEquals(2, finalFleet.get(t("10:00:00")).getNodesKnown());

    // partial records do not say: not every input partition has counted its nodes yet
    List<ClusterMetrics> partial = c1.stream().filter(r -> !r.getIsFinal()).toList();
    assertFalse(partial.isEmpty());
    assertTrue(partial.stream().allMatch(r -> r.getNodesKnown() == null && r.getUptimeKnown() == null), partial.toString());
    List<FleetMetrics> partialFleet = fleetRecords.stream().filter(r -> !r.getIsFinal()).toList();
    assertFalse(partialFleet.isEmpty());
    assertTrue(partialFleet.stream().allMatch(r -> r.getNodesKnown() == null && r.getUptimeKnown() == null));
  }

  /**
   * A window in which no node of c1 reported, 10:03, while both did within the hour (at 10:00:10):
   * a final c1 record all the same, with 0 samples, 0 reporting, nodesKnown 2 and uptimeKnown 0;
   * the fleet likewise. Before it is final, a partial record with nodesKnown null.
   */
  @Test
  void aWindowWithoutSamplesOfKnownNodesHasUptimeKnownZero() {
    send(sample("10:00:10", b -> { }));
    send(sample("10:00:10", b -> b.setNodeId("n2")));
    send(sample("10:05:30", b -> { }));   // stream time 10:05:30: windows up to 10:02 settled on the partition
    heartbeat("10:08:00");                 // up to 10:05: the rollup's watermark makes 10:03 final

    List<ClusterMetrics> records = flushed(clusters).readValuesToList().stream()
        .filter(r -> r.getWindowStart().equals(t("10:03:00"))).toList();
    assertEquals(2, records.size(), records.toString());   // the partition's delta (partial), then final
    assertFalse(records.get(0).getIsFinal());
    assertNull(records.get(0).getNodesKnown());
    assertNull(records.get(0).getUptimeKnown());
    ClusterMetrics c = records.get(1);
    assertTrue(c.getIsFinal());
    assertEquals("c1", c.getClusterId());
    assertEquals(0, c.getSamples());
    assertEquals(0, c.getNodesReporting());
    assertEquals(0, c.getCovered());
    assertEquals(0.0, c.getCoverage(), EPS);
    assertEquals(0.0, c.getEnergyJ(), EPS);
    assertEquals(0.0, c.getMaxTemperatureC(), EPS);
    assertEquals(2, c.getNodesKnown());
    assertEquals(0.0, c.getUptimeKnown(), EPS);
    FleetMetrics f = finalByWindow(fleet.readValuesToList(), FleetMetrics::getWindowStart, FleetMetrics::getIsFinal)
        .get(t("10:03:00"));
    assertEquals(0, f.getSamples());
    assertEquals(2, f.getNodesKnown());
    assertEquals(0.0, f.getUptimeKnown(), EPS);
  }

  /**
   * A node last seen more than the horizon (1 h) before a window's end is not known there. n2 (of
   * c2) has one sample, at 10:00:10: window 10:59–11:00 looks back to [10:00, 11:00) and knows it;
   * window 11:00–11:01 looks back to [10:01, 11:01) and does not. n1 (c1) reports at 10:00:10 and
   * 11:00:30 (10 s). So c2 has final records for the 60 windows 10:00 .. 10:59 (nodesKnown 1) and
   * none after; the fleet knows 2 nodes in 10:59 (no sample: uptimeKnown 0) and 1 in 11:00, whose
   * uptimeKnown is 10 s / (60 s × 1).
   */
  @Test
  void aNodeLastSeenMoreThanTheHorizonAgoIsNotKnown() {
    send(sample("10:00:10", b -> { }));
    send(sample("10:00:10", b -> b.setNodeId("n2").setClusterId("c2")));
    send(sample("11:00:30", b -> { }));
    heartbeat("11:03:00");   // 11:00 final

    Map<Instant, ClusterMetrics> c1 = new java.util.TreeMap<>();
    java.util.TreeMap<Instant, ClusterMetrics> c2 = new java.util.TreeMap<>();
    for (ClusterMetrics c : flushed(clusters).readValuesToList()) {
      if (c.getIsFinal()) {
        (c.getClusterId().equals("c1") ? c1 : c2).put(c.getWindowStart(), c);
      }
    }
    assertEquals(60, c2.size(), c2.keySet().toString());
    assertEquals(t("10:00:00"), c2.firstKey());
    assertEquals(t("10:59:00"), c2.lastKey());
    assertTrue(c2.values().stream().allMatch(c -> c.getNodesKnown() == 1));
    assertEquals(1, c1.get(t("10:59:00")).getNodesKnown());   // n1, by its sample at 10:00:10
    assertEquals(1, c1.get(t("11:00:00")).getNodesKnown());
    assertEquals(10_000 / 60_000.0, c1.get(t("11:00:00")).getUptimeKnown(), EPS);

    Map<Instant, FleetMetrics> finalFleet = finalByWindow(fleet.readValuesToList(), FleetMetrics::getWindowStart,
        FleetMetrics::getIsFinal);
    assertEquals(2, finalFleet.get(t("10:59:00")).getNodesKnown());
    assertEquals(0.0, finalFleet.get(t("10:59:00")).getUptimeKnown(), EPS);
    assertEquals(1, finalFleet.get(t("11:00:00")).getNodesKnown());
    assertEquals(10_000 / 60_000.0, finalFleet.get(t("11:00:00")).getUptimeKnown(), EPS);
  }

  /** The horizon is a setting (here 5 min): n2, last seen at 10:00:10, is known in 10:04 ([10:00, 10:05)) but not in 10:05. */
  @Test
  void theNodesKnownHorizonIsConfigurable() throws Exception {
    start(MeteringConfig.defaults().withNodesKnownHorizon(java.time.Duration.ofMinutes(5)));
    send(sample("10:00:10", b -> { }));
    send(sample("10:00:10", b -> b.setNodeId("n2")));
    send(sample("10:05:10", b -> { }));
    heartbeat("10:08:00");
    Map<Instant, ClusterMetrics> finalC1 = finalByWindow(flushed(clusters).readValuesToList(), ClusterMetrics::getWindowStart,
        ClusterMetrics::getIsFinal);
    assertEquals(2, finalC1.get(t("10:04:00")).getNodesKnown());
    assertEquals(1, finalC1.get(t("10:05:00")).getNodesKnown());   // n1 only: it reported in 10:05
    assertEquals(10_000 / 60_000.0, finalC1.get(t("10:05:00")).getUptimeKnown(), EPS);

    assertEquals(java.time.Duration.ofMinutes(90),
        MeteringConfig.from(Map.of(MeteringConfig.NODES_KNOWN_HORIZON, "90m")).nodesKnownHorizon());
    assertEquals(java.time.Duration.ofHours(1), MeteringConfig.from(Map.of()).nodesKnownHorizon());
    org.junit.jupiter.api.Assertions.assertThrows(org.apache.kafka.common.config.ConfigException.class,
        () -> MeteringConfig.from(Map.of(MeteringConfig.NODES_KNOWN_HORIZON, "90s")), "not a whole number of 1 min windows");
    org.junit.jupiter.api.Assertions.assertThrows(org.apache.kafka.common.config.ConfigException.class,
        () -> MeteringConfig.from(Map.of(MeteringConfig.WINDOW, "5m", MeteringConfig.NODES_KNOWN_HORIZON, "2m")),
        "shorter than the window");
  }

  @Test
  void aSampleCarryingTheHeartbeatHeaderIsStillMetered() {
    NodeSample s = sample("10:00:10", b -> b.setUsage(List.of(usage("t1", "m1", 10, 20))));
    telemetry.pipeInput(new TestRecord<>("n1", samples.serializer().serialize("factory.telemetry", s),
        new RecordHeaders().add(Heartbeat.HEADER, Heartbeat.headerValue(t("10:00:10").toEpochMilli())),
        Instant.parse("2026-12-01T00:00:00Z")));
    NodeMetrics n = flushed(nodes).readKeyValuesToMap().get("n1|2026-11-26T10:00:00Z");
    assertEquals(1, n.getSamples());
    assertEquals(30, n.getTokens());
    assertEquals(1.0, counter("samples-in"));
  }

  @Test
  void anInvalidCopyNeverHidesTheValidSample() {
    send(sample("10:00:10", b -> b.setPowerWatts(-1)));
    send(sample("10:00:10", b -> { }));
    assertEquals(1, flushed(nodes).readKeyValuesToMap().get("n1|2026-11-26T10:00:00Z").getSamples());
    assertEquals(1, flushed(dlq).readRecordsToList().size());
    assertEquals(0.0, counter("duplicates"));
  }

  @Test
  void aLateSampleInsideGraceUpdatesItsWindow() {
    send(sample("10:00:10", b -> { }));
    send(sample("10:02:50", b -> { }));     // stream time 10:02:50 < 10:01 + 2 min grace: window 10:00 still open
    send(sample("10:00:40", b -> { }));     // late, inside grace
    assertEquals(2, flushed(nodes).readKeyValuesToMap().get("n1|2026-11-26T10:00:00Z").getSamples());
    assertEquals(0.0, counter("late-for-metrics"));
  }

  @Test
  void aSampleAfterGraceIsLateForMetricsButNotForTheLateTopic() {
    send(sample("10:00:10", b -> { }));
    send(sample("10:03:00", b -> { }));     // stream time 10:03:00 = window end 10:01 + grace: window 10:00 closed
    send(sample("10:00:40", b -> { }));
    assertEquals(1, flushed(nodes).readKeyValuesToMap().get("n1|2026-11-26T10:00:00Z").getSamples());
    assertEquals(1.0, counter("late-for-metrics"));
    assertTrue(flushed(late).isEmpty(), "still within the restatement horizon: billed, not in the late topic");
  }

  @Test
  void aSamplePastTheRestatementHorizonGoesToTheLateTopicWhole() {
    send(sample("10:00:10", b -> { }));
    // stream time 2026-11-28T11:00: the 10:00-11:00 period of the 26th ended 48 h (the horizon) ago
    send(sample("10:00:10", b -> b.setTimestamp(Instant.parse("2026-11-28T11:00:00Z"))));
    send(sample("11:00:00", b -> { }));     // period 11:00-12:00 of the 26th: 47 h ago, still restatable
    assertTrue(flushed(late).isEmpty());
    NodeSample old = sample("10:59:50", b -> { });
    byte[] bytes = samples.serializer().serialize("factory.telemetry", old);
    telemetry.pipeInput("n1", bytes);
    List<TestRecord<String, byte[]>> records = flushed(late).readRecordsToList();
    assertEquals(1, records.size());
    assertEquals("n1", records.get(0).key());
    assertArrayEquals(bytes, records.get(0).value());
    assertEquals(old, samples.deserializer().deserialize("factory.telemetry.late", records.get(0).value()));
    assertEquals("BEYOND_RESTATEMENT_HORIZON", header(records.get(0).headers(), DeadLetterHeaders.REASON));
    assertEquals(1.0, counter("late-beyond-restatement"));
  }

  @Test
  void aPriceChangeMidWindowAppliesPerSample() {
    gpuRate("H100-SXM5-80GB", 2.00, "2026-11-01T00:00:00Z");
    tariff("s1", 0.10, 1.5, "USD", "2026-11-01T00:00:00Z");
    tariff("s1", 0.20, 1.5, "USD", "2026-11-26T10:00:30Z");
    send(sample("10:00:00", b -> b.setIntervalMs(30_000)));   // 120,000 J at 0.10 USD/kWh
    send(sample("10:00:30", b -> b.setIntervalMs(30_000)));   // 120,000 J at 0.20 USD/kWh
    NodeMetrics n = flushed(nodes).readKeyValuesToMap().get("n1|2026-11-26T10:00:00Z");
    assertEquals(120_000 / 3.6e6 * 0.10 * 1.5 + 120_000 / 3.6e6 * 0.20 * 1.5, n.getEnergyCost(), EPS); // 0.005 + 0.010
  }

  @Test
  void aPricePublishedLaterWithAnEarlierEffectiveTimeAppliesToTheSamplesItCovers() {
    gpuRate("H100-SXM5-80GB", 2.00, "2026-11-01T00:00:00Z");
    send(sample("10:05:00", b -> b.setSite("s9")));          // no tariff for s9 yet
    tariff("s9", 0.30, 1.2, "USD", "2026-11-26T09:00:00Z");  // published now, effective an hour before
    send(sample("10:04:00", b -> b.setSite("s9").setIntervalMs(60_000)));   // older sample, metered after the price arrived
    Map<String, NodeMetrics> byKey = flushed(nodes).readKeyValuesToMap();
    assertNull(byKey.get("n1|2026-11-26T10:05:00Z").getEnergyCost());
    assertEquals(4_000 * 60 / 3.6e6 * 0.30 * 1.2, byKey.get("n1|2026-11-26T10:04:00Z").getEnergyCost(), EPS);
  }

  @Test
  void anUnknownSiteGivesNullCostsAndIsCounted() {
    defaultPrices();
    send(sample("10:00:00", b -> b.setSite("nowhere").setUsage(List.of(usage("t1", "m1", 5, 5)))));
    NodeMetrics n = flushed(nodes).readKeyValuesToMap().get("n1|2026-11-26T10:00:00Z");
    assertEquals(1, n.getSamples(), "metered, not dropped");
    assertNull(n.getEnergyCost());
    assertEquals(8 * (10_000 / 3.6e6) * 2.00, n.getCapacityCost(), EPS);
    assertNull(n.getTotalCost());
    assertNull(n.getCostPerMillionTokens());
    assertEquals(1, n.getUnpricedSamples());
    assertEquals(1.0, counter("unpriced"));
  }

  @Test
  void aPriceInAnotherCurrencyIsIgnoredAndCounted() {
    tariff("s1", 0.09, 1.4, "EUR", "2026-11-01T00:00:00Z");
    gpuRate("H100-SXM5-80GB", 2.00, "2026-11-01T00:00:00Z");
    send(sample("10:00:00", b -> { }));
    assertNull(flushed(nodes).readKeyValuesToMap().get("n1|2026-11-26T10:00:00Z").getEnergyCost());
    assertEquals(1.0, counter("prices-ignored-currency"));
  }

  @Test
  void noEnergyMeansNullTokensPerJoule() {
    send(sample("10:00:00", b -> b.setPowerWatts(0).setUsage(List.of(usage("t1", "m1", 1, 1)))));
    NodeMetrics n = flushed(nodes).readKeyValuesToMap().get("n1|2026-11-26T10:00:00Z");
    assertNull(n.getTokensPerJoule());
    assertNull(n.getOutputTokensPerJoule());
  }

  // --- SPEC §1: every invalid kind reaches the dead-letter topic ------------------------------------

  @Test
  void everyInvalidKindReachesTheDeadLetterTopicWithReasonAndSource() {
    List<byte[]> originals = new ArrayList<>();
    List<String> expectedReasons = new ArrayList<>();
    Consumer<NodeSample> invalid = s -> {
      byte[] bytes = samples.serializer().serialize("factory.telemetry", s);
      originals.add(bytes);
      telemetry.pipeInput(s.getNodeId(), bytes);
    };
    // does not decode: not the wire format, and an unknown schema id
    byte[] json = "{\"nodeId\":\"n1\"}".getBytes(StandardCharsets.UTF_8);
    originals.add(json);
    telemetry.pipeInput(new TestRecord<>("n1", json, new RecordHeaders().add("origin", "test".getBytes(StandardCharsets.UTF_8))));
    expectedReasons.add("DESERIALIZATION");
    byte[] unknownId = ByteBuffer.allocate(9).put((byte) 0).putInt(999_999).putInt(0).array();
    originals.add(unknownId);
    telemetry.pipeInput("n1", unknownId);
    expectedReasons.add("DESERIALIZATION");
    // key is not the nodeId
    byte[] otherKey = samples.serializer().serialize("factory.telemetry", sample("10:00:00", b -> { }));
    originals.add(otherKey);
    telemetry.pipeInput("n2", otherKey);
    expectedReasons.add("KEY_MISMATCH");
    // identifiers
    invalid.accept(sample("10:00:00", b -> b.setNodeId("node 1")));
    expectedReasons.add("INVALID_ID");
    invalid.accept(sample("10:00:00", b -> b.setSite("s".repeat(129))));
    expectedReasons.add("INVALID_ID");
    invalid.accept(sample("10:00:00", b -> b.setUsage(List.of(usage("tenant#1", "m1", 1, 1)))));
    expectedReasons.add("INVALID_ID");
    // physical ranges
    invalid.accept(sample("10:00:00", b -> b.setPowerWatts(-0.5)));
    expectedReasons.add("OUT_OF_RANGE");
    invalid.accept(sample("10:00:00", b -> b.setPowerWatts(16_000.5)));  // > 2,000 W x 8 GPUs
    expectedReasons.add("OUT_OF_RANGE");
    invalid.accept(sample("10:00:00", b -> b.setTemperatureC(150.5f)));
    expectedReasons.add("OUT_OF_RANGE");
    invalid.accept(sample("10:00:00", b -> b.setTemperatureC(-40.5f)));
    expectedReasons.add("OUT_OF_RANGE");
    invalid.accept(sample("10:00:00", b -> b.setGpuUtilization(1.01f)));
    expectedReasons.add("OUT_OF_RANGE");
    invalid.accept(sample("10:00:00", b -> b.setUsage(List.of(usage("t1", "m1", 5, -1)))));
    expectedReasons.add("OUT_OF_RANGE");
    invalid.accept(sample("10:00:00", b -> b.setIntervalMs(0)));
    expectedReasons.add("OUT_OF_RANGE");
    invalid.accept(sample("10:00:00", b -> b.setIntervalMs(3_600_001)));
    expectedReasons.add("OUT_OF_RANGE");
    // NaN anywhere
    invalid.accept(sample("10:00:00", b -> b.setPowerWatts(Double.NaN)));
    expectedReasons.add("NAN");
    invalid.accept(sample("10:00:00", b -> b.setEnergyJoules(Double.NaN)));
    expectedReasons.add("NAN");
    invalid.accept(sample("10:00:00", b -> b.setGpuUtilization(Float.NaN)));
    expectedReasons.add("NAN");

    List<TestRecord<String, byte[]>> dead = flushed(dlq).readRecordsToList();
    assertEquals(expectedReasons.size(), dead.size());
    for (int i = 0; i < dead.size(); i++) {
      TestRecord<String, byte[]> r = dead.get(i);
      assertEquals(expectedReasons.get(i), header(r.headers(), DeadLetterHeaders.REASON), "record " + i);
      assertNotNull(header(r.headers(), DeadLetterHeaders.DETAIL));
      assertArrayEquals(originals.get(i), r.value(), "original bytes kept, record " + i);
      assertEquals("factory.telemetry", header(r.headers(), DeadLetterHeaders.SOURCE_TOPIC));
      assertEquals("0", header(r.headers(), DeadLetterHeaders.SOURCE_PARTITION));
      assertEquals(Integer.toString(i), header(r.headers(), DeadLetterHeaders.SOURCE_OFFSET));
    }
    assertEquals("test", header(dead.get(0).headers(), "origin"), "the record's own headers are kept");
    assertTrue(header(dead.get(1).headers(), DeadLetterHeaders.DETAIL).contains("999999"));
    assertEquals("n2", dead.get(2).key());
    assertTrue(flushed(nodes).isEmpty(), "nothing invalid was metered");
    assertEquals(2.0, counter("invalid-deserialization"));
    assertEquals(1.0, counter("invalid-key-mismatch"));
    assertEquals(3.0, counter("invalid-invalid-id"));
    assertEquals(8.0, counter("invalid-out-of-range"));
    assertEquals(3.0, counter("invalid-nan"));
    // the application is still running: a valid sample after all that is metered
    send(sample("10:00:00", b -> { }));
    assertFalse(flushed(nodes).isEmpty());
  }

  @Test
  void windowAndGraceAreConfigurable() throws Exception {
    start(MeteringConfig.defaults().withWindow(java.time.Duration.ofMinutes(5), java.time.Duration.ofSeconds(30)));
    send(sample("10:00:10", b -> { }));
    send(sample("10:04:50", b -> { }));
    send(sample("10:05:30", b -> { }));   // stream time = window end 10:05 + 30 s: window 10:00 closed
    send(sample("10:03:00", b -> { }));
    Map<String, NodeMetrics> byKey = flushed(nodes).readKeyValuesToMap();
    NodeMetrics n = byKey.get("n1|2026-11-26T10:00:00Z");
    assertEquals(2, n.getSamples());
    assertEquals(20_000 / 300_000.0, n.getCoverage(), EPS);
    assertEquals(Arrays.asList("n1|2026-11-26T10:00:00Z", "n1|2026-11-26T10:05:00Z"), byKey.keySet().stream().sorted().toList());
  }
}
