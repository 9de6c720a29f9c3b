package io.factorymeter.app.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.factorymeter.app.MeteringApplication;
import io.factorymeter.app.TestDrivers;
import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.metering.MeteringTopology;
import io.factorymeter.app.serde.AppSerdes;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.NodeMetrics;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.Tariff;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The price history rules of SPEC §2 in the metering topology: full history bounded by versions,
 * back-dated prices, tombstones, invalid prices. Every sample here is node n1 at site s1 with
 * 8 x H100 for 10 s at 3,600 W: 36,000 J = 0.01 kWh, so its energy cost is 0.01 x pricePerKwh x
 * pue, and its capacity cost 8 GPUs x 10/3,600 h x hourlyRate (0.08 at 3.60 per GPU-hour).
 */
class PriceHistoryTopologyTest {

  private static final double EPS = 1e-12;

  private TopologyTestDriver driver;
  private AppSerdes serdes;
  private Serde<NodeSample> samples;
  private TestInputTopic<String, byte[]> telemetry;
  private TestInputTopic<String, byte[]> tariffs;
  private TestInputTopic<String, byte[]> gpuRates;
  private TestOutputTopic<String, NodeMetrics> nodes;

  private void start(MeteringConfig config) {
    serdes = new AppSerdes(Map.of("schema.registry.url", TestDrivers.registryUrl()));
    samples = serdes.values(NodeSample.class);
    driver = TestDrivers.driver(MeteringTopology.build(config, serdes));
    telemetry = driver.createInputTopic("factory.telemetry", new StringSerializer(), new ByteArraySerializer());
    tariffs = driver.createInputTopic("factory.tariffs", new StringSerializer(), new ByteArraySerializer());
    gpuRates = driver.createInputTopic("factory.gpu-rates", new StringSerializer(), new ByteArraySerializer());
    nodes = driver.createOutputTopic("factory.metrics.node.1m", new StringDeserializer(),
        serdes.values(NodeMetrics.class).deserializer());
  }

  @AfterEach
  void stop() {
    if (driver != null) {
      driver.close();
    }
  }

  private void tariff(String site, String currency, double pricePerKwh, double pue, String effectiveFrom) {
    Tariff t = new Tariff(site, currency, pricePerKwh, pue, Instant.parse(effectiveFrom), null);
    tariffs.pipeInput(site, serdes.values(Tariff.class).serializer().serialize("factory.tariffs", t), Instant.parse(effectiveFrom));
  }

  private void gpuRate(double hourlyRate, String effectiveFrom) {
    GpuRate g = new GpuRate("H100-SXM5-80GB", "USD", hourlyRate, Instant.parse(effectiveFrom), null);
    gpuRates.pipeInput("H100-SXM5-80GB", serdes.values(GpuRate.class).serializer().serialize("factory.gpu-rates", g),
        Instant.parse(effectiveFrom));
  }

  /** Sends n1's sample starting at {@code at}; the record's own timestamp is the sample's end (when it was sent). */
  private void sample(String at) {
    NodeSample s = NodeSample.newBuilder()
        .setNodeId("n1").setClusterId("c1").setSite("s1").setGpuModel("H100-SXM5-80GB").setGpuCount(8)
        .setTimestamp(Instant.parse(at)).setIntervalMs(10_000).setPowerWatts(3_600).setEnergyJoules(null)
        .setTemperatureC(60f).setGpuUtilization(0.5f).setUsage(new ArrayList<>()).build();
    telemetry.pipeInput("n1", samples.serializer().serialize("factory.telemetry", s), Instant.parse(at).plusSeconds(10));
  }

  /** The latest node figures of the minute starting at {@code windowStart}. */
  private NodeMetrics minute(Map<String, NodeMetrics> latest, String windowStart) {
    return latest.get("n1|" + windowStart);
  }

  private double counter(String name) {
    return MeteringApplication.counters(driver.metrics()).get(name);
  }

  /** The topic after a flush of the intake's partial sums (wall-clock punctuation, factory.meter.flush.interval). */
  private <K, V> TestOutputTopic<K, V> flushed(TestOutputTopic<K, V> topic) {
    driver.advanceWallClockTime(java.time.Duration.ofSeconds(1));
    return topic;
  }

