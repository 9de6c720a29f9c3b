package io.factorymeter.app.metering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.factorymeter.app.FactoryTopology;
import io.factorymeter.app.TestDrivers;
import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.serde.AppSerdes;
import io.factorymeter.contract.Heartbeat;
import io.factorymeter.schema.BillingLine;
import io.factorymeter.schema.ClusterMetrics;
import io.factorymeter.schema.FleetMetrics;
import io.factorymeter.schema.GpuEmbodied;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.GridIntensity;
import io.factorymeter.schema.NodeMetrics;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.Tariff;
import io.factorymeter.schema.UsageEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC §2a, carbon per window and per billing line, every figure worked out by hand here:
 * operationalCarbonG = Σ energy / 3.6e6 × pue × gco2ePerKwh, embodiedCarbonG = Σ gpuCount × hours
 * × gco2ePerGpuHour, each at the sample's own timestamp; null when a sample lacks a figure.
 */
class CarbonTopologyTest {

  /** Carbon is rounded to 1e-9 g per sample. */
  private static final double EPS = 1e-6;
  private static final Instant FROM = Instant.parse("2026-11-01T00:00:00Z");

  private TopologyTestDriver driver;
  private AppSerdes serdes;
  private Serde<NodeSample> samples;
  private TestInputTopic<String, byte[]> telemetry;
  private TestInputTopic<String, byte[]> intensities;
  private TestInputTopic<String, byte[]> embodied;
  private TestOutputTopic<String, NodeMetrics> nodes;
  private TestOutputTopic<String, ClusterMetrics> clusters;
  private TestOutputTopic<String, FleetMetrics> fleet;
  private TestOutputTopic<String, BillingLine> billing;

