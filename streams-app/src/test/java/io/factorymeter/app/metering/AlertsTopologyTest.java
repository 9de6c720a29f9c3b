package io.factorymeter.app.metering;

import static io.factorymeter.app.metering.MeteringTopologyTest.sample;
import static io.factorymeter.app.metering.MeteringTopologyTest.t;
import static io.factorymeter.app.metering.MeteringTopologyTest.usage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.app.TestDrivers;
import io.factorymeter.app.config.AlertConfig;
import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.serde.AppSerdes;
import io.factorymeter.contract.Heartbeat;
import io.factorymeter.schema.Alert;
import io.factorymeter.schema.AlertStatus;
import io.factorymeter.schema.NodeSample;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Alerts on {@code factory.alerts} (SPEC §4): opened, then resolved under the same key, decided in
 * event time only. Timestamps are set by hand and every expected figure is worked out by hand.
 */
class AlertsTopologyTest {

  private static final double EPS = 1e-9;

  private final List<TopologyTestDriver> drivers = new ArrayList<>();
  private AppSerdes serdes;
  private Serde<NodeSample> samples;
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> telemetry;
  private TestOutputTopic<String, Alert> alerts;

  void start(MeteringConfig config) {
    serdes = new AppSerdes(Map.of("schema.registry.url", TestDrivers.registryUrl()));
    samples = serdes.values(NodeSample.class);
    driver = TestDrivers.driver(MeteringTopology.build(config, serdes));
    drivers.add(driver);
    telemetry = driver.createInputTopic("factory.telemetry", new StringSerializer(), new ByteArraySerializer());
    alerts = driver.createOutputTopic("factory.alerts", new StringDeserializer(), serdes.values(Alert.class).deserializer());
  }

  /** The defaults, but no cluster coverage alert (0.0: never below): tests of the node alerts. */
  static MeteringConfig nodeAlertsOnly() {
    return MeteringConfig.defaults().withAlerts(AlertConfig.defaults().withClusterCoverage(0.0));
  }

  @AfterEach
  void stop() {
    drivers.forEach(TopologyTestDriver::close);
  }

  void send(NodeSample s) {
    telemetry.pipeInput(s.getNodeId(), samples.serializer().serialize("factory.telemetry", s), Instant.parse("2026-12-01T00:00:00Z"));
  }

  void hot(String node, String hhmmss, float celsius) {
    send(sample(hhmmss, b -> b.setNodeId(node).setTemperatureC(celsius)));
  }

  void heartbeat(Instant at) {
    telemetry.pipeInput(new TestRecord<>(Heartbeat.KEY, null,
        new RecordHeaders().add(Heartbeat.HEADER, Heartbeat.headerValue(at.toEpochMilli())), at));
  }

  /** One 60 s sample of n1 at 1,000 W (60,000 J) per minute with {@code tokens} completion tokens. */
  void serving(String hhmmss, long tokens) {
    send(sample(hhmmss, b -> b.setIntervalMs(60_000).setPowerWatts(1_000)
        .setUsage(tokens == 0 ? List.of() : List.of(usage("t1", "m1", 0, tokens)))));
  }

  static void assertAlert(TestRecord<String, Alert> r, String key, AlertStatus status, Instant start, Instant end,
      Double value, Double threshold, Instant timestamp) {
    assertEquals(key, r.key());
    Alert a = r.value();
    String[] parts = key.split("\\|");
    assertEquals(parts[0], a.getNodeId());
    assertEquals("c1", a.getClusterId());
    assertEquals(parts[1], a.getAlertType());
    assertEquals(status, a.getStatus());
    assertEquals(start, a.getStartTime());
    assertEquals(end, a.getEndTime());
    if (value == null) {
      assertNull(a.getValue());
    } else {
      assertEquals(value, a.getValue(), EPS);
    }
    assertEquals(threshold, a.getThreshold(), EPS);
    assertTrue(!a.getMessage().isBlank());
    assertEquals(timestamp, r.getRecordTime());
  }

  // --- OVER_TEMPERATURE ------------------------------------------------------------------------------

