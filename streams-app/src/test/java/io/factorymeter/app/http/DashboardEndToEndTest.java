package io.factorymeter.app.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factorymeter.app.BrokerFixture;
import io.factorymeter.app.InputLag;
import io.factorymeter.app.MeteringApplication;
import io.factorymeter.app.config.AlertConfig;
import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.producers.kafka.AvroRecordSender;
import io.factorymeter.producers.simulate.FleetSimulator;
import io.factorymeter.producers.simulate.FleetSpec;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.stack.LocalStackExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web dashboard end to end: the real pipeline on a real broker, fed 75 minutes of a simulated
 * fleet (heartbeats every event-time minute, as the demo sends them), serves its HTTP endpoints
 * with a bearer token ({@link PipelineEndpoints}, as {@code run} and {@code demo} do); headless
 * Chromium ({@link HeadlessChromium}) loads the dashboard from them. Without the token the page
 * says it needs one; with it in the URL fragment, every figure the page shows is compared with the
 * query API's answer, fetched here over HTTP: the fleet's newest settled minute, each cluster's,
 * the hottest nodes, the open alerts, each tenant's bill for the UTC day of the newest fleet
 * window, and how many minutes each chart plots. Skipped, saying why, without a chromium binary
 * ({@code .ci/run} installs Debian's).
 *
 * <p>With {@code -Dfactory.meter.screenshots=DIR} it also writes {@code DIR/dashboard-e2e.png}.
 */
class DashboardEndToEndTest {

  @RegisterExtension
  static final LocalStackExtension STACK = new LocalStackExtension();

  private static final BrokerFixture BROKER = new BrokerFixture(STACK);
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Virtual time the page gets: its first load and two refreshes. */
  private static final Duration PAGE_TIME = Duration.ofSeconds(12);

  /** The API's bearer token: the page takes it from the URL fragment. */
  private static final String TOKEN = "dash-" + Long.toHexString(System.nanoTime());
  private static final Instant START = Instant.parse("2026-11-26T08:00:00Z");
  private static final int MINUTES = 75;

  private static final List<String> FLEET_FIGURES = List.of("tokensPerSecond", "outputTokensPerSecond", "tokensPerJoule",
      "outputTokensPerJoule", "costPerMillionTokens", "carbonPerMillionTokens", "carbonG", "avgPowerW", "utilization",
      "uptimeKnown", "coverage", "maxTemperatureC", "nodesKnown", "nodesReporting");
  private static final List<String> CLUSTER_FIGURES = List.of("tokensPerSecond", "tokensPerJoule", "outputTokensPerJoule",
      "costPerMillionTokens", "carbonPerMillionTokens", "avgPowerW", "utilization", "uptimeKnown", "coverage", "nodesReporting",
      "nodesKnown");
  private static final List<String> TENANT_FIGURES = List.of("lines", "promptTokens", "completionTokens", "energyJ",
      "energyCost", "capacityCost", "totalCost", "carbonG", "carbonPerMillionTokens");

  // ---- the query API, read here --------------------------------------------------------------

  private static JsonNode get(int port, String pathAndQuery) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
        .header("Authorization", "Bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      return null;
    }
    return JSON.readTree(r.body());
  }

  /** Every API answer the dashboard uses, by path; null while one is not there yet. */
  private static Map<String, JsonNode> snapshot(int port) throws Exception {
    Map<String, JsonNode> s = new LinkedHashMap<>();
    String[] paths = {"/v1/fleet/metrics?limit=60", "/v1/clusters", "/v1/nodes", "/v1/alerts?open=true"};
    for (String p : paths) {
      JsonNode answer = get(port, p);
      if (answer == null) {
        return null;
      }
      s.put(p, answer);
    }
    for (JsonNode c : s.get("/v1/clusters").path("clusters")) {
      String p = "/v1/clusters/" + c.path("clusterId").asText() + "/metrics?limit=60";
      s.put(p, get(port, p));
    }
    JsonNode fleet = s.get("/v1/fleet/metrics?limit=60").path("windows");
    if (fleet.isEmpty()) {
      return null;
    }
    String day = day(fleet.get(fleet.size() - 1));
    String to = Instant.parse(day + "T00:00:00Z").plus(Duration.ofDays(1)).toString();
    s.put("tenants", get(port, "/v1/tenants?from=" + day + "T00:00:00Z&to=" + to));
    return s.containsValue(null) ? null : s;
  }

  /** The UTC day (yyyy-MM-dd) of a window's start. */
  private static String day(JsonNode window) {
    return Instant.parse(window.path("windowStart").asText()).atOffset(ZoneOffset.UTC).toLocalDate().toString();
  }

  private static JsonNode newestSettled(JsonNode windows) {
    JsonNode settled = null;
    for (JsonNode w : windows) {
      if (w.path("isFinal").asBoolean()) {
        settled = w;
      }
    }
    return settled;
  }

  /** Snapshots every 2 s until two in a row are equal, with settled windows and bills in them. */
  private static Map<String, JsonNode> awaitSettledAnswers(int port) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    Map<String, JsonNode> last = null;
    while (System.nanoTime() < deadline) {
      Map<String, JsonNode> now = snapshot(port);
      if (now != null && now.equals(last) && newestSettled(now.get("/v1/fleet/metrics?limit=60").path("windows")) != null
          && !now.get("tenants").path("tenants").isEmpty()) {
        return now;
      }
      last = now;
      Thread.sleep(2_000);
    }
    throw new AssertionError("the query API did not settle within 60 s; last answers: " + last);
  }

  // ---- the page's figures ------------------------------------------------------------------

  /** One element with data-figure: its attributes and the text shown. */
  record Figure(String name, Map<String, String> attributes, String text) {
    String value() {
      return attributes.get("data-value");
    }
  }

  private static final Pattern FIGURE = Pattern.compile("<span ([^>]*\\bdata-figure=\"[^\"]*\"[^>]*)>([^<]*)</span>");
  private static final Pattern ATTRIBUTE = Pattern.compile("([a-z-]+)=\"([^\"]*)\"");

  private static String unescape(String s) {
    return s.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&nbsp;", "\u00a0").replace("&amp;", "&");
  }

  private static Map<String, String> attributes(String s) {
    Map<String, String> a = new HashMap<>();
    Matcher m = ATTRIBUTE.matcher(s);
    while (m.find()) {
      a.put(m.group(1), unescape(m.group(2)));
    }
    return a;
  }

  /** The figures of a DOM, by name (each name once). */
  static Map<String, Figure> figures(String dom) {
    Map<String, Figure> figures = new LinkedHashMap<>();
    Matcher m = FIGURE.matcher(dom);
    while (m.find()) {
      Map<String, String> a = attributes(m.group(1));
      Figure f = new Figure(a.get("data-figure"), a, unescape(m.group(2)));
      assertEquals(null, figures.put(f.name(), f), "one figure named " + f.name());
    }
    return figures;
  }

  /** The attributes of the first element with {@code marker} among its attributes. */
  private static Map<String, String> element(String dom, String marker) {
    Matcher m = Pattern.compile("<[a-z]+ ([^>]*" + Pattern.quote(marker) + "[^>]*)>").matcher(dom);
    assertTrue(m.find(), "an element with " + marker);
    return attributes(m.group(1));
  }

  /**
   * The figure shows the API's value: data-value is that number exactly, and the text is it
   * (times data-scale) rounded to the decimals the text shows.
   */
  private static void assertShows(Map<String, Figure> figures, String name, JsonNode api) {
    Figure f = figures.get(name);
    assertNotNull(f, "the page shows " + name);
    if (api == null || api.isNull()) {
      assertEquals("", f.value(), name + " is null in the API");
      assertEquals("–", f.text(), name);
      return;
    }
    double value = api.asDouble();
    assertEquals(value, Double.parseDouble(f.value()), name + " data-value against the API");
    double scale = f.attributes().containsKey("data-scale") ? Double.parseDouble(f.attributes().get("data-scale")) : 1;
    String shown = f.text().replace(",", "");
    assertTrue(shown.matches("-?[0-9]+(\\.[0-9]+)?"), name + " shows a number: " + f.text());
    int decimals = shown.contains(".") ? shown.length() - shown.indexOf('.') - 1 : 0;
    double expected = value * scale;
    double tolerance = 0.5 * Math.pow(10, -decimals) + 1e-9 * Math.abs(expected);
    assertTrue(Math.abs(Double.parseDouble(shown) - expected) <= tolerance,
        name + ": shows " + f.text() + " for " + value + " × " + scale);
  }

  private static void assertShowsText(Map<String, Figure> figures, String name, String api) {
    Figure f = figures.get(name);
    assertNotNull(f, "the page shows " + name);
    assertEquals(api, f.value(), name);
    assertEquals(api, f.text(), name);
  }

  // ---- the pipeline --------------------------------------------------------------------------

  /** Sends the simulated fleet, a heartbeat every event-time minute (as the demo does) and one at the end. */
  private static int feed(MeteringConfig config) {
    FleetSimulator sim = new FleetSimulator(new FleetSpec(8, 2, 1, 4, 8, Duration.ofSeconds(10), 11L), START);
    int sent = 0;
    try (AvroRecordSender<NodeSample> sender = new AvroRecordSender<>(BROKER.clientProps(), config.topics().telemetry())) {
      Consumer<Instant> heartbeats = sender.heartbeatEveryMinute();
      while (sim.time().isBefore(START.plus(Duration.ofMinutes(MINUTES)))) {
        for (NodeSample s : sim.step()) {
          sender.send(s.getNodeId(), s);
          sent++;
        }
        heartbeats.accept(sim.time());
      }
      sender.heartbeat(sim.time().toEpochMilli());
      sender.flush();
    }
    return sent;
  }

  @Test
  void theDashboardShowsWhatTheQueryApiAnswers(@TempDir Path dir) throws Exception {
    HeadlessChromium chromium = HeadlessChromium.find().orElse(null);
    assumeTrue(chromium != null, "no chromium on the PATH (Debian package chromium; .ci/run installs it)");

    // thresholds that the simulated fleet crosses, so that alerts are open at the end
    MeteringConfig config = BrokerFixture.config("dash.")
        .withAlerts(new AlertConfig(Duration.ofMinutes(2), 60.0, 3, 0.5, Duration.ofHours(1), 0.9));
    MeteringApplication.provisionTopics(STACK.clientProps(), config);
    BROKER.publishPrices(config);
    BROKER.publishCarbon(config);

    String applicationId = "dash.metering";
    try (PipelineEndpoints http = PipelineEndpoints.bind("127.0.0.1", 0, Optional.of(TOKEN))) {
      String self = http.applicationServer(Optional.empty());
      try (MeteringApplication app = MeteringApplication.start(STACK.clientProps(), config,
          new MeteringApplication.Options(applicationId, dir.resolve("state"), 1, self))) {
        http.serve(app.streams(), STACK.clientProps(), config.topics().name(FactoryTopic.FLEET_METRICS), self);
        assertTrue(feed(config) > 0);
        assertTrue(app.awaitRunning(Duration.ofSeconds(60)), "application running");
        assertTrue(InputLag.awaitCaughtUp(STACK.clientProps(), applicationId, config.topics().telemetry(), Duration.ofSeconds(60)));
        checkThePage(chromium, http.port());

      }
    }
  }

  private static void checkThePage(HeadlessChromium chromium, int port) throws Exception {
    Map<String, JsonNode> api = awaitSettledAnswers(port);

    // without the token the page says what it needs
    String url = "http://127.0.0.1:" + port + "/";
    String refused = chromium.dumpDom(url, Duration.ofSeconds(3));
    assertEquals("error", element(refused, "data-refreshes=").get("data-state"));
    assertTrue(refused.contains("needs a bearer token"), refused);

    String dom = chromium.dumpDom(url + "#token=" + TOKEN, PAGE_TIME);
    assertEquals(api, snapshot(port), "the API answers did not change while the page loaded");
    assertFalse(dom.contains(TOKEN), "the token is not in the page");
    if (System.getProperty("factory.meter.screenshots") != null) {
      chromium.screenshot(url + "#token=" + TOKEN,
          Path.of(System.getProperty("factory.meter.screenshots")).resolve("dashboard-e2e.png"), 1400, 2300, PAGE_TIME);
    }

    Map<String, String> body = element(dom, "data-refreshes=");
    assertEquals("ok", body.get("data-state"), "the page's last refresh worked: " + dom);
    assertTrue(Integer.parseInt(body.get("data-refreshes")) >= 2, "it refreshed by itself: " + body);
    Map<String, Figure> figures = figures(dom);

    // the fleet's newest settled minute
    JsonNode fleetWindows = api.get("/v1/fleet/metrics?limit=60").path("windows");
    assertEquals(60, fleetWindows.size(), "limit=60 of " + MINUTES + " minutes");
    JsonNode newest = fleetWindows.get(fleetWindows.size() - 1);
    assertEquals(newest.path("windowStart").asText(), body.get("data-newest-window"));
    JsonNode fleet = newestSettled(fleetWindows);
    for (String name : FLEET_FIGURES) {
      assertShows(figures, "fleet." + name, fleet.get(name));
    }
    assertEquals(fleet.path("windowStart").asText(), figures.get("fleet.tokensPerSecond").attributes().get("data-window-start"));
    assertTrue(fleet.path("tokensPerSecond").asDouble() > 0 && fleet.path("uptimeKnown").isNumber(), fleet.toString());

    // each cluster's newest settled minute
    Set<String> clusterIds = new TreeSet<>();
    api.get("/v1/clusters").path("clusters").forEach(c -> clusterIds.add(c.path("clusterId").asText()));
    assertEquals(2, clusterIds.size());
    for (String id : clusterIds) {
      JsonNode w = newestSettled(api.get("/v1/clusters/" + id + "/metrics?limit=60").path("windows"));
      assertShowsText(figures, "cluster." + id + ".clusterId", id);
      for (String name : CLUSTER_FIGURES) {
        assertShows(figures, "cluster." + id + "." + name, w.get(name));
      }
    }

    // the hottest nodes: highest maxTemperatureC of their newest window, then nodeId
    List<JsonNode> nodes = new ArrayList<>();
    api.get("/v1/nodes").path("nodes").forEach(nodes::add);
    assertEquals(8, nodes.size());
    nodes.sort(Comparator.comparingDouble((JsonNode n) -> -n.path("maxTemperatureC").asDouble())
        .thenComparing(n -> n.path("nodeId").asText()));
    for (int rank = 1; rank <= 8; rank++) {
      JsonNode n = nodes.get(rank - 1);
      assertShowsText(figures, "hottest." + rank + ".nodeId", n.path("nodeId").asText());
      assertShows(figures, "hottest." + rank + ".maxTemperatureC", n.get("maxTemperatureC"));
      assertShows(figures, "hottest." + rank + ".avgPowerW", n.get("avgPowerW"));
      assertShows(figures, "hottest." + rank + ".utilization", n.get("utilization"));
    }
    assertFalse(figures.containsKey("hottest.9.nodeId"), "eight at most");

    // open alerts: the count, and the newest first
    JsonNode alerts = api.get("/v1/alerts?open=true").path("alerts");
    assertTrue(alerts.size() > 0, "the thresholds leave alerts open");
    alerts.forEach(a -> assertEquals("OPEN", a.path("status").asText()));
    assertShows(figures, "alerts.open", JSON.getNodeFactory().numberNode(alerts.size()));
    JsonNode newestAlert = alerts.get(alerts.size() - 1);
    assertShowsText(figures, "alert.1.alertType", newestAlert.path("alertType").asText());
    assertShowsText(figures, "alert.1.nodeId", newestAlert.path("nodeId").asText());
    assertShows(figures, "alert.1.value", newestAlert.get("value"));

    // billing per tenant for the UTC day of the newest fleet window
    assertShowsText(figures, "billing.day", day(newest));
    JsonNode tenants = api.get("tenants").path("tenants");
    assertTrue(tenants.size() >= 2, "tenants billed: " + tenants);
    Set<String> shownTenants = new TreeSet<>();
    figures.keySet().stream().filter(k -> k.startsWith("tenant.") && k.endsWith(".tenantId"))
        .forEach(k -> shownTenants.add(figures.get(k).value()));
    Set<String> apiTenants = new TreeSet<>();
    for (JsonNode t : tenants) {
      String id = t.path("tenantId").asText();
      apiTenants.add(id);
      for (String name : TENANT_FIGURES) {
        assertShows(figures, "tenant." + id + "." + name, t.get(name));
      }
    }
    assertEquals(apiTenants, shownTenants, "every tenant of the day, no other");
    assertTrue(tenants.findValues("totalCost").stream().anyMatch(c -> c.asDouble() > 0), "costs billed");

    // the charts: the settled minutes among the newest 60 windows, fleet and clusters
    Set<String> fleetMinutes = settledStarts(fleetWindows);
    Set<String> allMinutes = new TreeSet<>(fleetMinutes);
    for (String id : clusterIds) {
      allMinutes.addAll(settledStarts(api.get("/v1/clusters/" + id + "/metrics?limit=60").path("windows")));
    }
    assertTrue(fleetMinutes.size() >= 55, "most of the 60 windows are settled: " + fleetMinutes.size());
    for (String chart : List.of("tokensPerSecond", "costPerMillionTokens", "carbonPerMillionTokens", "avgPowerW",
        "clusterTokensPerJoule", "clusterUtilization", "clusterUptime")) {
      assertChart(dom, chart, allMinutes.size(), "fleet," + String.join(",", clusterIds));
    }
    assertChart(dom, "tokensPerJoule", fleetMinutes.size(), "tokens/J,output tokens/J");
    assertChart(dom, "uptime", fleetMinutes.size(), "utilization,uptime (known nodes),coverage");
  }

  private static Set<String> settledStarts(JsonNode windows) {
    Set<String> starts = new TreeSet<>();
    windows.forEach(w -> {
      if (w.path("isFinal").asBoolean()) {
        starts.add(w.path("windowStart").asText());
      }
    });
    return starts;
  }

  /** The chart plots {@code points} minutes of {@code series} and uPlot drew it on a canvas. */
  private static void assertChart(String dom, String chart, int points, String series) {
    int at = dom.indexOf("data-chart=\"" + chart + "\"");
    if (at < 0) {
      fail("no chart " + chart);
    }
    Map<String, String> a = element(dom, "data-chart=\"" + chart + "\"");
    assertEquals(String.valueOf(points), a.get("data-points"), chart + " points");
    assertEquals(series, a.get("data-series"), chart + " series");
    String figure = dom.substring(at, dom.indexOf("</figure>", at));
    assertTrue(figure.contains("<canvas"), chart + " drawn by uPlot");
  }
}
