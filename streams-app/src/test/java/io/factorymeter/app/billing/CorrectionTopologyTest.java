package io.factorymeter.app.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.factorymeter.app.FactoryTopology;
import io.factorymeter.app.MeteringApplication;
import io.factorymeter.app.TestDrivers;
import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.serde.AppSerdes;
import io.factorymeter.contract.Heartbeat;
import io.factorymeter.schema.BillingLine;
import io.factorymeter.schema.FleetMetrics;
import io.factorymeter.schema.GpuEmbodied;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.GridIntensity;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.Tariff;
import io.factorymeter.schema.UsageEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Corrections of reference data restate bills (SPEC §2a), worked out by hand.
 *
 * <p>Reference data: tariff s1 0.20 /kWh at PUE 1.5 and H100 rate 2.00 /GPU-h from 2026-11-01;
 * grid intensity s1 400 g/kWh; embodied 25 g/GPU-h. Every sample is n1, 8 GPUs, 3,600 W for 10 s
 * (36,000 J = 3.6e10 µJ; 8 × 10,000 ms = 8e10 GPU-ns), tenant t1 model m1, 400 + 600 tokens:
 * <pre>
 *   energy cost      3.6e10 µJ × 0.20 × 1.5 / 3.6         = 3,000,000,000 ps     = 0.003
 *                    at 0.50: 3.6e10 × 0.50 × 1.5 / 3.6   = 7,500,000,000 ps     = 0.0075
 *   capacity cost    8e10 GPU-ns × 2.00 / 3.6             = 44,444,444,444.4 ps → 0.044444444444
 *   operational CO2e 3.6e10 × 1.5 × 400 / 3,600           = 6,000,000,000 ng     = 6 g
 *   embodied CO2e    8e10 × 25 / 3,600                    = 555,555,555.6 ng   → 0.555555556 g
 * </pre>
 * Defaults: one partition, billing grace 10 min, restatement horizon 48 h, batches of 1 min.
 */
class CorrectionTopologyTest {

  private static final String DAY = "2026-11-26T";
  private static final double EPS = 1e-12;

  private final List<TopologyTestDriver> drivers = new ArrayList<>();
  private TopologyTestDriver driver;
  private AppSerdes serdes;
  private TestInputTopic<String, byte[]> telemetry;
  private TestInputTopic<String, byte[]> tariffs;
  private TestInputTopic<String, byte[]> intensities;
  private TestOutputTopic<String, BillingLine> billing;
  private TestOutputTopic<String, FleetMetrics> fleet;

  /** A fresh driver with the reference data of the class comment. */
  private void start() throws Exception {
    serdes = new AppSerdes(Map.of("schema.registry.url", TestDrivers.registryUrl()));
    driver = TestDrivers.driver(FactoryTopology.build(MeteringConfig.defaults(), serdes));
    drivers.add(driver);
    telemetry = driver.createInputTopic("factory.telemetry", new StringSerializer(), new ByteArraySerializer());
    billing = driver.createOutputTopic("factory.billing.hourly", new StringDeserializer(),
        serdes.values(BillingLine.class).deserializer());
    fleet = driver.createOutputTopic("factory.metrics.fleet.1m", new StringDeserializer(),
        serdes.values(FleetMetrics.class).deserializer());
    tariffs = driver.createInputTopic("factory.tariffs", new StringSerializer(), new ByteArraySerializer());
    intensities = driver.createInputTopic("factory.grid-intensity", new StringSerializer(), new ByteArraySerializer());
    TestInputTopic<String, byte[]> rates = driver.createInputTopic("factory.gpu-rates", new StringSerializer(), new ByteArraySerializer());
    TestInputTopic<String, byte[]> embodied = driver.createInputTopic("factory.gpu-embodied", new StringSerializer(),
        new ByteArraySerializer());
    Instant from = Instant.parse("2026-11-01T00:00:00Z");
    tariff(0.20, "2026-11-01T00:00:00Z", null);
    rates.pipeInput("H100-SXM5-80GB", serdes.values(GpuRate.class).serializer().serialize("factory.gpu-rates",
        new GpuRate("H100-SXM5-80GB", "USD", 2.00, from, null)), from);
    intensity(400, "2026-11-01T00:00:00Z", null);
    embodied.pipeInput("H100-SXM5-80GB", serdes.values(GpuEmbodied.class).serializer().serialize("factory.gpu-embodied",
        new GpuEmbodied("H100-SXM5-80GB", 25.0, from, null, null)), from);
  }

