package io.factorymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factorymeter.stack.LocalStack;
import io.factorymeter.stack.LocalStackExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The commands as a user runs them, against a real broker and registry. */
class CommandLineTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  @RegisterExtension
  static final LocalStackExtension STACK = new LocalStackExtension();

  record Run(int exitCode, String out, String err) {
    List<String> outLines() {
      return out.isBlank() ? List.of() : List.of(out.strip().split("\n"));
    }
  }

  /** Runs the CLI in this JVM against the test stack, capturing stdout and stderr. */
  static Run run(String... args) {
    return runWith(STACK.stack(), args);
  }

  /** Runs the CLI in this JVM against a stack, capturing stdout and stderr. */
  static Run runWith(LocalStack stack, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (!all.contains("--bootstrap-servers")) {
      all.addAll(List.of("--bootstrap-servers", stack.bootstrapServers(), "--schema-registry-url", stack.schemaRegistryUrl()));
    }
    return runAsGiven(all.toArray(String[]::new));
  }

  /** Runs the CLI in this JVM with exactly these arguments, capturing stdout and stderr. */
  static synchronized Run runAsGiven(String... args) {
    List<String> all = List.of(args);
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int code = FactoryMeter.execute(all.toArray(String[]::new));
      return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  private static final String SAMPLE = "{\"nodeId\":\"%s\",\"clusterId\":\"c-1\",\"site\":\"s-1\",\"gpuModel\":\"H100-SXM5-80GB\","
      + "\"gpuCount\":8,\"timestamp\":\"2026-11-26T10:00:%02dZ\",\"intervalMs\":10000,\"powerWatts\":5600.5,"
      + "\"temperatureC\":71.5,\"gpuUtilization\":0.875,\"usage\":[{\"tenantId\":\"t-1\",\"modelId\":\"m-1\","
      + "\"promptTokens\":1200,\"completionTokens\":3400}]}";

  @Test
  void replayReportsBadLinesThenTailPrintsTheSamplesAsJson(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("samples.jsonl");
    Files.write(file, List.of(String.format(SAMPLE, "node-a", 0), "{\"nodeId\": 12}", String.format(SAMPLE, "node-b", 10),
        String.format(SAMPLE, "node-c", 20)));
    Run replay = run("replay", "--topic", "cli.telemetry", file.toString());
    assertEquals(0, replay.exitCode(), replay.err());
    assertTrue(replay.out().strip().matches("Sent 3 records to cli\\.telemetry from 1 file\\(s\\) in [0-9.]+ s \\([0-9]+ records/s\\); 1 line\\(s\\) rejected"),
        replay.out());
    assertTrue(replay.err().contains("rejected " + file + ":2: field \"nodeId\" must be a string, got 12"), replay.err());

    // three samples, and the heartbeat replay sends at the end to each of the topic's three partitions
    Run tail = run("tail", "cli.telemetry", "--from-beginning", "--max", "6", "--timeout", "20s");
    assertEquals(0, tail.exitCode(), tail.err());
    List<String> lines = new ArrayList<>();
    List<String> heartbeats = new ArrayList<>();
    for (String line : tail.outLines()) {
      JsonNode record = JSON.readTree(line);
      if (record.get("value").isNull()) {
        heartbeats.add(record.get("headers").get("factory.meter.heartbeat").asText());
      } else {
        lines.add(line);
      }
    }
    assertEquals(List.of("1795687220000", "1795687220000", "1795687220000"), heartbeats, "at the latest sample, 10:00:20");
    assertEquals(3, lines.size(), tail.out());
    List<String> keys = new ArrayList<>();
    for (String line : lines) {
      JsonNode record = JSON.readTree(line);
      keys.add(record.get("key").asText());
      assertTrue(record.get("timestamp").asText().matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), line);
      JsonNode value = record.get("value");
      assertEquals(record.get("key").asText(), value.get("nodeId").asText());
      assertTrue(value.has("energyJoules") && value.get("energyJoules").isNull(), "optional field shown as null: " + line);
      assertEquals(5600.5, value.get("powerWatts").asDouble());
      assertEquals(3400, value.get("usage").get(0).get("completionTokens").asLong());
    }
    assertEquals(List.of("node-a", "node-b", "node-c"), keys.stream().sorted().toList());
    List<String> eventTimes = new ArrayList<>();
    for (String line : lines) {
      eventTimes.add(JSON.readTree(line).get("value").get("timestamp").asText());
    }
    assertEquals(List.of("2026-11-26T10:00:00Z", "2026-11-26T10:00:10Z", "2026-11-26T10:00:20Z"), eventTimes.stream().sorted().toList());
  }

  @Test
  void strictReplaySendsNothingAndFails(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.jsonl");
    Files.write(file, List.of(String.format(SAMPLE, "node-a", 0), "oops", String.format(SAMPLE, "node-b", 10)));
    Run replay = run("replay", "--strict", "--topic", "cli.strict", file.toString());
    assertEquals(1, replay.exitCode());
    assertTrue(replay.out().strip().matches("Sent 0 records to cli\\.strict from 1 file\\(s\\) in [0-9.]+ s \\([0-9]+ records/s\\); "
        + "1 line\\(s\\) rejected \\(--strict: nothing sent\\)"), replay.out());
    assertTrue(replay.err().contains("rejected " + file + ":2: not JSON"), replay.err());
  }

  @Test
  void pricesAreStampedWithTheirEffectiveTime(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("prices.jsonl");
    Files.write(file, List.of(
        "{\"type\":\"tariff\",\"site\":\"site-x\",\"currency\":\"USD\",\"pricePerKwh\":0.1,\"pue\":1.2,\"effectiveFrom\":\"2026-03-01T00:00:00Z\"}",
        "{\"type\":\"gpu-rate\",\"gpuModel\":\"B200-SXM-180GB\",\"currency\":\"USD\",\"hourlyRate\":3.4,\"effectiveFrom\":\"2026-02-01T12:00:00Z\","
            + "\"publishedAt\":\"2026-01-15T00:00:00Z\"}"));
    Run load = run("prices", "load", file.toString(), "--tariffs-topic", "cli.tariffs", "--gpu-rates-topic", "cli.gpu-rates",
        "--published-at", "2026-03-02T08:00:00Z");
    assertEquals(0, load.exitCode(), load.err());
    assertEquals("Published 1 tariff(s) to cli.tariffs and 1 GPU rate(s) to cli.gpu-rates", load.out().strip());
    JsonNode tariff = JSON.readTree(run("tail", "cli.tariffs", "--from-beginning", "--max", "1", "--timeout", "20s").out());
    assertEquals("site-x", tariff.get("key").asText());
    assertEquals("2026-03-01T00:00:00Z", tariff.get("timestamp").asText());
    assertEquals(0.1, tariff.get("value").get("pricePerKwh").asDouble());
    assertEquals("2026-03-02T08:00:00Z", tariff.get("value").get("publishedAt").asText(), "--published-at: a correction of 03-01");
    JsonNode rate = JSON.readTree(run("tail", "cli.gpu-rates", "--from-beginning", "--max", "1", "--timeout", "20s").out());
    assertEquals("2026-02-01T12:00:00Z", rate.get("timestamp").asText());
    assertEquals("2026-01-15T00:00:00Z", rate.get("value").get("publishedAt").asText(), "its own publishedAt, published ahead");
  }

  @Test
  void badInputIsOneLineAndANonZeroExit(@TempDir Path dir) throws Exception {
    Path prices = dir.resolve("prices.jsonl");
    Files.write(prices, List.of("{\"type\":\"tariff\",\"site\":\"s\",\"currency\":\"USD\",\"pricePerKwh\":0.1,\"pue\":0.5,\"effectiveFrom\":\"2026-03-01T00:00:00Z\"}"));
    Run badPrice = run("prices", "load", prices.toString());
    assertEquals(1, badPrice.exitCode());
    assertEquals("factory-meter: " + prices + ":1: field \"pue\" must be a finite number from 1 to 4, got 0.5", badPrice.err().strip());

    Run missingFile = run("replay", dir.resolve("nope.jsonl").toString());
    assertEquals(1, missingFile.exitCode());
    assertEquals(1, missingFile.err().strip().lines().count(), missingFile.err());

    Run badFlag = run("tail", "x", "--max", "many");
    assertEquals(2, badFlag.exitCode());
    assertEquals(1, badFlag.err().strip().lines().count(), badFlag.err());

    Run noTopic = run("tail", "no.such.topic", "--max", "1");
    assertEquals(1, noTopic.exitCode());
    assertTrue(noTopic.err().startsWith("factory-meter: Topic no.such.topic does not exist"), noTopic.err());

    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    Run unreachable = run("tail", "factory.telemetry", "--bootstrap-servers", "127.0.0.1:" + closed, "--max", "1");
    assertEquals(1, unreachable.exitCode());
    assertEquals("factory-meter: Cannot reach Kafka at 127.0.0.1:" + closed + ": no broker answered within 10 s", unreachable.err().strip());

    Run noRegistry = run("replay", prices.toString(), "--bootstrap-servers", STACK.bootstrapServers(),
        "--schema-registry-url", "http://127.0.0.1:" + closed);
    assertEquals(1, noRegistry.exitCode());
    assertTrue(noRegistry.err().startsWith("factory-meter: Cannot reach the schema registry at http://127.0.0.1:" + closed), noRegistry.err());
    assertEquals(1, noRegistry.err().strip().lines().count(), noRegistry.err());

    Run secretRegistry = run("replay", prices.toString(), "--bootstrap-servers", STACK.bootstrapServers(),
        "--schema-registry-url", "http://bob:s3cr@t/x@127.0.0.1:" + closed);
    assertEquals(1, secretRegistry.exitCode());
    assertFalse(secretRegistry.err().contains("s3cr"), secretRegistry.err());

    Path archive = dir.resolve("archive.jsonl");
    Files.writeString(archive, "kept\n");
    Run recordNoTopic = run("record", "no.such.topic", "--output", archive.toString());
    assertEquals(1, recordNoTopic.exitCode());
    assertTrue(recordNoTopic.err().startsWith("factory-meter: Topic no.such.topic does not exist"), recordNoTopic.err());
    assertEquals("kept\n", Files.readString(archive), "a failed record leaves the existing file as it was");
    try (var files = Files.list(dir)) {
      assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith(".partial-")).toList());
    }
  }

  @Test
  void simulateWritesADeterministicFile(@TempDir Path dir) throws Exception {
    Path a = dir.resolve("a.jsonl");
    Path b = dir.resolve("b.jsonl");
    Run first = run("simulate", "--nodes", "6", "--clusters", "2", "--sites", "1", "--start", "2026-11-26T00:00:00Z",
        "--duration", "10m", "--output", a.toString());
    assertEquals(0, first.exitCode(), first.err());
    run("simulate", "--nodes", "6", "--clusters", "2", "--sites", "1", "--start", "2026-11-26T00:00:00Z",
        "--duration", "10m", "--output", b.toString());
    List<String> lines = Files.readAllLines(a);
    // 6 nodes x 60 ten-second intervals, less any interval a failed node missed
    assertTrue(lines.size() <= 360 && lines.size() > 340, "lines " + lines.size());
    assertEquals("Wrote " + lines.size() + " samples to " + a, first.out().strip());
    assertEquals(lines, Files.readAllLines(b));
  }

  @Test
  void runRefusesAnOutputTopicThatIsNotCompacted(@TempDir Path dir) throws Exception {
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
        java.util.Map.of("bootstrap.servers", STACK.bootstrapServers()))) {
      admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("wrong.metrics.node.1m", 1, (short) 1)
          .configs(java.util.Map.of("cleanup.policy", "delete")))).all().get();
    }
    Path config = dir.resolve("app.properties");
    Files.writeString(config, "factory.meter.topic.node-metrics=wrong.metrics.node.1m\n");
    Run run = run("run", "--config", config.toString(), "--state-dir", dir.resolve("state").toString(),
        "--application-id", "wrong-policy");
    assertEquals(1, run.exitCode());
    assertTrue(run.err().startsWith("factory-meter: Topic wrong.metrics.node.1m exists with cleanup.policy=delete but must have cleanup.policy=compact"),
        run.err());
    assertEquals(1, run.err().strip().lines().count(), run.err());
  }

  @Test
  void runRejectsBadPipelineSettingsAsUsageErrors(@TempDir Path dir) {
    Run badWindow = run("run", "--window", "7m", "--state-dir", dir.toString());
    assertEquals(2, badWindow.exitCode());
    assertTrue(badWindow.err().contains("factory.meter.window must be a whole number of seconds that divides one hour"), badWindow.err());
    Run badCurrency = run("run", "--currency", "dollars", "--state-dir", dir.toString());
    assertEquals(2, badCurrency.exitCode());
  }
}