  @Test
  void aPriceTenYearsOlderThanTheNewestIsKeptAndAppliesToSamplesMeteredAfterIt() {
    start(MeteringConfig.defaults());
    gpuRate(3.60, "2015-01-01T00:00:00Z");
    tariff("s1", "USD", 0.10, 1.2, "2026-01-01T00:00:00Z");
    sample("2015-09-01T10:05:00Z");                               // no tariff in 2015 yet: unpriced
    tariff("s1", "USD", 0.05, 1.5, "2015-06-01T00:00:00Z");     // published now, in effect 10+ years before the other
    sample("2015-09-01T10:04:00Z");                               // metered after it arrived: priced with it
    sample("2015-09-01T10:06:00Z");

    Map<String, NodeMetrics> latest = flushed(nodes).readKeyValuesToMap();
    NodeMetrics before = minute(latest, "2015-09-01T10:05:00Z");
    assertNull(before.getEnergyCost(), "metered before the price arrived: keeps its figures");
    assertEquals(1, before.getUnpricedSamples());
    for (String w : new String[] {"2015-09-01T10:04:00Z", "2015-09-01T10:06:00Z"}) {
      NodeMetrics n = minute(latest, w);
      assertEquals(0.00075, n.getEnergyCost(), EPS, w);        // 0.01 kWh x 0.05 x 1.5
      assertEquals(0.08, n.getCapacityCost(), EPS, w);         // 8 x 10/3600 h x 3.60
      assertEquals(0, n.getUnpricedSamples(), w);
    }
    assertEquals(0.0, counter("prices-invalid"));
  }

  @Test
  void aVersionPublishedAfterALookupIsSeenByTheNextSample() {
    start(MeteringConfig.defaults());
    gpuRate(3.60, "2026-11-01T00:00:00Z");
    tariff("s1", "USD", 0.10, 1.2, "2026-11-01T00:00:00Z");
    sample("2026-11-26T10:00:00Z");                               // looked up (and cached): 0.10 x 1.2
    tariff("s1", "USD", 0.20, 1.0, "2026-11-26T09:00:00Z");     // back-dated, between the first price and the samples
    sample("2026-11-26T10:01:00Z");

    Map<String, NodeMetrics> latest = flushed(nodes).readKeyValuesToMap();
    assertEquals(0.0012, minute(latest, "2026-11-26T10:00:00Z").getEnergyCost(), EPS);   // 0.01 x 0.10 x 1.2
    assertEquals(0.002, minute(latest, "2026-11-26T10:01:00Z").getEnergyCost(), EPS);    // 0.01 x 0.20 x 1.0
  }

  @Test
  void beyondTheVersionBoundTheOldestVersionIsDroppedAndCounted() {
    start(MeteringConfig.defaults().withPriceVersions(2));
    gpuRate(3.60, "2026-10-01T00:00:00Z");
    tariff("s1", "USD", 0.10, 1.0, "2026-11-01T00:00:00Z");
    tariff("s1", "USD", 0.20, 1.0, "2026-11-10T00:00:00Z");
    assertEquals(0.0, counter("price-versions-dropped"));
    tariff("s1", "USD", 0.30, 1.0, "2026-11-20T00:00:00Z");     // a third version with a bound of 2: 11-01 goes
    assertEquals(1.0, counter("price-versions-dropped"));
    PriceVersionStore store = (PriceVersionStore) driver.getStateStore(PriceHistory.TARIFF_STORE);
    assertEquals(2, store.versionCount("s1"));

    sample("2026-11-05T10:00:00Z");                               // only the dropped version covered it
    sample("2026-11-15T10:00:00Z");
    sample("2026-11-25T10:00:00Z");
    Map<String, NodeMetrics> latest = flushed(nodes).readKeyValuesToMap();
    assertNull(minute(latest, "2026-11-05T10:00:00Z").getEnergyCost());
    assertEquals(0.002, minute(latest, "2026-11-15T10:00:00Z").getEnergyCost(), EPS);
    assertEquals(0.003, minute(latest, "2026-11-25T10:00:00Z").getEnergyCost(), EPS);

    // a back-dated version older than both kept ones is stored, then dropped as the oldest: counted, not silent
    tariff("s1", "USD", 0.40, 1.0, "2026-10-15T00:00:00Z");
    assertEquals(2.0, counter("price-versions-dropped"));
    assertEquals(2, store.versionCount("s1"));
  }