  @AfterEach
  void stop() {
    drivers.forEach(TopologyTestDriver::close);
  }

  private void tariff(double pricePerKwh, String effectiveFrom, String publishedAt) {
    Instant at = Instant.parse(effectiveFrom);
    tariffs.pipeInput("s1", serdes.values(Tariff.class).serializer().serialize("factory.tariffs",
        new Tariff("s1", "USD", pricePerKwh, 1.5, at, publishedAt == null ? null : Instant.parse(publishedAt))), at);
  }

  private void intensity(double gco2ePerKwh, String effectiveFrom, String publishedAt) {
    Instant at = Instant.parse(effectiveFrom);
    intensities.pipeInput("s1", serdes.values(GridIntensity.class).serializer().serialize("factory.grid-intensity",
        new GridIntensity("s1", gco2ePerKwh, at, null, publishedAt == null ? null : Instant.parse(publishedAt))), at);
  }

  /** The sample of the class comment at {@code instant}. */
  private void sample(String instant) {
    NodeSample s = NodeSample.newBuilder()
        .setNodeId("n1").setClusterId("c1").setSite("s1").setGpuModel("H100-SXM5-80GB").setGpuCount(8)
        .setTimestamp(Instant.parse(instant)).setIntervalMs(10_000).setPowerWatts(3_600)
        .setEnergyJoules(null).setTemperatureC(60f).setGpuUtilization(0.5f)
        .setUsage(List.of(new UsageEntry("t1", "m1", 400L, 600L))).build();
    telemetry.pipeInput("n1", serdes.values(NodeSample.class).serializer().serialize("factory.telemetry", s));
  }

  private void heartbeat(String instant) {
    long at = Instant.parse(instant).toEpochMilli();
    telemetry.pipeInput(new TestRecord<>(Heartbeat.KEY, null,
        new RecordHeaders().add(Heartbeat.HEADER, Heartbeat.headerValue(at)), Instant.ofEpochMilli(at)));
    driver.advanceWallClockTime(java.time.Duration.ofSeconds(1));   // the intake's flush punctuation
  }

  private List<KeyValue<String, BillingLine>> lines() {
    return billing.readKeyValuesToList();
  }

  private double counter(String name) {
    return MeteringApplication.counters(driver.metrics()).get(name);
  }

  /** A line with its revision set to 1, to compare a restated line with a from-the-start line. */
  private static BillingLine asRevision1(BillingLine line) {
    return BillingLine.newBuilder(line).setRevision(1).build();
  }

  private static void assertFigures(BillingLine line, int revision, double energyCost, double operationalCarbonG) {
    assertEquals(revision, line.getRevision());
    assertEquals(400, line.getPromptTokens());
    assertEquals(600, line.getCompletionTokens());
    assertEquals(36_000, line.getEnergyJ(), EPS);
    assertEquals(energyCost, line.getEnergyCost(), EPS);
    assertEquals(0.044444444444, line.getCapacityCost(), EPS);
    assertEquals(energyCost + 0.044444444444, line.getTotalCost(), EPS);
    assertEquals((energyCost + 0.044444444444) / 1_000 * 1e6, line.getCostPerMillionTokens(), 1e-9);
    assertEquals(operationalCarbonG, line.getOperationalCarbonG(), 1e-9);
    assertEquals(0.555555556, line.getEmbodiedCarbonG(), 1e-9);
    assertEquals(operationalCarbonG + 0.555555556, line.getCarbonG(), 1e-9);
  }

  /** Samples at 09:15, 10:15 and 11:15 and a heartbeat at 12:10: the three lines, revision 1. */
  private List<KeyValue<String, BillingLine>> threeClosedHours() {
    sample(DAY + "09:15:00Z");
    sample(DAY + "10:15:00Z");
    sample(DAY + "11:15:00Z");
    heartbeat(DAY + "12:10:00Z");
    return lines();
  }

