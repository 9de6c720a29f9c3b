package io.factorymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.app.InputLag;
import io.factorymeter.app.MeteringApplication;
import io.factorymeter.app.billing.BillingLedger;
import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.producers.kafka.AvroRecordSender;
import io.factorymeter.producers.prices.PriceLoader;
import io.factorymeter.producers.simulate.FleetSimulator;
import io.factorymeter.producers.simulate.FleetSpec;
import io.factorymeter.schema.BillingLine;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.Tariff;
import io.factorymeter.stack.LocalStackExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Exactly-once billing on a real broker. A simulated day (12 nodes, 30 s samples) is processed
 * three ways: undisturbed; by a {@code factory-meter run} process killed with SIGKILL several
 * times while it works and restarted each time; and again after {@code factory-meter reset}. The
 * exported bills are equal line for line: nothing lost, nothing doubled, same revisions.
 */
class BillingRecoveryTest {

  private static final Instant DAY = Instant.parse("2026-11-26T00:00:00Z");
  @RegisterExtension
  static final LocalStackExtension STACK = new LocalStackExtension();
  private static List<NodeSample> day;

  /** Kept after the test (target/), so the run processes' logs can be read when it fails. */
  static Path dir;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createDirectories(Path.of("target", "billing-recovery-test")).toAbsolutePath();
    deleteTree(dir);
    Files.createDirectories(dir);
    FleetSimulator sim = new FleetSimulator(new FleetSpec(12, 4, 2, 5, 8, Duration.ofSeconds(30), 5L), DAY);
    day = new ArrayList<>();
    for (int i = 0; i < 24 * 120; i++) {
      day.addAll(sim.step());
    }
  }

  private static void deleteTree(Path root) throws java.io.IOException {
    if (Files.exists(root)) {
      try (var paths = Files.walk(root)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static Map<String, Object> clientProps() {
    return STACK.clientProps();
  }

  /** Topic name settings with a prefix, so the runs do not share topics. */
  private static Map<String, String> topicNames(String prefix) {
    Map<String, String> p = new HashMap<>();
    for (FactoryTopic t : FactoryTopic.values()) {
      p.put(MeteringConfig.TOPIC_PREFIX + t.name().toLowerCase(Locale.ROOT).replace('_', '-'), prefix + t.defaultName());
    }
    return p;
  }

  /** Prices, the day of telemetry and a closing heartbeat, on the topics of {@code prefix}. */
  private static MeteringConfig produceDay(String prefix) throws java.io.IOException {
    MeteringConfig config = MeteringApplication.provisionTopics(clientProps(), MeteringConfig.from(topicNames(prefix)));
    try (AvroRecordSender<Tariff> t = new AvroRecordSender<>(clientProps(), config.topics().name(FactoryTopic.TARIFFS));
         AvroRecordSender<GpuRate> g = new AvroRecordSender<>(clientProps(), config.topics().name(FactoryTopic.GPU_RATES));
         AvroRecordSender<NodeSample> s = new AvroRecordSender<>(clientProps(), config.topics().telemetry())) {
      new PriceLoader(t, g).publish(PriceLoader.read(Path.of("../examples/prices.jsonl")));
      day.forEach(sample -> s.send(sample.getNodeId(), sample, null));
      s.heartbeat(DAY.plus(Duration.ofHours(25)).plus(Duration.ofMinutes(10)).toEpochMilli());
      s.flush();
    }
    return config;
  }

  private static void awaitCaughtUp(String applicationId, String topic, Duration timeout) throws InterruptedException {
    assertTrue(InputLag.awaitCaughtUp(clientProps(), applicationId, topic, timeout), applicationId + " did not catch up");
  }

  private static List<BillingLine> bill(MeteringConfig config) {
    return BillingLedger.read(clientProps(), config.topics().name(FactoryTopic.BILLING_HOURLY), DAY,
        DAY.plus(Duration.ofDays(1)), null);
  }

  private static List<BillingLine> undisturbedRun(MeteringConfig config, String applicationId, Path state) throws Exception {
    try (MeteringApplication app = MeteringApplication.start(clientProps(), config,
        new MeteringApplication.Options(applicationId, state, 2))) {
      assertTrue(app.awaitRunning(Duration.ofSeconds(60)));
      awaitCaughtUp(applicationId, config.topics().telemetry(), Duration.ofSeconds(300));
    }
    return bill(config);
  }

  @Test
  void killedAndRestartedSeveralTimesTheBillEqualsTheUndisturbedOne() throws Exception {
    MeteringConfig calm = produceDay("calm.");
    List<BillingLine> expected = undisturbedRun(calm, "calm", dir.resolve("calm-state"));
    assertEquals(24, expected.stream().map(BillingLine::getPeriodStart).distinct().count(), "lines for every hour");
    assertTrue(expected.stream().map(BillingLine::getTenantId).distinct().count() >= 5, "every tenant billed");

    MeteringConfig crash = produceDay("crash.");
    Path config = dir.resolve("crash.properties");
    StringBuilder props = new StringBuilder("session.timeout.ms=6000\nheartbeat.interval.ms=1000\n");
    topicNames("crash.").forEach((k, v) -> props.append(k).append('=').append(v).append('\n'));
    Files.writeString(config, props.toString());
    String topic = crash.topics().telemetry();
    long total = InputLag.ofInput(clientProps(), "crash", topic);
    int kills = 0;
    for (int round = 1; round <= 3; round++) {
      Process app = startRunProcess(config, dir.resolve("crash-state"), dir.resolve("crash-" + round + ".log"));
      long target = total - total * round / 4;   // kill once a quarter, a half, three quarters of the input are committed
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      long lag = InputLag.ofInput(clientProps(), "crash", topic);
      while (lag > target && System.nanoTime() < deadline && app.isAlive()) {
        Thread.sleep(50);
        lag = InputLag.ofInput(clientProps(), "crash", topic);
      }
      assertTrue(app.isAlive(), "round " + round + ": the run process died by itself; see " + dir.resolve("crash-" + round + ".log"));
      app.destroyForcibly();   // SIGKILL: no shutdown hook, no commit, no close
      app.waitFor(30, TimeUnit.SECONDS);
      if (lag > 0) {
        kills++;
      }
    }
    assertEquals(3, kills, "killed three times before the day's input was all processed");
    Process last = startRunProcess(config, dir.resolve("crash-state"), dir.resolve("crash-last.log"));
    try {
      awaitCaughtUp("crash", topic, Duration.ofSeconds(180));
    } finally {
      last.destroy();
      last.waitFor(60, TimeUnit.SECONDS);
    }
    List<BillingLine> crashed = bill(crash);
    assertEquals(expected.size(), crashed.size());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i), crashed.get(i), "line " + i);
    }

    // reset and reprocess the undisturbed run: the same export again
    CommandLineTest.Run dryRun = CommandLineTest.runWith(STACK.stack(), "reset", "--application-id", "calm",
        "--state-dir", dir.resolve("calm-state").toString(), "--topic", calm.topics().telemetry());
    assertEquals(1, dryRun.exitCode(), "nothing happens without --yes");
    CommandLineTest.Run reset = CommandLineTest.runWith(STACK.stack(), "reset", "--application-id", "calm",
        "--state-dir", dir.resolve("calm-state").toString(), "--topic", calm.topics().telemetry(), "--yes");
    assertEquals(0, reset.exitCode(), reset.err());
    assertFalse(Files.exists(dir.resolve("calm-state").resolve("calm")), "local state removed");
    assertEquals(InputLag.of(clientProps(), "calm", calm.topics().telemetry()), (long) total, "offsets back to earliest");
    assertEquals(expected, undisturbedRun(calm, "calm", dir.resolve("calm-state")));
  }

  /** {@code factory-meter run} in its own JVM, on the test's classpath. */
  private static Process startRunProcess(Path config, Path state, Path log) throws Exception {
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-cp", classpath, FactoryMeter.class.getName(), "run",
        "--bootstrap-servers", STACK.bootstrapServers(), "--schema-registry-url", STACK.schemaRegistryUrl(),
        "--config", config.toString(), "--application-id", "crash", "--state-dir", state.toString(),
        "--num-stream-threads", "2", "--status-interval", "5s", "--http-port", "0");
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }
}