  @Test
  void overTemperatureOpensAtTheThirdHotSampleAndACoolOneResolvesIt() {
    start(nodeAlertsOnly());
    hot("n1", "09:59:50", 60f);
    hot("n1", "10:00:00", 90f);          // hot 1: the run starts here
    hot("n1", "10:00:10", 91f);          // hot 2
    assertTrue(alerts.isEmpty());
    hot("n1", "10:00:20", 92f);          // hot 3 of 3 -> OPEN
    List<TestRecord<String, Alert>> opened = alerts.readRecordsToList();
    assertEquals(1, opened.size());
    assertAlert(opened.get(0), "n1|OVER_TEMPERATURE|2026-11-26T10:00:00Z", AlertStatus.OPEN, t("10:00:00"), null,
        92.0, 85.0, t("10:00:20"));
    hot("n1", "10:00:30", 95f);          // still hot, already open: nothing new
    assertTrue(alerts.isEmpty());
    hot("n1", "10:00:40", 85f);          // at the threshold is not above it -> RESOLVED
    List<TestRecord<String, Alert>> resolved = alerts.readRecordsToList();
    assertEquals(1, resolved.size());
    assertAlert(resolved.get(0), "n1|OVER_TEMPERATURE|2026-11-26T10:00:00Z", AlertStatus.RESOLVED, t("10:00:00"),
        t("10:00:40"), 85.0, 85.0, t("10:00:40"));

    // a new run later is a new alert with its own startTime
    hot("n1", "10:01:00", 86f);
    hot("n1", "10:01:10", 87f);
    hot("n1", "10:01:20", 88.3f);        // the decimal of the sample, not the float's binary 88.30000305...
    assertAlert(alerts.readRecord(), "n1|OVER_TEMPERATURE|2026-11-26T10:01:00Z", AlertStatus.OPEN, t("10:01:00"), null,
        88.3, 85.0, t("10:01:20"));
  }

  @Test
  void twoHotSamplesInARowRaiseNothing() {
    start(nodeAlertsOnly());
    hot("n1", "10:00:00", 90f);
    hot("n1", "10:00:10", 90f);
    hot("n1", "10:00:20", 70f);          // the run ends at 2 of 3
    hot("n1", "10:00:30", 99f);
    hot("n1", "10:00:40", 99f);
    hot("n1", "10:00:50", 80f);
    assertTrue(alerts.isEmpty());
  }

  @Test
  void eachNodeCountsItsOwnRun() {
    start(nodeAlertsOnly());
    hot("n1", "10:00:00", 90f);
    hot("n2", "10:00:05", 90f);          // another node's hot sample does not extend n1's run
    hot("n1", "10:00:10", 90f);
    hot("n2", "10:00:15", 60f);
    assertTrue(alerts.isEmpty());
    hot("n1", "10:00:20", 90f);          // n1's third
    assertEquals("n1|OVER_TEMPERATURE|2026-11-26T10:00:00Z", alerts.readRecord().key());
    assertTrue(alerts.isEmpty());
  }

  // --- NODE_SILENT ---------------------------------------------------------------------------------

  @Test
  void aNodeSilentForMoreThanTwoMinutesOfStreamTimeIsOpenedAndItsNextSampleResolvesIt() {
    start(nodeAlertsOnly());
    hot("n1", "10:00:00", 60f);
    for (String at : List.of("10:00:00", "10:00:30", "10:01:00", "10:01:30", "10:02:00")) {
      hot("n2", at, 60f);                // n2 moves stream time; n1 says nothing
    }
    assertTrue(alerts.isEmpty());        // 120 s of silence is not more than 120 s
    hot("n2", "10:02:10", 60f);          // stream time 10:02:10: n1 silent 130 s > 120 s -> OPEN
    List<TestRecord<String, Alert>> opened = alerts.readRecordsToList();
    assertEquals(1, opened.size());
    assertAlert(opened.get(0), "n1|NODE_SILENT|2026-11-26T10:00:00Z", AlertStatus.OPEN, t("10:00:00"), null,
        130.0, 120.0, t("10:02:10"));
    hot("n2", "10:02:20", 60f);          // still silent, already open
    assertTrue(alerts.isEmpty());
    hot("n1", "10:02:30", 60f);          // n1 reports -> RESOLVED
    List<TestRecord<String, Alert>> resolved = alerts.readRecordsToList();
    assertEquals(1, resolved.size());
    assertAlert(resolved.get(0), "n1|NODE_SILENT|2026-11-26T10:00:00Z", AlertStatus.RESOLVED, t("10:00:00"),
        t("10:02:30"), 150.0, 120.0, t("10:02:30"));   // silent from 10:00:00 to 10:02:30
  }