  @Test
  void aCorrectionRestatesTwoClosedHoursAsIfItHadBeenThereFromTheStart() throws Exception {
    start();
    List<KeyValue<String, BillingLine>> first = threeClosedHours();
    assertEquals(List.of("t1|m1|2026-11-26T09:00:00Z", "t1|m1|2026-11-26T10:00:00Z", "t1|m1|2026-11-26T11:00:00Z"),
        first.stream().map(kv -> kv.key).toList());
    first.forEach(kv -> assertFigures(kv.value, 1, 0.003, 6));

    // the utility's final tariff: 0.50 from 10:00, published at 12:30
    tariff(0.50, DAY + "10:00:00Z", DAY + "12:30:00Z");
    heartbeat(DAY + "12:30:59Z");
    assertEquals(List.of(), lines(), "applied at the first batch close after publishedAt (12:31), not before");
    heartbeat(DAY + "12:31:00Z");
    Map<String, BillingLine> restated = lines().stream().collect(Collectors.toMap(kv -> kv.key, kv -> kv.value,
        (a, b) -> b, LinkedHashMap::new));
    // 09:00 lies before the correction's effectiveFrom: its figures did not change, so it is not re-emitted
    assertEquals(List.of("t1|m1|2026-11-26T10:00:00Z", "t1|m1|2026-11-26T11:00:00Z"), List.copyOf(restated.keySet()));
    restated.values().forEach(line -> assertFigures(line, 2, 0.0075, 6));
    assertEquals(51.944444444, restated.get("t1|m1|2026-11-26T10:00:00Z").getCostPerMillionTokens(), 1e-9);
    assertEquals(1, counter("corrections-applied"));
    assertEquals(0, counter("corrections-anchor-passed"));
    assertEquals(0, counter("corrections-beyond-horizon"));

    // control: a run that had 0.50 from 10:00 from the start
    start();
    tariff(0.50, DAY + "10:00:00Z", null);
    Map<String, BillingLine> control = threeClosedHours().stream().collect(Collectors.toMap(kv -> kv.key, kv -> kv.value));
    assertFigures(control.get("t1|m1|2026-11-26T10:00:00Z"), 1, 0.0075, 6);
    assertFigures(control.get("t1|m1|2026-11-26T09:00:00Z"), 1, 0.003, 6);
    for (Map.Entry<String, BillingLine> e : restated.entrySet()) {
      assertEquals(control.get(e.getKey()), asRevision1(e.getValue()), e.getKey());
    }
  }

  @Test
  void aVersionInsideAnIntervalSplitsIt() throws Exception {
    start();
    sample(DAY + "10:15:00Z");
    sample(DAY + "10:45:00Z");
    heartbeat(DAY + "11:10:00Z");
    BillingLine before = lines().get(0).value;
    assertEquals(12, before.getOperationalCarbonG(), 1e-9);
    // 2 × 555,555,555.6 ng = 1,111,111,111.1 ng, rounded once per line
    assertEquals(1.111111111, before.getEmbodiedCarbonG(), 1e-12);

    // intensity 200 from 10:30 (splitting the version from 11-01), published 11:20
    intensity(200, DAY + "10:30:00Z", DAY + "11:20:00Z");
    heartbeat(DAY + "11:21:00Z");
    List<KeyValue<String, BillingLine>> restated = lines();
    assertEquals(1, restated.size());
    BillingLine after = restated.get(0).value;
    assertEquals(2, after.getRevision());
    // 10:15 keeps 400 g/kWh: 6 g; 10:45 at 200 g/kWh: 3.6e10 × 1.5 × 200 / 3,600 = 3 g
    assertEquals(9, after.getOperationalCarbonG(), 1e-12);
    assertEquals(10.111111111, after.getCarbonG(), 1e-12);
    assertEquals(before.getTotalCost(), after.getTotalCost(), "money does not change");

    start();
    intensity(200, DAY + "10:30:00Z", null);
    sample(DAY + "10:15:00Z");
    sample(DAY + "10:45:00Z");
    heartbeat(DAY + "11:10:00Z");
    assertEquals(lines().get(0).value, asRevision1(after));
  }

