package io.factorymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factorymeter.app.billing.BillingLedger;
import io.factorymeter.registry.client.RegistryClientConfig;
import io.factorymeter.registry.client.SchemaRegistryClient;
import io.factorymeter.registry.client.SchemaRegistryException;
import io.factorymeter.schema.BillingLine;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 11, secured Kafka, end to end with the processes a user runs: {@code factory-meter stack
 * --secure} (SASL_SSL with SCRAM-SHA-512, registry over HTTPS with Basic auth, certificates made at
 * start), then {@code prices load}, {@code run}, {@code replay} and {@code billing export}, each in
 * its own JVM and configured only by the {@code client.properties} the stack wrote ({@code --config}).
 * The exported bill is checked against figures computed here from the samples and the prices. Clients
 * without the right credentials are refused by the broker and by the registry. Finally every log the
 * processes wrote (stdout and stderr, everything at INFO, Kafka's configuration dumps included) is
 * searched for every password of the stack.
 *
 * <p>Files (logs included) stay in {@code target/secured-cluster-test} after the run.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecuredClusterTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant HOUR = Instant.parse("2026-11-29T10:00:00Z");
  /** The client user's Kafka password, given to the stack in a file (--secure-password-file). */
  private static final String KAFKA_PASSWORD = "Given-" + Long.toHexString(Double.doubleToLongBits(Math.random())) + "-pw";

  // examples/prices.jsonl, typed in again: pricePerKwh, pue per site; hourlyRate per GPU model
  private static final Map<String, double[]> TARIFFS = Map.of("site-a", new double[] {0.085, 1.25}, "site-b", new double[] {0.132, 1.38});
  private static final Map<String, Double> GPU_RATES = Map.of("H100-SXM5-80GB", 2.10, "B200-SXM-180GB", 3.40);

  static Path dir;
  static Path logs;
  static Path stackDir;
  static Path clientFile;
  static Process stack;

  record Usage(String tenant, String model, long prompt, long completion) {
  }

  record Sample(String node, String site, String gpu, int gpus, Instant start, int intervalMs, double powerW, Double energyJ,
      List<Usage> usage) {
  }

  private static final List<Sample> SAMPLES = List.of(
      new Sample("node-1", "site-a", "H100-SXM5-80GB", 8, HOUR, 60_000, 4_000, null,
          List.of(new Usage("tenant-1", "model-1", 1_000, 3_000), new Usage("tenant-2", "model-1", 500, 500))),
      new Sample("node-1", "site-a", "H100-SXM5-80GB", 8, HOUR.plusSeconds(60), 60_000, 3_000, 200_000.0,
          List.of(new Usage("tenant-1", "model-1", 2_000, 2_000))),
      new Sample("node-1", "site-a", "H100-SXM5-80GB", 8, HOUR.plusSeconds(120), 60_000, 1_000, null, List.of()),
      new Sample("node-2", "site-b", "B200-SXM-180GB", 4, HOUR, 30_000, 2_000, null,
          List.of(new Usage("tenant-2", "model-2", 100, 900))));

  @BeforeAll
  static void startSecuredStack() throws Exception {
    dir = Path.of("target", "secured-cluster-test").toAbsolutePath();
    deleteTree(dir);
    logs = Files.createDirectories(dir.resolve("logs"));
    stackDir = dir.resolve("stack");
    Path passwordFile = dir.resolve("kafka-password.txt");
    Files.writeString(passwordFile, KAFKA_PASSWORD + "\n");
    stack = start("stack", "-Xmx768m", "stack", "--secure", "--data-dir", stackDir.toString(), "--kafka-port", "0",
        "--registry-port", "0", "--secure-password-file", passwordFile.toString());
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!Files.readString(logs.resolve("stack.out")).contains("Ready.")) {
      if (!stack.isAlive() || System.nanoTime() > deadline) {
        fail("stack --secure did not start; see " + logs + "\n" + Files.readString(logs.resolve("stack.err")));
      }
      Thread.sleep(200);
    }
    clientFile = stackDir.resolve("client.properties");
    assertTrue(Files.readString(logs.resolve("stack.out")).contains(clientFile.toString()), "stack --secure names the client settings");
  }

  @AfterAll
  static void stopStack() throws InterruptedException {
    if (stack != null && stack.isAlive()) {
      stack.destroy();
      stack.waitFor(60, TimeUnit.SECONDS);
    }
  }

  @Test
  @Order(1)
  void pricesPipelineReplayAndBillingExportWorkOverSaslSslAndHttps() throws Exception {
    String config = clientFile.toString();
    Result prices = exec("prices-load", "prices", "load", Path.of("../examples/prices.jsonl").toAbsolutePath().toString(),
        "--config", config);
    assertEquals(0, prices.exitCode(), prices.err());

    Path telemetry = dir.resolve("telemetry.jsonl");
    List<String> lines = new ArrayList<>();
    for (Sample s : SAMPLES) {
      lines.add(json(s));
    }
    Files.write(telemetry, lines);

    Process run = start("run", "-Xmx512m", "run", "--config", config, "--application-id", "secured", "--state-dir",
        dir.resolve("state").toString(), "--http-port", "0", "--status-interval", "5s");
    try {
      Result replay = exec("replay", "replay", telemetry.toString(), "--close", "--config", config);
      assertEquals(0, replay.exitCode(), replay.err());

      Map<String, Object> client = clientProperties();
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      List<BillingLine> settled = List.of();
      while (settled.size() < 4 || !settled.stream().allMatch(BillingLine::getIsFinal)) {
        assertTrue(run.isAlive(), "the run process stopped; see " + logs.resolve("run.err"));
        assertTrue(System.nanoTime() < deadline, "the hour was not billed in 90 s: " + settled);
        Thread.sleep(500);
        settled = BillingLedger.read(client, "factory.billing.hourly", HOUR, HOUR.plusSeconds(3600), null);
      }
    } finally {
      run.destroy();
      run.waitFor(60, TimeUnit.SECONDS);
    }

    Result export = exec("billing-export", "billing", "export", "--from", HOUR.toString(), "--to", HOUR.plusSeconds(3600).toString(),
        "--format", "json", "--config", config);
    assertEquals(0, export.exitCode(), export.err());
    Map<String, JsonNode> exported = new TreeMap<>();
    for (String line : export.out().strip().split("\n")) {
      JsonNode node = JSON.readTree(line);
      exported.put(node.get("tenantId").asText() + "|" + node.get("modelId").asText(), node);
    }
    Map<String, double[]> expected = expectedBill();
    assertEquals(expected.keySet(), exported.keySet());
    // a few figures worked out by hand (energy in J: 4,000 W x 60 s split 4,000 : 1,000 tokens, then 200,000 J given)
    assertEquals(392_000.0, expected.get("tenant-1|model-1")[2]);
    assertEquals(48_000.0, expected.get("tenant-2|model-1")[2]);
    assertEquals(60_000.0, expected.get("_idle|_idle")[2]);
    assertEquals(60_000.0, expected.get("tenant-2|model-2")[2]);
    expected.forEach((key, e) -> {
      JsonNode line = exported.get(key);
      assertEquals(HOUR.toString(), line.get("periodStart").asText(), key);
      assertEquals("USD", line.get("currency").asText(), key);
      assertEquals((long) e[0], line.get("promptTokens").asLong(), key + " promptTokens");
      assertEquals((long) e[1], line.get("completionTokens").asLong(), key + " completionTokens");
      assertClose(e[2], line.get("energyJ").asDouble(), key + " energyJ");
      assertClose(e[3], line.get("energyCost").asDouble(), key + " energyCost");
      assertClose(e[4], line.get("capacityCost").asDouble(), key + " capacityCost");
      assertClose(e[3] + e[4], line.get("totalCost").asDouble(), key + " totalCost");
    });
  }

  @Test
  @Order(2)
  void clientsWithoutTheRightCredentialsAreRefused() throws Exception {
    Map<String, Object> good = clientProperties();

    // Kafka: a wrong SCRAM password (the CLI says so in one line), and no SASL/TLS at all
    Map<String, Object> wrongKafka = new HashMap<>(good);
    wrongKafka.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"factory-meter\""
        + " password=\"not-the-password\";");
    Result tail = exec("tail-wrong-kafka-password", "tail", "factory.tariffs", "--from-beginning", "--max", "1",
        "--config", write("wrong-kafka-password.properties", wrongKafka).toString());
    assertEquals(1, tail.exitCode(), tail.err());
    assertTrue(tail.err().contains("refused the connection") && tail.err().contains("invalid credentials"), tail.err());
    assertEquals("", tail.out());
    Map<String, Object> plaintext = Map.of("bootstrap.servers", good.get("bootstrap.servers"), "request.timeout.ms", 3000,
        "default.api.timeout.ms", 3000);
    Admin admin = Admin.create(plaintext);
    try {
      assertThrows(Exception.class, () -> admin.describeCluster().nodes().get(3, TimeUnit.SECONDS), "PLAINTEXT is not served");
    } finally {
      admin.close(Duration.ofSeconds(1));
    }

    // the registry: no credentials (the CLI names the keys to check), a wrong password, plain HTTP
    Map<String, Object> noRegistryAuth = new HashMap<>(good);
    noRegistryAuth.remove("basic.auth.credentials.source");
    noRegistryAuth.remove("basic.auth.user.info");
    Result prices = exec("prices-no-registry-credentials", "prices", "load",
        Path.of("../examples/prices.jsonl").toAbsolutePath().toString(), "--config", write("no-registry-auth.properties", noRegistryAuth).toString());
    assertEquals(1, prices.exitCode(), prices.err());
    assertTrue(prices.err().contains("basic.auth.user.info"), prices.err());

    String url = good.get("schema.registry.url").toString();
    HttpClient https = HttpClient.newBuilder().sslContext(RegistryClientConfig.from(good).sslContext().orElseThrow()).build();
    for (String userInfo : new String[] {null, "factory-meter:not-the-password", "factory-meter:" + KAFKA_PASSWORD}) {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + "/subjects"));
      if (userInfo != null) {
        request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8)));
      }
      HttpResponse<String> answer = https.send(request.build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(401, answer.statusCode(), "user info " + (userInfo == null ? "none" : "wrong"));
      assertEquals(401, JSON.readTree(answer.body()).get("error_code").asInt(), answer.body());
    }
    Map<String, Object> wrongRegistry = new HashMap<>(good);
    wrongRegistry.put("basic.auth.user.info", "factory-meter:not-the-password");
    assertEquals(401, assertThrows(SchemaRegistryException.class, () -> SchemaRegistryClient.fromConfig(wrongRegistry).subjects())
        .httpStatus());
    assertFalse(SchemaRegistryClient.fromConfig(good).subjects().isEmpty(), "the right credentials see the subjects");
    HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    assertThrows(IOException.class, () -> plain.send(HttpRequest.newBuilder(URI.create(url.replace("https://", "http://") + "/subjects"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()), "plain HTTP is not served");
  }

  @Test
  @Order(3)
  void noLogHoldsASecret() throws Exception {
    stopStack(); // its shutdown logs too
    Set<String> secrets = new LinkedHashSet<>();
    secrets.add(KAFKA_PASSWORD);
    Properties credentials = new Properties();
    try (Reader in = Files.newBufferedReader(stackDir.resolve("secure").resolve("credentials.properties"))) {
      credentials.load(in);
    }
    credentials.stringPropertyNames().stream().filter(k -> k.endsWith("password")).forEach(k -> secrets.add(credentials.getProperty(k)));
    assertEquals(6, secrets.size(), "the given Kafka password and five generated ones: " + credentials.stringPropertyNames());
    Map<String, Object> client = clientProperties();
    String userInfo = client.get("basic.auth.user.info").toString();
    secrets.add(Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8))); // an Authorization header

    List<Path> files;
    try (Stream<Path> all = Files.list(logs)) {
      files = all.sorted().toList();
    }
    assertTrue(files.size() >= 14, "stdout and stderr of 7 processes: " + files);
    String everything = "";
    for (Path file : files) {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      everything += text;
      for (String secret : secrets) {
        int at = text.indexOf(secret);
        if (at >= 0) {
          int lineStart = text.lastIndexOf('\n', at) + 1;
          fail("a secret is in " + file + " at line " + text.substring(0, at).split("\n", -1).length + ", starting '"
              + text.substring(lineStart, Math.min(at, lineStart + 80)) + "'");
        }
      }
    }
    // the search covered Kafka's own configuration dumps, where the secrets would be if anywhere
    assertTrue(everything.contains("sasl.jaas.config = [hidden]"), "Kafka clients logged their configuration");
    assertTrue(everything.contains("ssl.truststore.password = [hidden]"));
    assertTrue(everything.contains("ssl.keystore.password = [hidden]"), "the broker logged its configuration");
  }

  // ---------------------------------------------------------------------------------------------

  /** Per tenant|model: promptTokens, completionTokens, energyJ, energyCost, capacityCost (SPEC §2, §3). */
  private static Map<String, double[]> expectedBill() {
    Map<String, double[]> bill = new TreeMap<>();
    for (Sample s : SAMPLES) {
      double energy = s.energyJ() != null ? s.energyJ() : s.powerW() * s.intervalMs() / 1000.0;
      double[] tariff = TARIFFS.get(s.site());
      double energyCost = energy / 3.6e6 * tariff[0] * tariff[1];
      double capacityCost = s.gpus() * (s.intervalMs() / 3.6e6) * GPU_RATES.get(s.gpu());
      long tokens = s.usage().stream().mapToLong(u -> u.prompt() + u.completion()).sum();
      List<Usage> usage = tokens == 0 ? List.of(new Usage("_idle", "_idle", 0, 0)) : s.usage();
      for (Usage u : usage) {
        double share = tokens == 0 ? 1 : (double) (u.prompt() + u.completion()) / tokens;
        double[] line = bill.computeIfAbsent(u.tenant() + "|" + u.model(), k -> new double[5]);
        line[0] += u.prompt();
        line[1] += u.completion();
        line[2] += energy * share;
        line[3] += energyCost * share;
        line[4] += capacityCost * share;
      }
    }
    return bill;
  }

  private static void assertClose(double expected, double actual, String what) {
    assertTrue(Math.abs(expected - actual) <= 1e-9 * Math.max(1, Math.abs(expected)), what + ": expected " + expected + ", got " + actual);
  }

  private static String json(Sample s) throws IOException {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("nodeId", s.node());
    m.put("clusterId", "cluster-1");
    m.put("site", s.site());
    m.put("gpuModel", s.gpu());
    m.put("gpuCount", s.gpus());
    m.put("timestamp", s.start().toString());
    m.put("intervalMs", s.intervalMs());
    m.put("powerWatts", s.powerW());
    m.put("energyJoules", s.energyJ());
    m.put("temperatureC", 61.5);
    m.put("gpuUtilization", 0.75);
    List<Map<String, Object>> usage = new ArrayList<>();
    for (Usage u : s.usage()) {
      usage.add(Map.of("tenantId", u.tenant(), "modelId", u.model(), "promptTokens", u.prompt(), "completionTokens", u.completion()));
    }
    m.put("usage", usage);
    return JSON.writeValueAsString(m);
  }

  private static Map<String, Object> clientProperties() throws IOException {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(clientFile)) {
      p.load(in);
    }
    Map<String, Object> map = new HashMap<>();
    p.stringPropertyNames().forEach(k -> map.put(k, p.getProperty(k)));
    assertNotNull(map.get("sasl.jaas.config"));
    return map;
  }

  private static Path write(String name, Map<String, Object> props) throws IOException {
    StringBuilder text = new StringBuilder();
    props.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    return Files.writeString(dir.resolve(name), text);
  }

  record Result(int exitCode, String out, String err) {
  }

  /** A factory-meter command in its own JVM; stdout to logs/NAME.out, stderr to logs/NAME.err. */
  private static Process start(String name, String heap, String... args) throws IOException {
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), heap,
        "-Dlogback.configurationFile=" + Path.of("target", "test-classes", "secured-cluster-logback.xml").toAbsolutePath(),
        "-cp", classpath, FactoryMeter.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectOutput(logs.resolve(name + ".out").toFile())
        .redirectError(logs.resolve(name + ".err").toFile()).start();
  }

  private static Result exec(String name, String... args) throws Exception {
    Process p = start(name, "-Xmx384m", args);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(name + " did not end in 120 s; see " + logs);
    }
    return new Result(p.exitValue(), Files.readString(logs.resolve(name + ".out")), Files.readString(logs.resolve(name + ".err")));
  }

  private static void deleteTree(Path root) throws IOException {
    if (Files.exists(root)) {
      try (Stream<Path> paths = Files.walk(root)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