  @Test
  void aTombstoneEndsTheSitesPriceAtItsTimestamp() {
    start(MeteringConfig.defaults());
    gpuRate(3.60, "2026-11-01T00:00:00Z");
    tariff("s1", "USD", 0.10, 1.0, "2026-11-01T00:00:00Z");
    tariffs.pipeInput("s1", null, Instant.parse("2026-11-26T10:01:00Z"));
    tariff("s1", "USD", 0.30, 1.0, "2026-11-26T10:02:00Z");
    sample("2026-11-26T10:00:00Z");
    sample("2026-11-26T10:01:00Z");
    sample("2026-11-26T10:02:00Z");

    Map<String, NodeMetrics> latest = flushed(nodes).readKeyValuesToMap();
    assertEquals(0.001, minute(latest, "2026-11-26T10:00:00Z").getEnergyCost(), EPS);
    assertNull(minute(latest, "2026-11-26T10:01:00Z").getEnergyCost());
    assertEquals(1, minute(latest, "2026-11-26T10:01:00Z").getUnpricedSamples());
    assertEquals(0.003, minute(latest, "2026-11-26T10:02:00Z").getEnergyCost(), EPS);
  }

  @Test
  void invalidPricesAreNeitherStoredNorStopTheUpdatesAndTheValidOnesAroundThemApply() {
    start(MeteringConfig.defaults());
    gpuRate(3.60, "2026-11-01T00:00:00Z");
    tariff("s1", "USD", 0.10, 1.2, "2026-11-01T00:00:00Z");
    String at = "2026-11-26T10:01:00Z";
    tariff("s1", "USD", Double.POSITIVE_INFINITY, 1.2, at);
    tariff("s1", "USD", Double.NaN, 1.2, at);
    tariff("s1", "USD", -0.10, 1.2, at);
    tariff("s1", "USD", 0.10, 0.5, at);
    tariff("s1", "XYZ", 0.10, 1.2, at);
    tariffs.pipeInput("s1", "not avro".getBytes(StandardCharsets.UTF_8), Instant.parse(at));
    Tariff otherSite = new Tariff("s2", "USD", 0.50, 1.0, Instant.parse(at), null);
    tariffs.pipeInput("s1", serdes.values(Tariff.class).serializer().serialize("factory.tariffs", otherSite), Instant.parse(at));
    GpuRate free = new GpuRate("H100-SXM5-80GB", "USD", Double.NaN, Instant.parse(at), null);
    gpuRates.pipeInput("H100-SXM5-80GB", serdes.values(GpuRate.class).serializer().serialize("factory.gpu-rates", free),
        Instant.parse(at));
    tariff("s1", "USD", 0.30, 1.0, "2026-11-26T10:02:00Z");     // valid, after the invalid ones

    sample("2026-11-26T10:00:00Z");
    sample("2026-11-26T10:01:00Z");
    sample("2026-11-26T10:02:00Z");

    assertEquals(8.0, counter("prices-invalid"));
    Map<String, NodeMetrics> latest = flushed(nodes).readKeyValuesToMap();
    for (String w : new String[] {"2026-11-26T10:00:00Z", "2026-11-26T10:01:00Z"}) {
      assertEquals(0.0012, minute(latest, w).getEnergyCost(), EPS, w);     // still 0.10 x 1.2
      assertEquals(0.08, minute(latest, w).getCapacityCost(), EPS, w);     // still 3.60
    }
    assertEquals(0.003, minute(latest, "2026-11-26T10:02:00Z").getEnergyCost(), EPS);
    assertEquals(0.0, counter("unpriced"));
  }
}
