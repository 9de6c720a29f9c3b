package io.factorymeter.app.pricing;

import static io.factorymeter.app.pricing.PricingFixtures.gpuRate;
import static io.factorymeter.app.pricing.PricingFixtures.ofNode;
import static io.factorymeter.app.pricing.PricingFixtures.samples;
import static io.factorymeter.app.pricing.PricingFixtures.tariff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.app.InputLag;
import io.factorymeter.app.MeteringApplication;
import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.schema.NodeMetrics;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.Tariff;
import io.factorymeter.stack.LocalStackExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Price history on a real broker (issue 8 §3): a replay of September telemetry is priced with the
 * prices of September although newer prices exist, invalid prices in the topic do not stop the
 * pipeline, and the history is the same after a restart on the same state directory (the store
 * resumes from its committed offset) and after a restart on an empty one (the store is rebuilt
 * from the price topic through the update processor).
 *
 * <p>Every sample is 0.01 kWh and 8 GPUs x 10 s (see {@link PricingFixtures}); a minute holds six.
 */
class PriceHistoryIntegrationTest {

  @RegisterExtension
  static final LocalStackExtension STACK = new LocalStackExtension();

  private static final double EPS = 1e-12;
  private static final Duration WAIT = Duration.ofSeconds(120);

  /** Runs the application until it has processed everything on the telemetry topic, then stops it. */
  private static Map<String, Double> runUntilCaughtUp(MeteringConfig config, String applicationId, Path stateDir)
      throws InterruptedException {
    try (MeteringApplication app = MeteringApplication.start(STACK.clientProps(), config,
        new MeteringApplication.Options(applicationId, stateDir, 1))) {
      assertTrue(app.awaitRunning(WAIT), "application running");
      assertTrue(InputLag.awaitCaughtUp(STACK.clientProps(), applicationId, config.topics().telemetry(), WAIT), "caught up");
      return app.counters();
    }
  }

  /** Asserts every minute of the node's figures: 6 samples, all priced, energy cost 0.06 kWh x price x pue. */
  private static void assertMinutes(Map<String, NodeMetrics> byWindow, int minutes, Map<String, Double> energyCostByWindow,
      double defaultEnergyCost) {
    assertEquals(minutes, byWindow.size(), byWindow.keySet().toString());
    byWindow.forEach((window, n) -> {
      assertEquals(6, n.getSamples(), window);
      assertEquals(0, n.getUnpricedSamples(), window);
      assertEquals(energyCostByWindow.getOrDefault(window, defaultEnergyCost), n.getEnergyCost(), EPS, window);
      assertEquals(0.48, n.getCapacityCost(), EPS, window);             // 6 x 8 GPUs x 10/3600 h x 3.60
    });
  }