  @Test
  void heartbeatsMoveStreamTimeToo() {
    start(nodeAlertsOnly());
    hot("n1", "10:00:00", 60f);
    heartbeat(t("10:02:00"));
    assertTrue(alerts.isEmpty());
    heartbeat(t("10:03:00"));            // 180 s of silence
    assertAlert(alerts.readRecord(), "n1|NODE_SILENT|2026-11-26T10:00:00Z", AlertStatus.OPEN, t("10:00:00"), null,
        180.0, 120.0, t("10:03:00"));
    hot("n1", "09:59:00", 60f);          // an older sample says nothing about now: still silent
    assertTrue(alerts.isEmpty());
    hot("n1", "10:03:10", 60f);
    assertEquals(AlertStatus.RESOLVED, alerts.readRecord().getValue().getStatus());
  }

  // --- LOW_TOKENS_PER_JOULE ------------------------------------------------------------------------

  /**
   * n1, one sample of 60 s at 1,000 W (60,000 J) per 1-minute window; tokens per joule by window:
   * 10:00 1.0, 10:01 2.0, 10:02 0.5, 10:03 1.0, 10:04 1.5. A window settles when stream time
   * reaches its end + 2 min grace (10:00 at 10:03:00).
   */
  private void servingFiveMinutes() {
    serving("10:00:00", 60_000);
    serving("10:01:00", 120_000);
    serving("10:02:00", 30_000);
    serving("10:03:00", 60_000);        // settles 10:00: no baseline yet
    serving("10:04:00", 90_000);        // settles 10:01: baseline 1.0 (10:00), threshold 0.5, 2.0 is above
  }

  @Test
  void lowTokensPerJouleAgainstTheNodesOwnBaselineIsOpenedAndResolved() {
    start(nodeAlertsOnly());
    servingFiveMinutes();
    assertTrue(alerts.isEmpty());
    // settles 10:02: baseline (60,000 + 120,000) / (60,000 + 60,000) J = 1.5 tokens/J; threshold 0.5 x 1.5 = 0.75; 0.5 < 0.75
    serving("10:05:00", 60_000);
    List<TestRecord<String, Alert>> opened = alerts.readRecordsToList();
    assertEquals(1, opened.size());
    assertAlert(opened.get(0), "n1|LOW_TOKENS_PER_JOULE|2026-11-26T10:02:00Z", AlertStatus.OPEN, t("10:02:00"), null,
        0.5, 0.75, t("10:03:00"));
    // settles 10:03: baseline (60,000 + 120,000 + 30,000) / 180,000 J = 7/6; threshold 7/12; 1.0 >= 7/12 -> RESOLVED
    serving("10:06:00", 60_000);
    List<TestRecord<String, Alert>> resolved = alerts.readRecordsToList();
    assertEquals(1, resolved.size());
    assertAlert(resolved.get(0), "n1|LOW_TOKENS_PER_JOULE|2026-11-26T10:02:00Z", AlertStatus.RESOLVED, t("10:02:00"),
        t("10:03:00"), 1.0, 7.0 / 12, t("10:04:00"));
  }

  @Test
  void theBaselineIsTrailingAndWindowsWithoutTokensDecideNothing() {
    // baseline 1 min: only the window just before counts
    start(MeteringConfig.defaults().withAlerts(new AlertConfig(Duration.ofMinutes(2), 85.0, 3, 0.5, Duration.ofMinutes(1), 0.0)));
    serving("10:00:00", 60_000);         // 1.0
    serving("10:01:00", 120_000);        // 2.0
    serving("10:02:00", 60_000);         // 1.0: against 10:01 alone (2.0) the threshold is 1.0, not below
    serving("10:03:00", 0);              // no tokens: nothing decided, left out of the baseline
    serving("10:04:00", 60_000);         // 1.0: no baseline in [10:03, 10:04) -> nothing
    serving("10:05:00", 60_000);
    serving("10:06:00", 60_000);         // settles up to 10:03
    serving("10:07:00", 60_000);         // settles 10:04
    assertTrue(alerts.isEmpty());
  }