  @Test
  void aReplacementOfAVersionRestatesEveryLineItCovers() throws Exception {
    start();
    threeClosedHours();
    sample(DAY + "12:05:00Z");   // its line (12:00) is not emitted yet at 12:31: it picks the correction up at its own close
    // 0.50 replaces the version from 11-01 (same effectiveFrom), published 12:30
    tariff(0.50, "2026-11-01T00:00:00Z", DAY + "12:30:00Z");
    heartbeat(DAY + "12:31:00Z");
    List<KeyValue<String, BillingLine>> restated = lines();
    assertEquals(List.of("t1|m1|2026-11-26T09:00:00Z", "t1|m1|2026-11-26T10:00:00Z", "t1|m1|2026-11-26T11:00:00Z"),
        restated.stream().map(kv -> kv.key).toList());
    restated.forEach(kv -> assertFigures(kv.value, 2, 0.0075, 6));
    heartbeat(DAY + "13:10:00Z");
    List<KeyValue<String, BillingLine>> noon = lines();
    assertEquals(1, noon.size());
    assertEquals("t1|m1|2026-11-26T12:00:00Z", noon.get(0).key);
    assertFigures(noon.get(0).value, 1, 0.0075, 6);
  }

  @Test
  void aCorrectionPastTheHorizonIsCountedAndLogged() throws Exception {
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    Logger logger = (Logger) LoggerFactory.getLogger(BillingPeriods.class);
    log.start();
    logger.addAppender(log);
    try {
      start();
      sample("2026-11-24T10:15:00Z");
      sample("2026-11-25T10:15:00Z");
      sample(DAY + "10:15:00Z");
      heartbeat(DAY + "12:00:00Z");
      assertEquals(3, lines().size());
      tariff(0.50, "2026-11-24T10:00:00Z", DAY + "12:30:00Z");
      heartbeat(DAY + "12:31:00Z");
      List<KeyValue<String, BillingLine>> restated = lines();
      // 11-24 10:00 ends at 11:00; + 48 h = 11-26 11:00, before the close 12:31: past the horizon
      assertEquals(List.of("t1|m1|2026-11-25T10:00:00Z", "t1|m1|2026-11-26T10:00:00Z"),
          restated.stream().map(kv -> kv.key).toList());
      restated.forEach(kv -> assertFigures(kv.value, 2, 0.0075, 6));
      assertEquals(1, counter("corrections-beyond-horizon"));
      ILoggingEvent warning = log.list.stream().filter(e -> e.getFormattedMessage().contains("past the restatement horizon"))
          .findFirst().orElse(null);
      assertNotNull(warning, "a WARN names the correction");
      assertEquals(ch.qos.logback.classic.Level.WARN, warning.getLevel());
      assertTrue(warning.getFormattedMessage().contains("2026-11-24T10:00:00Z"), warning.getFormattedMessage());
    } finally {
      logger.detachAppender(log);
    }
  }

  /** Where the correction is piped in test 1's sequence. */
  private enum When { BEFORE_ANY_SAMPLE, AFTER_THE_SAMPLES, BETWEEN_HEARTBEATS }

  private List<KeyValue<String, BillingLine>> runWithCorrection(When when) throws Exception {
    start();
    if (when == When.BEFORE_ANY_SAMPLE) {
      tariff(0.50, DAY + "10:00:00Z", DAY + "12:30:00Z");
    }
    sample(DAY + "09:15:00Z");
    sample(DAY + "10:15:00Z");
    sample(DAY + "11:15:00Z");
    if (when == When.AFTER_THE_SAMPLES) {
      tariff(0.50, DAY + "10:00:00Z", DAY + "12:30:00Z");
    }
    heartbeat(DAY + "12:10:00Z");
    if (when == When.BETWEEN_HEARTBEATS) {
      tariff(0.50, DAY + "10:00:00Z", DAY + "12:30:00Z");
    }
    heartbeat(DAY + "12:30:00Z");
    heartbeat(DAY + "12:31:00Z");
    heartbeat(DAY + "13:10:00Z");
    return lines();
  }

