package io.factorymeter.app.pricing;

import static io.factorymeter.app.pricing.PricingFixtures.gpuRate;
import static io.factorymeter.app.pricing.PricingFixtures.ofNode;
import static io.factorymeter.app.pricing.PricingFixtures.samples;
import static io.factorymeter.app.pricing.PricingFixtures.tariff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.factorymeter.app.InputLag;
import io.factorymeter.app.MeteringApplication;
import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.serde.AppSerdes;
import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.NodeMetrics;
import io.factorymeter.schema.Tariff;
import io.factorymeter.stack.LocalStackExtension;
import org.apache.kafka.streams.KafkaStreams;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Prices read while the schema registry is unreachable (issue 8 §4) are retried until it answers,
 * never skipped: at start-up, when the global store is rebuilt from the price topics, and while
 * the application runs. The registry refuses connections for a while (stopped, then started on
 * the same port with the same schemas); the pipeline runs on the real in-process broker.
 */
class PriceRegistryOutageTest {

  @RegisterExtension
  static final LocalStackExtension STACK = new LocalStackExtension();

  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final double EPS = 1e-12;

  private final RestartableRegistry registry = new RestartableRegistry();
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final Logger retryLogger = (Logger) LoggerFactory.getLogger(RegistryRetry.class);

  @BeforeEach
  void captureRetryLog() {
    log.start();
    retryLogger.addAppender(log);
    retryLogger.setLevel(Level.DEBUG);
  }

  @AfterEach
  void release() {
    retryLogger.detachAppender(log);
    retryLogger.setLevel(null);
    registry.close();
  }

  /** Client properties reaching the stack's broker and the restartable registry, one request per registry call. */
  private Map<String, Object> props() {
    Map<String, Object> p = STACK.clientProps();
    p.put("schema.registry.url", registry.url());
    p.put("max.retries", 0);
    return p;
  }

  private long logLines(Level level) {
    synchronized (log) {
      return log.list.stream().filter(e -> e.getLevel() == level).count();
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
      Thread.sleep(50);
    }
  }

  /** Sends one minute of node-a samples at site-a and checks them priced: 0.06 kWh x 0.10 x 1.2 and 6 x 0.08. */
  private void assertAMinuteIsPriced(MeteringConfig config, String applicationId) throws Exception {
    PricingFixtures.send(props(), config, samples("node-a", "site-a", "2026-11-26T10:00:00Z", 6));
    assertTrue(InputLag.awaitCaughtUp(props(), applicationId, config.topics().telemetry(), WAIT));
    NodeMetrics n = ofNode(PricingFixtures.nodeMetrics(props(), config), "node-a").get("2026-11-26T10:00:00Z");
    assertEquals(6, n.getSamples());
    assertEquals(0, n.getUnpricedSamples());
    assertEquals(0.0072, n.getEnergyCost(), EPS);
    assertEquals(0.48, n.getCapacityCost(), EPS);
  }

  /** {@link #assertAMinuteIsPriced}, and the outage was waited out: retried, nothing skipped, logged once. */
  private void assertAMinuteIsPriced(MeteringApplication app, MeteringConfig config, String applicationId) throws Exception {
    assertAMinuteIsPriced(config, applicationId);
    Map<String, Double> counters = app.counters();
    assertEquals(0.0, counters.get("prices-invalid"), "nothing skipped as undecodable");
    assertTrue(counters.get("prices-registry-retries") >= 3, "retried: " + counters);
    assertEquals(1, logLines(Level.WARN), "one warning for the streak of failures, not one per attempt");
    assertEquals(1, logLines(Level.INFO), "one line when the registry answered again");
  }

  @Test
  void pricesRebuiltAtStartWhileTheRegistryIsUnreachableWaitForIt(@TempDir Path dir) throws Exception {
    MeteringConfig config = MeteringApplication.provisionTopics(props(), PricingFixtures.config("outage-start."));
    PricingFixtures.publish(props(), config, List.of(tariff("site-a", 0.10, 1.2, "2026-11-01T00:00:00Z")),
        List.of(gpuRate(3.60, "2026-11-01T00:00:00Z")));
    registry.stop();

    String applicationId = "outage-start.metering";
    CompletableFuture<MeteringApplication> starting = CompletableFuture.supplyAsync(() ->
        MeteringApplication.start(props(), config, new MeteringApplication.Options(applicationId, dir, 1)));
    try {
      await(() -> logLines(Level.DEBUG) >= 3, "three attempts failed");
      assertFalse(starting.isDone(), "the start waits for the prices");
      registry.start();
      try (MeteringApplication app = starting.get(WAIT.toSeconds(), TimeUnit.SECONDS)) {
        assertTrue(app.awaitRunning(WAIT));
        assertEquals(2.0, app.counters().get("prices-stored"));
        assertAMinuteIsPriced(app, config, applicationId);
      }
    } finally {
      registry.start();   // never leave a start blocked behind a stopped registry
    }
  }