  // --- LOW_CLUSTER_COVERAGE ----------------------------------------------------------------------

  void both(String hhmmss) {
    send(sample(hhmmss, b -> b.setIntervalMs(60_000)));
    send(sample(hhmmss, b -> b.setNodeId("n2").setIntervalMs(60_000)));
  }

  @Test
  void lowClusterCoverageAgainstItsKnownNodesIsOpenedAndResolvedOnFinalWindows() {
    start(MeteringConfig.defaults());
    both("10:00:00");                    // c1 10:00: 120 s covered / (60 s x 2 known) = 1.0
    send(sample("10:01:00", b -> b.setIntervalMs(60_000)));   // 10:01: n1 only: 60 / (60 x 2) = 0.5
    both("10:02:00");                    // 10:02: 1.0
    both("10:03:00");                    // final: 10:00 (watermark 10:03:00 >= end + 2 min grace)
    assertTrue(alerts.isEmpty());
    both("10:04:00");                    // final: 10:01, 0.5 < 0.9 -> OPEN
    List<TestRecord<String, Alert>> opened = alerts.readRecordsToList();
    assertEquals(1, opened.size());
    assertAlert(opened.get(0), "c1|LOW_CLUSTER_COVERAGE|2026-11-26T10:01:00Z", AlertStatus.OPEN, t("10:01:00"), null,
        0.5, 0.9, t("10:02:00"));
    both("10:05:00");                    // final: 10:02, 1.0 >= 0.9 -> RESOLVED
    List<TestRecord<String, Alert>> resolved = alerts.readRecordsToList();
    assertEquals(1, resolved.size());
    assertAlert(resolved.get(0), "c1|LOW_CLUSTER_COVERAGE|2026-11-26T10:01:00Z", AlertStatus.RESOLVED, t("10:01:00"),
        t("10:02:00"), 1.0, 0.9, t("10:03:00"));

    // n2's sample for 10:01 comes late for node metrics: the cluster window is restated, final, but decided already
    send(sample("10:01:00", b -> b.setNodeId("n2").setIntervalMs(60_000)));
    driver.advanceWallClockTime(Duration.ofSeconds(1));
    assertTrue(alerts.isEmpty());
  }

  // --- settings ------------------------------------------------------------------------------------

  @Test
  void thresholdsAreConfigurable() {
    MeteringConfig config = MeteringConfig.from(Map.of(
        AlertConfig.SILENCE, "5m",
        AlertConfig.TEMPERATURE_C, "95",
        AlertConfig.TEMPERATURE_SAMPLES, "2",
        AlertConfig.TOKENS_PER_JOULE_FRACTION, "0.3",
        AlertConfig.BASELINE, "30m",
        AlertConfig.CLUSTER_COVERAGE, "0.75"));
    assertEquals(new AlertConfig(Duration.ofMinutes(5), 95.0, 2, 0.3, Duration.ofMinutes(30), 0.75), config.alerts());
    assertEquals(AlertConfig.defaults(), MeteringConfig.defaults().alerts());
    assertEquals(new AlertConfig(Duration.ofMinutes(2), 85.0, 3, 0.5, Duration.ofHours(1), 0.9), AlertConfig.defaults());

    start(config.withAlerts(config.alerts().withClusterCoverage(0.0)));
    hot("n1", "10:00:00", 90f);          // hot for 85 °C, not for 95 °C
    hot("n1", "10:00:10", 90f);
    hot("n1", "10:00:20", 90f);
    assertTrue(alerts.isEmpty());
    hot("n1", "10:00:30", 96f);
    hot("n1", "10:00:40", 97f);          // the 2nd above 95 °C opens
    assertAlert(alerts.readRecord(), "n1|OVER_TEMPERATURE|2026-11-26T10:00:30Z", AlertStatus.OPEN, t("10:00:30"), null,
        97.0, 95.0, t("10:00:40"));
    hot("n2", "10:05:40", 60f);          // n1 silent 300 s: not more than 5 min
    assertTrue(alerts.isEmpty());
    hot("n2", "10:05:41", 60f);
    assertAlert(alerts.readRecord(), "n1|NODE_SILENT|2026-11-26T10:00:40Z", AlertStatus.OPEN, t("10:00:40"), null,
        301.0, 300.0, t("10:05:41"));
  }

