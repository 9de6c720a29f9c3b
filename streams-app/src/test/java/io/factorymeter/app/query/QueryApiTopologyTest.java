package io.factorymeter.app.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factorymeter.app.FactoryTopology;
import io.factorymeter.app.TestDrivers;
import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.http.QueryApi;
import io.factorymeter.app.serde.AppSerdes;
import io.factorymeter.schema.BillingLine;
import io.factorymeter.schema.GpuEmbodied;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.GridIntensity;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.Tariff;
import io.factorymeter.schema.UsageEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The query API over the whole topology's views in a TopologyTestDriver, one instance: samples
 * with hand-set timestamps in, figures worked out by hand (or read from the output topic, an
 * independent path) out of {@link QueryApi}.
 */
class QueryApiTopologyTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double EPS = 1e-9;

  private TopologyTestDriver driver;
  private AppSerdes serdes;
  private Serde<NodeSample> samples;
  private TestInputTopic<String, byte[]> telemetry;
  private TestOutputTopic<String, BillingLine> billing;
  private QueryApi api;

  @BeforeEach
  void start() {
    start(MeteringConfig.defaults());
  }

  void start(MeteringConfig config) {
    if (driver != null) {
      driver.close();
    }
    serdes = new AppSerdes(Map.of("schema.registry.url", TestDrivers.registryUrl()));
    samples = serdes.values(NodeSample.class);
    driver = TestDrivers.driver(FactoryTopology.build(config, serdes));
    telemetry = driver.createInputTopic("factory.telemetry", new StringSerializer(), new ByteArraySerializer());
    billing = driver.createOutputTopic("factory.billing.hourly", new StringDeserializer(), serdes.values(BillingLine.class).deserializer());
    Instant from = Instant.parse("2026-11-01T00:00:00Z");
    driver.createInputTopic("factory.tariffs", new StringSerializer(), new ByteArraySerializer())
        .pipeInput("s1", serdes.values(Tariff.class).serializer().serialize("factory.tariffs", new Tariff("s1", "USD", 0.10, 1.5, from, null)), from);
    driver.createInputTopic("factory.gpu-rates", new StringSerializer(), new ByteArraySerializer())
        .pipeInput("H100-SXM5-80GB", serdes.values(GpuRate.class).serializer().serialize("factory.gpu-rates",
            new GpuRate("H100-SXM5-80GB", "USD", 2.00, from, null)), from);
    driver.createInputTopic("factory.grid-intensity", new StringSerializer(), new ByteArraySerializer())
        .pipeInput("s1", serdes.values(GridIntensity.class).serializer().serialize("factory.grid-intensity",
            new GridIntensity("s1", 500.0, from, null, null)), from);
    driver.createInputTopic("factory.gpu-embodied", new StringSerializer(), new ByteArraySerializer())
        .pipeInput("H100-SXM5-80GB", serdes.values(GpuEmbodied.class).serializer().serialize("factory.gpu-embodied",
            new GpuEmbodied("H100-SXM5-80GB", 30.0, from, null, null)), from);
    LocalViews local = new LocalViews(new LocalViews.Stores() {
      @Override
      @SuppressWarnings({"unchecked", "rawtypes"})
      public ReadOnlyWindowStore<String, SpecificRecord> window(String name) {
        return (ReadOnlyWindowStore) driver.getWindowStore(name);
      }

      @Override
      @SuppressWarnings({"unchecked", "rawtypes"})
      public ReadOnlyKeyValueStore<String, SpecificRecord> keyValue(String name) {
        return (ReadOnlyKeyValueStore) driver.getKeyValueStore(name);
      }
    });
    api = new QueryApi(new ViewSource() {
      @Override
      public List<ObjectNode> fromOwner(ViewQuery q) {
        return local.answer(q);
      }

      @Override
      public List<ObjectNode> fromAll(ViewQuery q) {
        return local.answer(q);
      }

      @Override
      public LocalViews local() {
        return local;
      }
    });
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  /** A 10 s sample (8 x H100, site s1) at 2026-11-26T{@code hhmmss}Z; adjust with {@code change}. */
  static NodeSample sample(String node, String cluster, String hhmmss, Consumer<NodeSample.Builder> change) {
    NodeSample.Builder b = NodeSample.newBuilder()
        .setNodeId(node).setClusterId(cluster).setSite("s1").setGpuModel("H100-SXM5-80GB").setGpuCount(8)
        .setTimestamp(Instant.parse("2026-11-26T" + hhmmss + "Z")).setIntervalMs(10_000).setPowerWatts(4_000)
        .setEnergyJoules(null).setTemperatureC(60f).setGpuUtilization(0.5f).setUsage(new ArrayList<>());
    change.accept(b);
    return b.build();
  }

  void send(NodeSample s) {
    telemetry.pipeInput(s.getNodeId(), samples.serializer().serialize("factory.telemetry", s), Instant.parse("2026-12-01T00:00:00Z"));
    driver.advanceWallClockTime(Duration.ofSeconds(1));   // the intake's flush of partial sums (wall-clock punctuation)
  }

  JsonNode get(String pathAndQuery, int status) throws Exception {
    int q = pathAndQuery.indexOf('?');
    QueryApi.Answer a = api.get(q < 0 ? pathAndQuery : pathAndQuery.substring(0, q), q < 0 ? null : pathAndQuery.substring(q + 1));
    assertEquals(status, a.status(), a.json());
    return JSON.readTree(a.json());
  }

  /**
   * n1 (cluster c1): two samples at 10:00:00 and 10:00:10, 4,000 W x 10 s = 40,000 J each, 1,000 tokens
   * each for t1/m1 (100 prompt + 900 completion). n2 (cluster c2): one at 10:00:05, 2,000 W x 10 s =
   * 20,000 J, 500 tokens for t2/m1 (50 + 450). A sample of n1 at 10:03:30 settles minute 10:00
   * (end 10:01 + grace 2 min); one at 11:10:30 closes the hour 10:00 for billing (11:00 + 10 min).
   */
  void twoNodes() {
    send(sample("n1", "c1", "10:00:00", b -> b.setUsage(List.of(new UsageEntry("t1", "m1", 100L, 900L)))));
    send(sample("n2", "c2", "10:00:05", b -> b.setPowerWatts(2_000).setUsage(List.of(new UsageEntry("t2", "m1", 50L, 450L)))));
    send(sample("n1", "c1", "10:00:10", b -> b.setUsage(List.of(new UsageEntry("t1", "m1", 100L, 900L)))));
    send(sample("n1", "c1", "10:03:30", b -> b.setUsage(List.of(new UsageEntry("t1", "m1", 100L, 900L)))));
  }

  @Test
  void nodeClusterAndFleetWindowsAreTheHandWorkedSums() throws Exception {
    twoNodes();
    JsonNode n1 = get("/v1/nodes/n1/metrics?from=2026-11-26T10:00:00Z&to=2026-11-26T10:01:00Z", 200);
    assertEquals("n1", n1.get("nodeId").asText());
    assertEquals("2026-11-26T10:00:00Z", n1.get("from").asText());
    assertEquals(1, n1.get("windows").size());
    JsonNode w = n1.get("windows").get(0);
    assertEquals("2026-11-26T10:00:00Z", w.get("windowStart").asText());
    assertEquals(2, w.get("samples").asLong());
    assertEquals(2_000, w.get("tokens").asLong());
    assertEquals(1_800, w.get("outputTokens").asLong());
    assertEquals(80_000.0, w.get("energyJ").asDouble(), EPS);
    assertEquals(2_000 / 80_000.0, w.get("tokensPerJoule").asDouble(), EPS);
    assertTrue(w.get("isFinal").asBoolean(), "minute 10:00 is settled: stream time 10:03:30 >= 10:01 + 2 min");

    JsonNode all = get("/v1/nodes/n1/metrics", 200);
    assertEquals(List.of("2026-11-26T10:00:00Z"), starts(all.get("windows")),
        "node windows are kept once final: minute 10:03 is still open (stream time 10:03:30 < 10:04 + 2 min)");
    assertTrue(all.get("from").isNull() && all.get("to").isNull());
    send(sample("n1", "c1", "10:06:10", b -> b.setUsage(List.of(new UsageEntry("t1", "m1", 100L, 900L)))));
    assertEquals(List.of("2026-11-26T10:00:00Z", "2026-11-26T10:03:00Z"), starts(get("/v1/nodes/n1/metrics", 200).get("windows")),
        "10:06:10 >= 10:04 + 2 min settles minute 10:03");
    assertEquals(List.of("2026-11-26T10:03:00Z"), starts(get("/v1/nodes/n1/metrics?limit=1", 200).get("windows")));

    JsonNode nodes = get("/v1/nodes", 200).get("nodes");
    assertEquals(2, nodes.size());
    assertEquals("n1", nodes.get(0).get("nodeId").asText());
    assertEquals("2026-11-26T10:03:00Z", nodes.get(0).get("windowStart").asText(), "n1's newest final window");
    assertEquals("n2", nodes.get(1).get("nodeId").asText());
    assertEquals(20_000.0, nodes.get(1).get("energyJ").asDouble(), EPS);

    JsonNode c1 = get("/v1/clusters/c1/metrics?from=2026-11-26T10:00:00Z&to=2026-11-26T10:01:00Z", 200).get("windows").get(0);
    assertEquals(80_000.0, c1.get("energyJ").asDouble(), EPS);
    assertEquals(1, c1.get("nodesReporting").asInt());
    JsonNode c2 = get("/v1/clusters/c2/metrics?from=2026-11-26T10:00:00Z&to=2026-11-26T10:01:00Z", 200).get("windows").get(0);
    assertEquals(20_000.0, c2.get("energyJ").asDouble(), EPS);
    assertEquals(500, c2.get("tokens").asLong());
    assertEquals(List.of("c1", "c2"), ids(get("/v1/clusters", 200).get("clusters"), "clusterId"));

    JsonNode fleet = get("/v1/fleet/metrics?from=2026-11-26T10:00:00Z&to=2026-11-26T10:01:00Z", 200);
    assertEquals("fleet", fleet.get("fleetId").asText());
    JsonNode f = fleet.get("windows").get(0);
    assertEquals(3, f.get("samples").asLong());
    assertEquals(2, f.get("nodesReporting").asInt());
    assertEquals(2_500, f.get("tokens").asLong());
    assertEquals(100_000.0, f.get("energyJ").asDouble(), EPS);
    assertEquals(2_500 / 100_000.0, f.get("tokensPerJoule").asDouble(), EPS);
  }

  @Test
  void tenantUsageIsTheLatestBillingLinesAndTheirSums() throws Exception {
    twoNodes();
    assertEquals(0, get("/v1/tenants", 200).get("tenants").size(), "no period closed yet");
    send(sample("n1", "c1", "11:10:30", b -> b.setUsage(List.of(new UsageEntry("t1", "m1", 100L, 900L)))));
    Map<String, BillingLine> lines = billing.readKeyValuesToMap();
    BillingLine t1 = lines.get("t1|m1|2026-11-26T10:00:00Z");
    BillingLine t2 = lines.get("t2|m1|2026-11-26T10:00:00Z");

    JsonNode usage = get("/v1/tenants/t1/usage?from=2026-11-26T00:00:00Z&to=2026-11-27T00:00:00Z", 200);
    assertEquals("t1", usage.get("tenantId").asText());
    assertEquals(1, usage.get("lines").size());
    JsonNode line = usage.get("lines").get(0);
    assertEquals("2026-11-26T10:00:00Z", line.get("periodStart").asText());
    assertEquals(300, line.get("promptTokens").asLong(), "3 samples of n1 in hour 10 x 100");
    assertEquals(2_700, line.get("completionTokens").asLong());
    assertEquals(120_000.0, line.get("energyJ").asDouble(), EPS, "3 x 40,000 J, all t1's");
    assertEquals(t1.getTotalCost(), line.get("totalCost").asDouble(), EPS, "as on factory.billing.hourly");
    assertEquals(t1.getRevision(), line.get("revision").asInt());
    JsonNode totals = usage.get("totals");
    assertEquals(1, totals.get("lines").asInt());
    assertEquals(300, totals.get("promptTokens").asLong());
    assertEquals(t1.getTotalCost(), totals.get("totalCost").asDouble(), EPS);
    assertEquals("USD", totals.get("currency").asText());
    // carbon (SPEC 2a) at 500 g/kWh, PUE 1.5, 30 g per H100-hour: 3 x 40,000 J / 3.6e6 x 1.5 x 500 = 25 g
    // operational, 3 x 8 GPUs x 10 s / 3,600 s x 30 g = 2 g embodied; 27 g over 3,000 tokens
    assertEquals(25.0, totals.get("operationalCarbonG").asDouble(), 1e-6);
    assertEquals(2.0, totals.get("embodiedCarbonG").asDouble(), 1e-6);
    assertEquals(27.0, totals.get("carbonG").asDouble(), 1e-6);
    assertEquals(9_000.0, totals.get("carbonPerMillionTokens").asDouble(), 1e-3);
    assertEquals(0, totals.get("linesWithoutCarbon").asInt());
    assertEquals(27.0, line.get("carbonG").asDouble(), 1e-6);

    JsonNode tenants = get("/v1/tenants?from=2026-11-26T00:00:00Z&to=2026-11-27T00:00:00Z", 200).get("tenants");
    assertEquals(List.of("t1", "t2"), ids(tenants, "tenantId"));
    assertEquals(t2.getTotalCost(), tenants.get(1).get("totalCost").asDouble(), EPS);
    assertEquals(20_000.0, tenants.get(1).get("energyJ").asDouble(), EPS);
    assertEquals(0, get("/v1/tenants?from=2026-11-26T11:00:00Z", 200).get("tenants").size(), "hour 11 is still open");
    get("/v1/tenants/t1/usage?from=2026-11-26T11:00:00Z", 200);   // known tenant, nothing in range: 200, no line
    get("/v1/tenants/nobody/usage", 404);
  }

  @Test
  void alertsOpenThenResolvedUnderTheSameKey() throws Exception {
    for (String s : List.of("10:00:00", "10:00:10", "10:00:20")) {
      send(sample("n2", "c2", s, b -> b.setTemperatureC(90f)));
    }
    JsonNode open = get("/v1/alerts?open=true", 200).get("alerts");
    assertEquals(1, open.size());
    assertEquals("n2", open.get(0).get("nodeId").asText());
    assertEquals("OVER_TEMPERATURE", open.get(0).get("alertType").asText());
    assertEquals("OPEN", open.get(0).get("status").asText());
    assertEquals("2026-11-26T10:00:00Z", open.get(0).get("startTime").asText(), "the run of hot samples started at the first");
    assertEquals(90.0, open.get(0).get("value").asDouble(), EPS);
    assertEquals(85.0, open.get(0).get("threshold").asDouble(), EPS);

    send(sample("n2", "c2", "10:00:30", b -> b.setTemperatureC(70f)));
    assertEquals(0, get("/v1/alerts?open=true", 200).get("alerts").size());
    JsonNode all = get("/v1/alerts", 200).get("alerts");
    assertEquals(1, all.size());
    assertEquals("RESOLVED", all.get(0).get("status").asText());
    assertEquals("2026-11-26T10:00:30Z", all.get(0).get("endTime").asText());
    assertEquals(0, get("/v1/alerts?from=2026-11-26T10:00:01Z", 200).get("alerts").size(), "from/to select on startTime");
  }

  @Test
  void badParametersAre400AndUnknownIds404WithAJsonError() throws Exception {
    get("/v1/fleet/metrics", 404);   // nothing yet
    twoNodes();
    for (String bad : List.of("/v1/fleet/metrics?from=yesterday", "/v1/fleet/metrics?from=2026-11-26T10:01:00Z&to=2026-11-26T10:00:00Z",
        "/v1/fleet/metrics?limit=0", "/v1/fleet/metrics?limit=many", "/v1/alerts?open=maybe", "/v1/nodes/n1/metrics?form=2026-11-26T10:00:00Z",
        "/v1/nodes?limit=1", "/v1/fleet/metrics?limit=1&limit=2")) {
      assertTrue(get(bad, 400).get("error").asText().length() > 10, bad);
    }
    assertTrue(get("/v1/nodes/n9/metrics", 404).get("error").asText().contains("n9"));
    get("/v1/clusters/c9/metrics", 404);
    get("/v1/nope", 404);
    assertEquals(0, get("/v1/nodes/n1/metrics?from=2026-11-27T00:00:00Z", 200).get("windows").size(), "a known node, nothing in range");
    assertEquals("2026-11-26T11:00:00Z", get("/v1/nodes/n1/metrics?from=2026-11-26T12:00:00%2B01:00", 200).get("from").asText(),
        "an offset is read as what it is");
  }

  @Test
  void aNodeThatStoppedReportingLeavesTheListAfterTheRetention() throws Exception {
    start(MeteringConfig.from(Map.of(MeteringConfig.QUERY_RETENTION, "10m")));
    send(sample("n1", "c1", "10:00:00", b -> { }));
    send(sample("n2", "c1", "10:00:05", b -> { }));
    send(sample("n1", "c1", "10:03:00", b -> { }));   // settles minute 10:00 of both
    assertEquals(List.of("n1", "n2"), ids(get("/v1/nodes", 200).get("nodes"), "nodeId"));
    for (String t : List.of("10:12:00", "10:21:00", "10:30:00", "10:33:00")) {
      send(sample("n1", "c1", t, b -> { }));
    }
    // purged each 10 min of view time (newest final window start): at 10:30 (settled by 10:33),
    // n2's newest window (10:00) is more than 10 min behind
    assertEquals(List.of("n1"), ids(get("/v1/nodes", 200).get("nodes"), "nodeId"));
    assertEquals("2026-11-26T10:30:00Z", get("/v1/nodes", 200).get("nodes").get(0).get("windowStart").asText());
  }

  private static List<String> starts(JsonNode windows) {
    List<String> out = new ArrayList<>();
    windows.forEach(w -> out.add(w.get("windowStart").asText()));
    return out;
  }

  private static List<String> ids(JsonNode records, String field) {
    List<String> out = new ArrayList<>();
    records.forEach(r -> out.add(r.get(field).asText()));
    return out;
  }
}