  @Test
  void pricesArrivingWhileTheRegistryIsUnreachableWaitForIt(@TempDir Path dir) throws Exception {
    MeteringConfig config = MeteringApplication.provisionTopics(props(), PricingFixtures.config("outage-running."));
    // serialized (their schemas registered) while the registry answers; the application has not read these schema ids
    AppSerdes wire = new AppSerdes(props());
    String tariffs = config.topics().name(FactoryTopic.TARIFFS);
    String gpuRates = config.topics().name(FactoryTopic.GPU_RATES);
    byte[] tariff = wire.values(Tariff.class).serializer().serialize(tariffs, tariff("site-a", 0.10, 1.2, "2026-11-01T00:00:00Z"));
    byte[] rate = wire.values(GpuRate.class).serializer().serialize(gpuRates, gpuRate(3.60, "2026-11-01T00:00:00Z"));

    String applicationId = "outage-running.metering";
    try (MeteringApplication app = MeteringApplication.start(props(), config,
        new MeteringApplication.Options(applicationId, dir, 1))) {
      assertTrue(app.awaitRunning(WAIT));
      registry.stop();
      long from = java.time.Instant.parse("2026-11-01T00:00:00Z").toEpochMilli();
      PricingFixtures.sendRaw(props(), tariffs, "site-a", tariff, from);
      PricingFixtures.sendRaw(props(), gpuRates, PricingFixtures.GPU, rate, from);
      await(() -> app.counters().get("prices-registry-retries") >= 3, "three attempts failed");
      assertEquals(0.0, app.counters().get("prices-stored"));
      registry.start();
      await(() -> app.counters().get("prices-stored") == 2.0, "both prices are stored");
      assertAMinuteIsPriced(app, config, applicationId);
    }
  }

  @Test
  void closingWhileWaitingForTheRegistryDoesNotWaitForItAndTheNextStartReadsThePrice(@TempDir Path dir) throws Exception {
    MeteringConfig config = MeteringApplication.provisionTopics(props(), PricingFixtures.config("outage-close."));
    AppSerdes wire = new AppSerdes(props());
    String tariffs = config.topics().name(FactoryTopic.TARIFFS);
    String gpuRates = config.topics().name(FactoryTopic.GPU_RATES);
    byte[] tariff = wire.values(Tariff.class).serializer().serialize(tariffs, tariff("site-a", 0.10, 1.2, "2026-11-01T00:00:00Z"));
    byte[] rate = wire.values(GpuRate.class).serializer().serialize(gpuRates, gpuRate(3.60, "2026-11-01T00:00:00Z"));

    String applicationId = "outage-close.metering";
    MeteringApplication.Options options = new MeteringApplication.Options(applicationId, dir, 1);
    try (MeteringApplication app = MeteringApplication.start(props(), config, options)) {
      assertTrue(app.awaitRunning(WAIT));
      registry.stop();
      long from = java.time.Instant.parse("2026-11-01T00:00:00Z").toEpochMilli();
      PricingFixtures.sendRaw(props(), tariffs, "site-a", tariff, from);
      PricingFixtures.sendRaw(props(), gpuRates, PricingFixtures.GPU, rate, from);
      await(() -> app.counters().get("prices-registry-retries") >= 1, "an attempt failed");
      app.close();
      // close waited neither for the registry nor in vain: the client reached a final state (not PENDING_SHUTDOWN)
      assertTrue(Set.of(KafkaStreams.State.NOT_RUNNING, KafkaStreams.State.ERROR).contains(app.streams().state()),
          "closed: " + app.streams().state());
    }
    registry.start();
    try (MeteringApplication app = MeteringApplication.start(props(), config, options)) {
      assertTrue(app.awaitRunning(WAIT));
      await(() -> app.counters().get("prices-stored") == 2.0, "the prices not read at the close are read now");
      assertAMinuteIsPriced(config, applicationId);
      assertEquals(0.0, app.counters().get("prices-invalid"));
    }
  }
}