  @Test
  void theSameInputGivesTheSameRevisionsWheneverTheCorrectionArrives() throws Exception {
    List<KeyValue<String, BillingLine>> reference = runWithCorrection(When.BETWEEN_HEARTBEATS);
    Map<String, FleetMetrics> referenceFleet = fleet.readKeyValuesToMap();
    assertEquals(5, reference.size(), "three lines, then two restated");
    assertEquals(0, counter("corrections-anchor-passed"));
    // metric windows are priced as known at their samples' stream time (before 12:30): 0.20 /kWh
    assertEquals(0.003, referenceFleet.get("fleet|2026-11-26T10:15:00Z").getEnergyCost(), EPS);
    assertEquals(0.003, referenceFleet.get("fleet|2026-11-26T11:15:00Z").getEnergyCost(), EPS);
    for (When when : When.values()) {
      assertEquals(reference, runWithCorrection(when), when.name());
      assertEquals(referenceFleet, fleet.readKeyValuesToMap(), "fleet windows, " + when.name());
      assertEquals(0, counter("corrections-anchor-passed"), when.name());
    }
  }

  @Test
  void samplesMeteredAfterACorrectionWasPublishedUseItInMetricsToo() throws Exception {
    start();
    tariff(0.50, DAY + "10:00:00Z", DAY + "10:30:00Z");
    sample(DAY + "10:15:00Z");   // stream time 10:15: the correction is not known yet
    sample(DAY + "10:45:00Z");   // stream time 10:45: it is
    heartbeat(DAY + "11:10:00Z");
    Map<String, FleetMetrics> windows = fleet.readKeyValuesToMap();
    assertEquals(0.003, windows.get("fleet|2026-11-26T10:15:00Z").getEnergyCost(), EPS);
    assertEquals(0.0075, windows.get("fleet|2026-11-26T10:45:00Z").getEnergyCost(), EPS);
    // the line of 10:00 is emitted at 11:10, after the correction's close (10:31): both samples at 0.50
    BillingLine line = lines().get(0).value;
    assertEquals(1, line.getRevision());
    assertEquals(2 * 0.0075, line.getEnergyCost(), EPS);
  }

  @Test
  void aVersionWithoutPublishedAtThatTookEffectBeforeTheStreamTimeIsAppliedAtTheNextCloseAndCounted() throws Exception {
    start();
    threeClosedHours();
    tariff(0.50, DAY + "11:00:00Z", null);   // no publishedAt: known from 11:00, but arriving at stream time 12:10
    heartbeat(DAY + "12:10:30Z");
    heartbeat(DAY + "12:11:00Z");
    List<KeyValue<String, BillingLine>> restated = lines();
    assertEquals(List.of("t1|m1|2026-11-26T11:00:00Z"), restated.stream().map(kv -> kv.key).toList());
    assertFigures(restated.get(0).value, 2, 0.0075, 6);
    assertEquals(1, counter("corrections-anchor-passed"));
  }

  @Test
  void aCorrectionArrivingAfterItsAnchorIsAppliedAtTheNextCloseAndCounted() throws Exception {
    start();
    threeClosedHours();
    heartbeat(DAY + "12:40:00Z");
    tariff(0.50, DAY + "10:00:00Z", DAY + "12:30:00Z");   // billing has emitted up to 12:40 already
    heartbeat(DAY + "12:40:30Z");
    assertEquals(List.of(), lines());
    heartbeat(DAY + "12:41:00Z");
    List<KeyValue<String, BillingLine>> restated = lines();
    assertEquals(List.of("t1|m1|2026-11-26T10:00:00Z", "t1|m1|2026-11-26T11:00:00Z"), restated.stream().map(kv -> kv.key).toList());
    restated.forEach(kv -> assertFigures(kv.value, 2, 0.0075, 6));
    assertEquals(1, counter("corrections-anchor-passed"));
  }
}