  @Test
  void aLowerFractionRaisesNothingForTheSameWindows() {
    // fraction 0.3: at 10:02 the threshold is 0.3 x 1.5 = 0.45 and 0.5 is not below it
    start(MeteringConfig.defaults().withAlerts(new AlertConfig(Duration.ofMinutes(2), 85.0, 3, 0.3, Duration.ofHours(1), 0.0)));
    servingFiveMinutes();
    serving("10:05:00", 60_000);
    serving("10:06:00", 60_000);
    assertTrue(alerts.isEmpty());
  }

  @Test
  void badThresholdsAreRefusedNamingTheKey() {
    assertTrue(assertThrows(ConfigException.class, () -> MeteringConfig.from(Map.of(AlertConfig.SILENCE, "0s")))
        .getMessage().contains(AlertConfig.SILENCE));
    assertTrue(assertThrows(ConfigException.class, () -> MeteringConfig.from(Map.of(AlertConfig.TEMPERATURE_SAMPLES, "0")))
        .getMessage().contains(AlertConfig.TEMPERATURE_SAMPLES));
    assertTrue(assertThrows(ConfigException.class, () -> MeteringConfig.from(Map.of(AlertConfig.TOKENS_PER_JOULE_FRACTION, "1.5")))
        .getMessage().contains(AlertConfig.TOKENS_PER_JOULE_FRACTION));
    assertTrue(assertThrows(ConfigException.class, () -> MeteringConfig.from(Map.of(AlertConfig.TEMPERATURE_C, "hot")))
        .getMessage().contains(AlertConfig.TEMPERATURE_C));
    assertTrue(assertThrows(ConfigException.class, () -> MeteringConfig.from(Map.of(AlertConfig.BASELINE, "soon")))
        .getMessage().contains(AlertConfig.BASELINE));
    assertTrue(assertThrows(ConfigException.class, () -> MeteringConfig.from(Map.of(AlertConfig.CLUSTER_COVERAGE, "-0.1")))
        .getMessage().contains(AlertConfig.CLUSTER_COVERAGE));
  }

  // --- replay --------------------------------------------------------------------------------------

  /** All three kinds, two nodes, a duplicate and an out-of-order sample. */
  private void mixedInput(boolean flushOften) {
    List<NodeSample> input = new ArrayList<>();
    String[] times = {"10:00:00", "10:00:20", "10:00:40", "10:01:00", "10:01:20", "10:01:40", "10:02:00", "10:02:20",
        "10:02:40", "10:03:00", "10:03:20", "10:03:40", "10:04:00", "10:04:20", "10:04:40", "10:05:00", "10:05:20",
        "10:05:40", "10:06:00", "10:06:20", "10:06:40", "10:07:00"};
    for (int i = 0; i < times.length; i++) {
      int k = i;
      float celsius = k >= 3 && k <= 6 ? 90f : 60f;
      long tokens = k >= 6 && k <= 8 ? 1_000 : 10_000;
      input.add(sample(times[k], b -> b.setIntervalMs(20_000).setTemperatureC(celsius)
          .setUsage(List.of(usage("t1", "m1", 0, tokens)))));
      if (k < 4 || k > 12) {             // n2 is silent from 10:01:00 to 10:04:20
        input.add(sample(times[k], b -> b.setNodeId("n2").setIntervalMs(20_000)));
      }
      if (k == 10) {
        input.add(input.get(input.size() - 3));                       // a duplicate
        input.add(sample("10:02:50", b -> b.setIntervalMs(10_000)));  // out of order, still on time
      }
    }
    for (NodeSample s : input) {
      send(s);
      if (flushOften) {
        driver.advanceWallClockTime(Duration.ofMillis(250));
      }
    }
  }