  @Test
  void septemberReplayIsPricedWithSeptembersPricesAndTheHistorySurvivesRestarts(@TempDir Path dir) throws Exception {
    MeteringConfig config = MeteringApplication.provisionTopics(STACK.clientProps(), PricingFixtures.config("sept."));
    String tariffs = config.topics().name(FactoryTopic.TARIFFS);
    // site-a: a 2026-01-01 and a 2026-11-01 tariff; site-b: one tariff
    PricingFixtures.publish(STACK.clientProps(), config,
        List.of(tariff("site-a", 0.10, 1.2, "2026-01-01T00:00:00Z"), tariff("site-a", 0.20, 1.3, "2026-11-01T00:00:00Z"),
            tariff("site-b", 0.15, 1.1, "2026-01-01T00:00:00Z")),
        List.of(gpuRate(3.60, "2026-01-01T00:00:00Z")));
    // two records the pipeline must refuse, in effect in the middle of the replay: neither may stop it or be used
    Serializer<Tariff> wire = new io.factorymeter.app.serde.AppSerdes(STACK.clientProps()).values(Tariff.class).serializer();
    long at = Instant.parse("2026-09-15T00:20:00Z").toEpochMilli();
    PricingFixtures.sendRaw(STACK.clientProps(), tariffs, "site-a",
        wire.serialize(tariffs, tariff("site-a", Double.POSITIVE_INFINITY, 1.2, "2026-09-15T00:20:00Z")), at);
    PricingFixtures.sendRaw(STACK.clientProps(), tariffs, "site-b", "not a tariff".getBytes(StandardCharsets.UTF_8), at);

    // September: 240 samples of node-a at site-a and 240 of node-b at site-b, 00:00 to 00:40
    List<NodeSample> september = new ArrayList<>(samples("node-a", "site-a", "2026-09-15T00:00:00Z", 240));
    september.addAll(samples("node-b", "site-b", "2026-09-15T00:00:00Z", 240));
    PricingFixtures.send(STACK.clientProps(), config, september);

    String applicationId = "sept.metering";
    Path state = dir.resolve("state");
    Map<String, Double> counters = runUntilCaughtUp(config, applicationId, state);
    assertEquals(480.0, counters.get("samples-in"));
    assertEquals(0.0, counters.get("unpriced"), "all 480 September samples priced");
    assertEquals(2.0, counters.get("prices-invalid"));
    Map<String, NodeMetrics> metrics = PricingFixtures.nodeMetrics(STACK.clientProps(), config);
    // node-a: 0.06 kWh x 0.10 x 1.2 = 0.0072 per minute (January's tariff; November's does not apply yet)
    assertMinutes(ofNode(metrics, "node-a"), 40, Map.of(), 0.0072);
    // node-b: 0.06 kWh x 0.15 x 1.1 = 0.0099 per minute
    assertMinutes(ofNode(metrics, "node-b"), 40, Map.of(), 0.0099);
    NodeMetrics first = ofNode(metrics, "node-a").get("2026-09-15T00:00:00Z");
    assertEquals(0.0072 + 0.48, first.getTotalCost(), EPS);

    // while the application is stopped, a back-dated tariff for site-a from 01:00 (published in November)
    PricingFixtures.publish(STACK.clientProps(), config, List.of(tariff("site-a", 0.30, 1.0, "2026-09-15T01:00:00Z")), List.of());
    // restart on the same state directory: the store resumes from its committed offset and keeps the rest
    PricingFixtures.send(STACK.clientProps(), config, samples("node-c", "site-a", "2026-09-15T00:50:00Z", 120));
    counters = runUntilCaughtUp(config, applicationId, state);
    assertEquals(0.0, counters.get("unpriced"));
    assertEquals(0.0, counters.get("prices-invalid"), "resumed after the refused records: not read again");
    // 00:50-00:59 January's tariff; 01:00-01:09 the back-dated one: 0.06 x 0.30 x 1.0 = 0.018
    Map<String, Double> fromOne = Map.of("2026-09-15T01:00:00Z", 0.018, "2026-09-15T01:01:00Z", 0.018,
        "2026-09-15T01:02:00Z", 0.018, "2026-09-15T01:03:00Z", 0.018, "2026-09-15T01:04:00Z", 0.018,
        "2026-09-15T01:05:00Z", 0.018, "2026-09-15T01:06:00Z", 0.018, "2026-09-15T01:07:00Z", 0.018,
        "2026-09-15T01:08:00Z", 0.018, "2026-09-15T01:09:00Z", 0.018);
    assertMinutes(ofNode(PricingFixtures.nodeMetrics(STACK.clientProps(), config), "node-c"), 20, fromOne, 0.0072);

    // restart on an empty state directory: the stores are rebuilt from the price topics
    PricingFixtures.send(STACK.clientProps(), config, samples("node-d", "site-a", "2026-09-15T00:50:00Z", 120));
    PricingFixtures.send(STACK.clientProps(), config, samples("node-e", "site-a", "2026-11-02T00:00:00Z", 6));
    counters = runUntilCaughtUp(config, applicationId, dir.resolve("fresh-state"));
    assertEquals(0.0, counters.get("unpriced"));
    assertEquals(2.0, counters.get("prices-invalid"), "the two refused records, refused again while rebuilding");
    metrics = PricingFixtures.nodeMetrics(STACK.clientProps(), config);
    assertMinutes(ofNode(metrics, "node-d"), 20, fromOne, 0.0072);
    // November: 0.06 x 0.20 x 1.3 = 0.0156
    assertMinutes(ofNode(metrics, "node-e"), 1, Map.of(), 0.0156);
  }
}
