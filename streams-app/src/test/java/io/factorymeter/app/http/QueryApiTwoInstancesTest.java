package io.factorymeter.app.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factorymeter.app.BrokerFixture;
import io.factorymeter.app.InputLag;
import io.factorymeter.app.MeteringApplication;
import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.query.QueryStores;
import io.factorymeter.app.serde.RecordJson;
import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.contract.Heartbeat;
import io.factorymeter.producers.simulate.FleetSimulator;
import io.factorymeter.producers.simulate.FleetSpec;
import io.factorymeter.schema.Alert;
import io.factorymeter.schema.BillingLine;
import io.factorymeter.schema.NodeMetrics;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.UsageEntry;
import io.factorymeter.stack.LocalStackExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, query API: two instances of the application over one broker (4 input partitions,
 * each instance its own state directory and HTTP port, a bearer token) answer every request for
 * the whole key space, whichever instance owns the key, and both answer alike. The answers are
 * checked against independent paths: tokens summed from the samples sent, and the output topics
 * (latest record per key). Every answer is checked against the OpenAPI document.
 */
class QueryApiTwoInstancesTest {

  @RegisterExtension
  static final LocalStackExtension STACK = new LocalStackExtension();
  private static final BrokerFixture BROKER = new BrokerFixture(STACK);
  private static final String TOKEN = "s3cret-token-for-the-test";
  private static final Instant START = Instant.parse("2026-11-26T00:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final OpenApiDocument openApi = new OpenApiDocument();

  QueryApiTwoInstancesTest() throws Exception {
  }

  @Test
  void bothInstancesAnswerForEveryKey(@TempDir Path dir) throws Exception {
    MeteringConfig config = BrokerFixture.config("qa.");
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", STACK.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(config.topics().telemetry(), Optional.of(4), Optional.empty())
          .configs(FactoryTopic.TELEMETRY.configs()))).all().get();
    }
    MeteringApplication.provisionTopics(BROKER.clientProps(), config);
    BROKER.publishPrices(config);
    // 12 nodes, 4 clusters, 20 s samples for 70 minutes: hour 00 is billed once a heartbeat passes 01:10
    FleetSimulator sim = new FleetSimulator(new FleetSpec(12, 4, 2, 3, 8, Duration.ofSeconds(20), 11L), START);
    List<NodeSample> samples = new ArrayList<>();
    for (int i = 0; i < 210; i++) {
      samples.addAll(sim.step());
    }
    BROKER.send(config, samples);
    long close = START.plus(Duration.ofMinutes(75)).toEpochMilli();
    try (KafkaProducer<String, byte[]> raw = BROKER.rawProducer()) {
      for (int p = 0; p < 4; p++) {
        raw.send(new ProducerRecord<>(config.topics().telemetry(), p, close, Heartbeat.KEY, null,
            new RecordHeaders().add(Heartbeat.HEADER, Heartbeat.headerValue(close)))).get();
      }
    }

    List<PipelineEndpoints> endpoints = new ArrayList<>();
    List<MeteringApplication> apps = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        PipelineEndpoints http = PipelineEndpoints.bind("127.0.0.1", 0, Optional.of(TOKEN));
        endpoints.add(http);
        String self = http.applicationServer(Optional.empty());
        MeteringApplication app = MeteringApplication.start(BROKER.clientProps(), config,
            new MeteringApplication.Options("qa-app", Files.createDirectories(dir.resolve("instance-" + i)), 1, self));
        apps.add(app);
        http.serve(app.streams(), BROKER.clientProps(), config.topics().name(FactoryTopic.FLEET_METRICS), self);
      }
      for (MeteringApplication app : apps) {
        assertTrue(app.awaitRunning(Duration.ofSeconds(120)), "running");
      }
      assertTrue(InputLag.awaitCaughtUp(BROKER.clientProps(), "qa-app", config.topics().telemetry(), Duration.ofSeconds(180)));
      String a = "http://127.0.0.1:" + endpoints.get(0).port();
      String b = "http://127.0.0.1:" + endpoints.get(1).port();

      // each instance owns some nodes: a request to the other one is forwarded
      Set<HostInfo> owners = new HashSet<>();
      Set<String> nodes = new java.util.TreeSet<>();
      samples.forEach(s -> nodes.add(s.getNodeId()));
      for (String node : nodes) {
        owners.add(apps.get(0).streams().queryMetadataForKey(QueryStores.NODE_WINDOWS, node, new StringSerializer()).activeHost());
      }
      assertEquals(2, owners.size(), "the nodes' windows are spread over both instances: " + owners);

      // the hour is billed and every window settled: wait for the answers to stop changing
      JsonNode tenantsA = awaitStable(a + "/v1/tenants");
      Map<String, BillingLine> lines = BROKER.latest(config.topics().name(FactoryTopic.BILLING_HOURLY), BillingLine.class);
      assertTrue(!lines.isEmpty(), "hour 00 billed");

      // nodes: the same from both instances; tokens as summed from the samples; all fields as on the topic
      Map<String, NodeMetrics> nodeTopic = BROKER.latest(config.topics().name(FactoryTopic.NODE_METRICS), NodeMetrics.class);
      Map<String, Long> tokensByNodeMinute = new TreeMap<>();
      for (NodeSample s : samples) {
        long tokens = 0;
        for (UsageEntry u : s.getUsage()) {
          tokens += u.getPromptTokens() + u.getCompletionTokens();
        }
        String window = Instant.ofEpochMilli(s.getTimestamp().toEpochMilli() / 60_000 * 60_000).toString();
        tokensByNodeMinute.merge(s.getNodeId() + "|" + window, tokens, Long::sum);
      }
      int windowsSeen = 0;
      for (String node : nodes) {
        JsonNode fromA = get(a + "/v1/nodes/" + node + "/metrics", 200);
        JsonNode fromB = get(b + "/v1/nodes/" + node + "/metrics", 200);
        assertEquals(fromA, fromB, node + ": both instances answer alike");
        for (JsonNode w : fromA.get("windows")) {
          String key = node + "|" + w.get("windowStart").asText();
          assertEquals(tokensByNodeMinute.get(key).longValue(), w.get("tokens").asLong(), key + " tokens");
          assertEquals(JSON.readTree(RecordJson.toJson(nodeTopic.get(key), NodeMetrics.getClassSchema()).toString()), w,
              key + " as on the topic");
          windowsSeen++;
        }
      }
      assertEquals(tokensByNodeMinute.size(), windowsSeen, "every node minute with samples");
      assertEquals(nodes.size(), get(a + "/v1/nodes", 200).get("nodes").size());
      assertEquals(get(a + "/v1/nodes", 200), get(b + "/v1/nodes", 200));

      // clusters and the fleet
      JsonNode clusters = get(a + "/v1/clusters", 200).get("clusters");
      assertEquals(4, clusters.size());
      assertEquals(get(a + "/v1/clusters", 200), get(b + "/v1/clusters", 200));
      for (JsonNode c : clusters) {
        String path = "/v1/clusters/" + c.get("clusterId").asText() + "/metrics?from=2026-11-26T00:00:00Z&to=2026-11-26T01:00:00Z";
        JsonNode fromA = get(a + path, 200);
        assertEquals(60, fromA.get("windows").size(), path);
        assertEquals(fromA, get(b + path, 200), path);
      }
      JsonNode fleet = get(a + "/v1/fleet/metrics?from=2026-11-26T00:00:00Z&to=2026-11-26T01:10:00Z", 200);
      assertEquals(fleet, get(b + "/v1/fleet/metrics?from=2026-11-26T00:00:00Z&to=2026-11-26T01:10:00Z", 200));
      long fleetTokens = 0;
      for (JsonNode w : fleet.get("windows")) {
        fleetTokens += w.get("tokens").asLong();
      }
      assertEquals(tokensByNodeMinute.values().stream().mapToLong(Long::longValue).sum(), fleetTokens, "fleet tokens = all samples' tokens");
      assertEquals(2, get(a + "/v1/fleet/metrics?limit=2", 200).get("windows").size());

      // tenants: the lines on factory.billing.hourly, summed
      assertEquals(tenantsA, get(b + "/v1/tenants", 200));
      Map<String, Double> costByTenant = new TreeMap<>();
      lines.values().forEach(l -> costByTenant.merge(l.getTenantId(), l.getTotalCost(), Double::sum));
      assertEquals(costByTenant.size(), tenantsA.get("tenants").size());
      for (JsonNode t : tenantsA.get("tenants")) {
        String tenant = t.get("tenantId").asText();
        assertEquals(costByTenant.get(tenant), t.get("totalCost").asDouble(), 1e-9, tenant);
        JsonNode usage = get(b + "/v1/tenants/" + tenant + "/usage", 200);
        assertEquals(usage, get(a + "/v1/tenants/" + tenant + "/usage", 200));
        assertEquals(lines.values().stream().filter(l -> l.getTenantId().equals(tenant)).count(), usage.get("lines").size());
      }

      // alerts: as on factory.alerts (latest state per key)
      Map<String, Alert> alertTopic = BROKER.latest(config.topics().name(FactoryTopic.ALERTS), Alert.class);
      JsonNode alerts = get(a + "/v1/alerts", 200).get("alerts");
      assertEquals(get(b + "/v1/alerts", 200), get(a + "/v1/alerts", 200));
      assertEquals(alertTopic.size(), alerts.size());
      long open = alertTopic.values().stream().filter(x -> x.getStatus().name().equals("OPEN")).count();
      assertEquals(open, get(b + "/v1/alerts?open=true", 200).get("alerts").size());

      // errors: 400, 404, 401, each a JSON error as documented
      get(a + "/v1/nodes/no-such-node/metrics", 404);
      get(b + "/v1/tenants/no-such-tenant/usage", 404);
      get(a + "/v1/fleet/metrics?from=not-a-time", 400);
      get(b + "/v1/alerts?open=yes", 400);
      for (String url : List.of(a + "/v1/fleet/metrics", b + "/v1/nodes")) {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode(), url + " without the token");
        assertEquals(List.of(), openApi.check(URI.create(url).getPath(), 401, JSON.readTree(r.body())));
        HttpResponse<String> wrong = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN + "x")
            .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, wrong.statusCode(), url + " with another token");
      }
      HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(URI.create(a + "/metrics")).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, metrics.statusCode(), "/metrics needs no token");
      assertTrue(!metrics.body().contains(TOKEN), "the token is not in the metrics");
      HttpResponse<String> doc = HTTP.send(HttpRequest.newBuilder(URI.create(a + "/openapi.json")).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(openApi.paths(), pathsOf(JSON.readTree(doc.body())), "the server serves the document in the repository");
      assertEquals(Set.of(), openApi.pathsNotAnswered(), "every documented path answered and checked");
    } finally {
      endpoints.forEach(PipelineEndpoints::close);
      apps.forEach(MeteringApplication::close);
    }
  }

  private static Set<String> pathsOf(JsonNode doc) {
    Set<String> out = new java.util.TreeSet<>();
    doc.get("paths").fieldNames().forEachRemaining(out::add);
    return out;
  }

  /** GET with the token; the status and the body's conformance to the OpenAPI document asserted. */
  private JsonNode get(String url, int status) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(status, r.statusCode(), url + ": " + r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), url);
    JsonNode body = JSON.readTree(r.body());
    assertEquals(List.of(), openApi.check(URI.create(url).getPath(), status, body), url + " conforms to the OpenAPI document");
    return body;
  }

  /** The answer once it has billing lines and is the same three times, 2 s apart. */
  private JsonNode awaitStable(String url) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    JsonNode last = null;
    int same = 0;
    while (System.nanoTime() < deadline) {
      JsonNode now = get(url, 200);
      if (now.get("tenants").size() > 0 && now.equals(last)) {
        if (++same >= 2) {
          return now;
        }
      } else {
        same = 0;
      }
      last = now;
      Thread.sleep(2_000);
    }
    throw new AssertionError(url + " did not settle: " + last);
  }
}