  @Test
  void aReplayRaisesTheSameAlerts() {
    start(MeteringConfig.defaults());
    mixedInput(false);
    List<TestRecord<String, Alert>> first = alerts.readRecordsToList();

    start(MeteringConfig.defaults());   // a fresh pipeline: the same input, replayed, flushed at other moments
    mixedInput(true);
    List<TestRecord<String, Alert>> replay = alerts.readRecordsToList();

    List<String> types = first.stream().map(r -> r.value().getAlertType() + " " + r.value().getStatus()).toList();
    assertTrue(types.contains("OVER_TEMPERATURE OPEN") && types.contains("OVER_TEMPERATURE RESOLVED"), types.toString());
    assertTrue(types.contains("NODE_SILENT OPEN") && types.contains("NODE_SILENT RESOLVED"), types.toString());
    assertTrue(types.contains("LOW_TOKENS_PER_JOULE OPEN") && types.contains("LOW_TOKENS_PER_JOULE RESOLVED"), types.toString());
    assertTrue(types.contains("LOW_CLUSTER_COVERAGE OPEN"), types.toString());
    assertEquals(first.size(), replay.size());
    for (int i = 0; i < first.size(); i++) {
      assertEquals(first.get(i).key(), replay.get(i).key());
      assertEquals(first.get(i).value(), replay.get(i).value());
      assertEquals(first.get(i).getRecordTime(), replay.get(i).getRecordTime());
    }
  }

  /**
   * The node states are on the heap between commits and written to their logged store at each
   * commit (TopologyTestDriver commits after every record), where a restart reloads them.
   */
  @Test
  void theNodeStatesAreInTheStoreAtEveryCommit() {
    start(nodeAlertsOnly());
    hot("n1", "10:00:00", 90f);
    hot("n1", "10:00:10", 91f);
    var store = driver.<String, Object>getKeyValueStore(NodeAlerts.STORE);
    NodeAlerts.NodeState n1 = (NodeAlerts.NodeState) store.get("n1");
    assertEquals(2, n1.hotCount);
    assertEquals(t("10:00:00").toEpochMilli(), n1.hotStart);
    assertEquals(t("10:00:10").toEpochMilli(), n1.lastSeen);
    assertEquals(Long.MIN_VALUE, n1.hotOpen);
    hot("n1", "10:00:20", 92f);
    hot("n2", "10:02:30", 60f);          // n1 silent 140 s
    assertEquals(2, alerts.readRecordsToList().size());
    n1 = (NodeAlerts.NodeState) store.get("n1");
    assertEquals(t("10:00:00").toEpochMilli(), n1.hotOpen);
    assertEquals(t("10:00:20").toEpochMilli(), n1.silentSince);
    assertEquals("c1", n1.clusterId);
  }

  @Test
  void theNodeStateAndBaselineSurviveTheirStoreFormats() {
    NodeAlerts.NodeState s = new NodeAlerts.NodeState();
    s.clusterId = "c1";
    s.lastSeen = 5_000;
    s.silentSince = Long.MIN_VALUE;
    s.hotCount = 2;
    s.hotStart = 3_000;
    s.hotOpen = 3_000;
    s.lowOpen = 60_000;
    NodeAlerts.NodeState.Serde serde = new NodeAlerts.NodeState.Serde();
    NodeAlerts.NodeState back = serde.deserialize("", serde.serialize("", s));
    assertEquals("c1", back.clusterId);
    assertEquals(5_000, back.lastSeen);
    assertEquals(Long.MIN_VALUE, back.silentSince);
    assertEquals(2, back.hotCount);
    assertEquals(3_000, back.hotStart);
    assertEquals(3_000, back.hotOpen);
    assertEquals(60_000, back.lowOpen);

    NodeAlerts.Baseline b = new NodeAlerts.Baseline();
    b.addWindow(0, 10, 2.5);
    b.addWindow(60_000, 20, 4.25);
    NodeAlerts.Baseline.Serde baselineSerde = new NodeAlerts.Baseline.Serde();
    NodeAlerts.Baseline bb = baselineSerde.deserialize("", baselineSerde.serialize("", b));
    assertEquals(2, bb.windows);
    assertEquals(60_000, bb.windowStarts[1]);
    assertEquals(20, bb.windowTokens[1]);
    assertEquals(4.25, bb.windowEnergyJ[1]);
    bb.forgetBefore(1);
    assertEquals(1, bb.windows);
    assertEquals(60_000, bb.windowStarts[0]);
  }
}