  @BeforeEach
  void start() {
    serdes = new AppSerdes(Map.of("schema.registry.url", TestDrivers.registryUrl()));
    samples = serdes.values(NodeSample.class);
    driver = TestDrivers.driver(FactoryTopology.build(MeteringConfig.defaults(), serdes));
    telemetry = driver.createInputTopic("factory.telemetry", new StringSerializer(), new ByteArraySerializer());
    intensities = driver.createInputTopic("factory.grid-intensity", new StringSerializer(), new ByteArraySerializer());
    embodied = driver.createInputTopic("factory.gpu-embodied", new StringSerializer(), new ByteArraySerializer());
    nodes = driver.createOutputTopic("factory.metrics.node.1m", new StringDeserializer(), serdes.values(NodeMetrics.class).deserializer());
    clusters = driver.createOutputTopic("factory.metrics.cluster.1m", new StringDeserializer(),
        serdes.values(ClusterMetrics.class).deserializer());
    fleet = driver.createOutputTopic("factory.metrics.fleet.1m", new StringDeserializer(), serdes.values(FleetMetrics.class).deserializer());
    billing = driver.createOutputTopic("factory.billing.hourly", new StringDeserializer(), serdes.values(BillingLine.class).deserializer());
    TestInputTopic<String, byte[]> tariffs = driver.createInputTopic("factory.tariffs", new StringSerializer(), new ByteArraySerializer());
    TestInputTopic<String, byte[]> rates = driver.createInputTopic("factory.gpu-rates", new StringSerializer(), new ByteArraySerializer());
    // s1: PUE 1.5; s2: PUE 1.2 and no grid intensity at all
    tariffs.pipeInput("s1", serdes.values(Tariff.class).serializer().serialize("factory.tariffs", new Tariff("s1", "USD", 0.10, 1.5, FROM, null)), FROM);
    tariffs.pipeInput("s2", serdes.values(Tariff.class).serializer().serialize("factory.tariffs", new Tariff("s2", "USD", 0.10, 1.2, FROM, null)), FROM);
    rates.pipeInput("H100-SXM5-80GB", serdes.values(GpuRate.class).serializer().serialize("factory.gpu-rates",
        new GpuRate("H100-SXM5-80GB", "USD", 2.00, FROM, null)), FROM);
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private void intensity(String site, double g, String effectiveFrom) {
    Instant at = Instant.parse(effectiveFrom);
    intensities.pipeInput(site, serdes.values(GridIntensity.class).serializer().serialize("factory.grid-intensity",
        new GridIntensity(site, g, at, null, null)), at);
  }

  private void embodied(String gpuModel, double g, String effectiveFrom) {
    Instant at = Instant.parse(effectiveFrom);
    embodied.pipeInput(gpuModel, serdes.values(GpuEmbodied.class).serializer().serialize("factory.gpu-embodied",
        new GpuEmbodied(gpuModel, g, at, null, null)), at);
  }

  /** 8 x H100 at 4,000 W for 10 s: 40,000 J; node n1 of cluster c1 at site s1. */
  private void send(String hhmmss, Consumer<NodeSample.Builder> change) {
    NodeSample.Builder b = NodeSample.newBuilder()
        .setNodeId("n1").setClusterId("c1").setSite("s1").setGpuModel("H100-SXM5-80GB").setGpuCount(8)
        .setTimestamp(Instant.parse("2026-11-26T" + hhmmss + "Z")).setIntervalMs(10_000).setPowerWatts(4_000)
        .setEnergyJoules(null).setTemperatureC(60f).setGpuUtilization(0.5f)
        .setUsage(new ArrayList<>(List.of(new UsageEntry("t1", "m1", 400L, 600L))));
    change.accept(b);
    NodeSample s = b.build();
    telemetry.pipeInput(s.getNodeId(), samples.serializer().serialize("factory.telemetry", s), Instant.parse("2026-12-01T00:00:00Z"));
  }

  private void heartbeat(String instant) {
    long at = Instant.parse(instant).toEpochMilli();
    telemetry.pipeInput(new TestRecord<>(Heartbeat.KEY, null,
        new RecordHeaders().add(Heartbeat.HEADER, Heartbeat.headerValue(at)), Instant.ofEpochMilli(at)));
  }

  private static <V> V last(TestOutputTopic<String, V> topic, String key) {
    V found = null;
    for (var kv : topic.readKeyValuesToList()) {
      if (kv.key.equals(key)) {
        found = kv.value;
      }
    }
    assertNotNull(found, key);
    return found;
  }

  /**
   * Site s1 has PUE 1.5 and a grid intensity of 400 g/kWh until 10:00:30, 200 g/kWh from then on;
   * H100s embody 25 g per GPU-hour. Four samples of 40,000 J each, at 10:00:00 and 10:00:20 (400) and
   * 10:00:30 and 10:00:40 (200):
   * <ul>
   *   <li>operational: 40,000 J / 3.6e6 × 1.5 = 1/60 kWh of the facility per sample; × 400 = 6.6667 g
   *       twice, × 200 = 3.3333 g twice: 20 g;</li>
   *   <li>embodied: 8 GPUs × 10 s / 3,600 s × 25 g = 0.5556 g per sample, 2.2222 g for four;</li>
   *   <li>carbon 22.2222 g over 4 × 1,000 tokens: 5,555.56 g per million tokens.</li>
   * </ul>
   * Node, cluster and fleet have these figures, and t1's billing line (all the tokens) carries them.
   */
  @Test
  void operationalCarbonUsesThePueAndTheIntensityInEffectAtEachSampleEvenInsideAMinute() {
    intensity("s1", 400, "2026-11-01T00:00:00Z");
    intensity("s1", 200, "2026-11-26T10:00:30Z");
    embodied("H100-SXM5-80GB", 25, "2026-11-01T00:00:00Z");
    for (String t : List.of("10:00:00", "10:00:20", "10:00:30", "10:00:40")) {
      send(t, b -> { });
    }
    heartbeat("2026-11-26T11:10:00Z");   // the minute final, the hour's billing line closed
    double operational = 2 * (40_000 / 3.6e6 * 1.5 * 400) + 2 * (40_000 / 3.6e6 * 1.5 * 200);
    assertEquals(20.0, operational, 1e-12);
    double embodiedG = 4 * 8 * (10.0 / 3600) * 25;
    assertEquals(2.2222222222, embodiedG, 1e-9);

    NodeMetrics n = last(nodes, "n1|2026-11-26T10:00:00Z");
    assertEquals(20.0, n.getOperationalCarbonG(), EPS);
    assertEquals(embodiedG, n.getEmbodiedCarbonG(), EPS);
    assertEquals(20.0 + embodiedG, n.getCarbonG(), EPS);
    assertEquals((20.0 + embodiedG) / 4_000 * 1e6, n.getCarbonPerMillionTokens(), 1e-3);
    ClusterMetrics c = last(clusters, "c1|2026-11-26T10:00:00Z");
    assertEquals(20.0, c.getOperationalCarbonG(), EPS);
    assertEquals(20.0 + embodiedG, c.getCarbonG(), EPS);
    FleetMetrics f = last(fleet, "fleet|2026-11-26T10:00:00Z");
    assertEquals(20.0, f.getOperationalCarbonG(), EPS);
    assertEquals(embodiedG, f.getEmbodiedCarbonG(), EPS);
    assertEquals(5_555.5555556, f.getCarbonPerMillionTokens(), 1e-3);
    BillingLine line = last(billing, "t1|m1|2026-11-26T10:00:00Z");
    assertEquals(20.0, line.getOperationalCarbonG(), EPS);
    assertEquals(embodiedG, line.getEmbodiedCarbonG(), EPS);
    assertEquals(20.0 + embodiedG, line.getCarbonG(), EPS);
  }

  /**
   * n2 at site s2, which has a tariff but no grid intensity: its operational carbon is unknown, so
   * null on its node window and on every window and line it is summed into (as for prices), while
   * the embodied figure (no grid needed) is still given. Cluster c1 holds n1 (s1, 300 g/kWh) and n2.
   */
  @Test
  void aSampleWithoutAGridIntensityMakesOperationalCarbonNullWhereverItIsSummed() {
    intensity("s1", 300, "2026-11-01T00:00:00Z");
    embodied("H100-SXM5-80GB", 36, "2026-11-01T00:00:00Z");
    send("10:00:00", b -> { });
    send("10:00:00", b -> b.setNodeId("n2").setSite("s2").setUsage(List.of(new UsageEntry("t2", "m1", 100L, 100L))));
    heartbeat("2026-11-26T11:10:00Z");
    double embodiedPerSample = 8 * (10.0 / 3600) * 36;   // 0.8 g
    assertEquals(0.8, embodiedPerSample, 1e-12);
    Map<String, NodeMetrics> nodeWindows = nodes.readKeyValuesToMap();
    NodeMetrics n1 = nodeWindows.get("n1|2026-11-26T10:00:00Z");
    assertEquals(5.0, n1.getOperationalCarbonG(), EPS);   // 40,000 J / 3.6e6 × 1.5 × 300 g/kWh
    assertEquals(5.0 + 0.8, n1.getCarbonG(), EPS);
    NodeMetrics n2 = nodeWindows.get("n2|2026-11-26T10:00:00Z");
    assertNull(n2.getOperationalCarbonG(), "s2 has no grid intensity");
    assertEquals(0.8, n2.getEmbodiedCarbonG(), EPS);
    assertNull(n2.getCarbonG());
    assertNull(n2.getCarbonPerMillionTokens());
    ClusterMetrics c1 = last(clusters, "c1|2026-11-26T10:00:00Z");
    assertNull(c1.getOperationalCarbonG(), "n2 lacks a grid intensity");
    assertNull(c1.getCarbonG());
    assertNull(c1.getCarbonPerMillionTokens());
    assertEquals(2 * embodiedPerSample, c1.getEmbodiedCarbonG(), EPS);
    assertNotNull(c1.getTotalCost(), "prices are complete: the costs are not affected");
    Map<String, BillingLine> lines = billing.readKeyValuesToMap();
    assertEquals(5.0, lines.get("t1|m1|2026-11-26T10:00:00Z").getOperationalCarbonG(), EPS);
    assertNull(lines.get("t2|m1|2026-11-26T10:00:00Z").getOperationalCarbonG());
    assertEquals(embodiedPerSample, lines.get("t2|m1|2026-11-26T10:00:00Z").getEmbodiedCarbonG(), EPS);
  }

  /**
   * SPEC §2a with §3: carbon is attributed like energy, and conserved per hour. One sample of t1 (400
   * tokens) and t2 (1,200 tokens) at 350 g/kWh, one idle sample: t1 gets a quarter of the first
   * sample's carbon, t2 three quarters, _idle all of the second's; the lines add up to the fleet.
   * No embodied figure is published: embodied and total carbon are null, operational is not.
   */
  @Test
  void carbonIsAttributedLikeEnergyAndTheLinesAddUpToTheFleet() {
    intensity("s1", 350, "2026-11-01T00:00:00Z");
    send("10:00:00", b -> b.setUsage(List.of(new UsageEntry("t1", "m1", 100L, 300L), new UsageEntry("t2", "m1", 200L, 1_000L))));
    send("10:00:10", b -> b.setUsage(List.of()));
    heartbeat("2026-11-26T11:10:00Z");
    double perSample = 40_000 / 3.6e6 * 1.5 * 350;   // 5.8333 g
    Map<String, BillingLine> lines = billing.readKeyValuesToMap();
    assertEquals(0.25 * perSample, lines.get("t1|m1|2026-11-26T10:00:00Z").getOperationalCarbonG(), EPS);
    assertEquals(0.75 * perSample, lines.get("t2|m1|2026-11-26T10:00:00Z").getOperationalCarbonG(), EPS);
    assertEquals(perSample, lines.get("_idle|_idle|2026-11-26T10:00:00Z").getOperationalCarbonG(), EPS);
    assertNull(lines.get("t1|m1|2026-11-26T10:00:00Z").getEmbodiedCarbonG(), "no embodied figure for H100");
    assertNull(lines.get("t1|m1|2026-11-26T10:00:00Z").getCarbonG());
    FleetMetrics f = last(fleet, "fleet|2026-11-26T10:00:00Z");
    double sum = lines.values().stream().mapToDouble(BillingLine::getOperationalCarbonG).sum();
    assertEquals(f.getOperationalCarbonG(), sum, 1e-9 * f.getOperationalCarbonG());
    assertEquals(2 * perSample, f.getOperationalCarbonG(), EPS);
  }
}
