package io.factorymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.factorymeter.stack.LocalStackExtension;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code scrape --once} against a local HTTP server playing two recorded scrapes, into a real
 * broker and registry. (Runs the command on its own until it is listed in {@link FactoryMeter}.)
 */
class ScrapeCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  @RegisterExtension
  static final LocalStackExtension STACK = new LocalStackExtension();

  /** An idle L40S, lines cut from ../shared/data/prometheus-scrapes-dcgm-vllm/dcgm-exporter_L40S_idle_upcloud.prom, values per scrape. */
  private static final String DCGM = String.join("\n",
      "# TYPE DCGM_FI_DEV_GPU_TEMP gauge",
      "DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",UUID=\"GPU-5b4e07f6-3a86-4340-039d-25f2a83cdc43\",pci_bus_id=\"00000000:00:07.0\",device=\"nvidia0\",modelName=\"NVIDIA L40S\",Hostname=\"gpu1-wl8sg\",DCGM_FI_DRIVER_VERSION=\"595.58.03\"} %s",
      "# TYPE DCGM_FI_DEV_POWER_USAGE gauge",
      "DCGM_FI_DEV_POWER_USAGE{gpu=\"0\",UUID=\"GPU-5b4e07f6-3a86-4340-039d-25f2a83cdc43\",pci_bus_id=\"00000000:00:07.0\",device=\"nvidia0\",modelName=\"NVIDIA L40S\",Hostname=\"gpu1-wl8sg\",DCGM_FI_DRIVER_VERSION=\"595.58.03\"} %s",
      "# TYPE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION counter",
      "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu=\"0\",UUID=\"GPU-5b4e07f6-3a86-4340-039d-25f2a83cdc43\",pci_bus_id=\"00000000:00:07.0\",device=\"nvidia0\",modelName=\"NVIDIA L40S\",Hostname=\"gpu1-wl8sg\",DCGM_FI_DRIVER_VERSION=\"595.58.03\"} %s",
      "# TYPE DCGM_FI_DEV_GPU_UTIL gauge",
      "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",UUID=\"GPU-5b4e07f6-3a86-4340-039d-25f2a83cdc43\",pci_bus_id=\"00000000:00:07.0\",device=\"nvidia0\",modelName=\"NVIDIA L40S\",Hostname=\"gpu1-wl8sg\",DCGM_FI_DRIVER_VERSION=\"595.58.03\"} %s",
      "");
  /** vLLM token counters, lines cut from ../shared/data/prometheus-scrapes-dcgm-vllm/vllm_metrics_Qwen2.5-0.5B_idle_kops.prom. */
  private static final String VLLM = String.join("\n",
      "# TYPE vllm:prompt_tokens_total counter",
      "vllm:prompt_tokens_total{engine=\"0\",model_name=\"Qwen/Qwen2.5-0.5B-Instruct\"} %s",
      "# TYPE vllm:generation_tokens_total counter",
      "vllm:generation_tokens_total{engine=\"0\",model_name=\"Qwen/Qwen2.5-0.5B-Instruct\"} %s",
      "");

  private HttpServer server;

  @BeforeEach
  void serveTwoScrapes() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    play("/dcgm", String.format(DCGM, "32", "35.686000", "5551899580", "0"), String.format(DCGM, "33", "36.314000", "5552259580", "4"));
    play("/vllm", String.format(VLLM, "0.0", "0.0"), String.format(VLLM, "1200.0", "3400.0"));
    server.start();
  }

  private void play(String path, String... bodies) {
    AtomicInteger n = new AtomicInteger();
    server.createContext(path, exchange -> {
      byte[] body = bodies[Math.min(n.getAndIncrement(), bodies.length - 1)].getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  record Run(int exitCode, String out, String err) {
  }

  /** Runs scrape as FactoryMeter would: a UserError is one line on stderr and its exit code. */
  private static synchronized Run scrape(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--bootstrap-servers", STACK.bootstrapServers(), "--schema-registry-url", STACK.schemaRegistryUrl()));
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    StringWriter usage = new StringWriter();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      CommandLine cl = new CommandLine(new ScrapeCommand());
      cl.setErr(new PrintWriter(usage, true));
      cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
        if (ex instanceof UserError u) {
          commandLine.getErr().println("factory-meter: " + u.getMessage());
          return u.exitCode();
        }
        throw ex;
      });
      int code = cl.execute(all.toArray(String[]::new));
      return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8) + usage);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  private static Run tail(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--bootstrap-servers", STACK.bootstrapServers(), "--schema-registry-url", STACK.schemaRegistryUrl()));
    PrintStream out = System.out;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      int code = FactoryMeter.execute(all.toArray(String[]::new));
      return new Run(code, o.toString(StandardCharsets.UTF_8), "");
    } finally {
      System.setOut(out);
    }
  }

  @Test
  void onceScrapesTwiceAndSendsTheSamplesAndAHeartbeat(@TempDir Path dir) throws Exception {
    Path mapping = dir.resolve("mapping.json");
    Files.writeString(mapping, "{\"nodes\": {"
        + "\"gpu1-wl8sg\": {\"nodeId\": \"upc-gpu1\", \"clusterId\": \"upc-hel\", \"site\": \"fi-hel2\", \"gpuModel\": \"L40S-48GB\"},"
        + "\"127.0.0.1\": {\"nodeId\": \"upc-gpu1\", \"clusterId\": \"upc-hel\", \"site\": \"fi-hel2\", \"gpuModel\": \"L40S-48GB\"}},"
        + " \"models\": {\"Qwen/Qwen2.5-0.5B-Instruct\": {\"tenantId\": \"acme\", \"modelId\": \"qwen2.5-0.5b\"}}}");
    Run run = scrape("--once", "--interval", "1s", "--dcgm", url("/dcgm"), "--vllm", url("/vllm"), "--mapping", mapping.toString(),
        "--topic", "cli.scrape");
    assertEquals(0, run.exitCode(), run.err());
    assertEquals("Sent 1 samples to cli.scrape from 2 scrapes of 2 endpoint(s); 0 failure(s)", run.out().strip());

    Run tail = tail("tail", "cli.scrape", "--from-beginning", "--max", "4", "--timeout", "20s");
    assertEquals(0, tail.exitCode());
    List<JsonNode> samples = new ArrayList<>();
    int heartbeats = 0;
    for (String line : tail.out().strip().split("\n")) {
      JsonNode record = JSON.readTree(line);
      if (record.get("value").isNull()) {
        heartbeats++;
      } else {
        samples.add(record);
      }
    }
    assertEquals(1, samples.size(), tail.out());
    assertEquals(3, heartbeats, "one per partition: " + tail.out());
    JsonNode s = samples.get(0).get("value");
    assertEquals("upc-gpu1", samples.get(0).get("key").asText());
    assertEquals("upc-gpu1", s.get("nodeId").asText());
    assertEquals("L40S-48GB", s.get("gpuModel").asText());
    assertEquals(1, s.get("gpuCount").asInt());
    assertTrue(s.get("intervalMs").asInt() >= 900 && s.get("intervalMs").asInt() < 5_000, s.toString());
    assertEquals(360.0, s.get("energyJoules").asDouble(), 1e-9, "360,000 mJ");
    assertEquals(36.0, s.get("powerWatts").asDouble(), 1e-9);
    assertEquals(0.02, s.get("gpuUtilization").asDouble(), 1e-6);
    assertEquals("acme", s.get("usage").get(0).get("tenantId").asText());
    assertEquals(1200, s.get("usage").get(0).get("promptTokens").asLong());
    assertEquals(3400, s.get("usage").get(0).get("completionTokens").asLong());
  }

  @Test
  void onceSaysWhyItSentNothingWhenTheExporterDidNotRefreshAndFails(@TempDir Path dir) throws Exception {
    // dcgm-exporter refreshes every 30 s by default: two scrapes 1 s apart see the same values
    String frozen = String.format(DCGM, "32", "35.686000", "5551899580", "0");
    play("/dcgm-frozen", frozen, frozen);
    Path mapping = dir.resolve("mapping.json");
    Files.writeString(mapping, "{\"nodes\": {"
        + "\"gpu1-wl8sg\": {\"nodeId\": \"upc-gpu1\", \"clusterId\": \"upc-hel\", \"site\": \"fi-hel2\", \"gpuModel\": \"L40S-48GB\"}}}");
    Run run = scrape("--once", "--interval", "1s", "--dcgm", url("/dcgm-frozen"), "--mapping", mapping.toString(), "--topic", "cli.scrape3");
    assertEquals(1, run.exitCode(), run.err());
    assertEquals("Sent 0 samples to cli.scrape3 from 2 scrapes of 1 endpoint(s); 0 failure(s)", run.out().strip());
    String err = run.err().replaceAll("\\s+", " ");
    assertTrue(err.contains("no new values for node(s) upc-gpu1 (exporter not refreshed since the last scrape"), err);
    assertTrue(err.contains("warning: the GPU energy counters of node(s) upc-gpu1 did not change between two scrapes 1 s apart"), err);
    assertTrue(run.err().strip().endsWith("factory-meter: scrape --once sent no sample for node(s) upc-gpu1: their exporter's values did not"
        + " change within --interval 1 s (dcgm-exporter refreshes every 30 s unless started with -c <ms>); use --interval 30s or more"),
        run.err());
  }

  @Test
  void mistakesAreOneLine(@TempDir Path dir) throws Exception {
    Path mapping = dir.resolve("mapping.json");
    Files.writeString(mapping, "{\"nodes\": {\"other-host\": {\"nodeId\": \"n\", \"clusterId\": \"c\", \"site\": \"s\"}}}");
    Run unknown = scrape("--once", "--interval", "1s", "--dcgm", url("/dcgm"), "--mapping", mapping.toString(), "--topic", "cli.scrape2");
    assertEquals(1, unknown.exitCode());
    assertTrue(unknown.err().contains("factory-meter: scrape: dcgm " + url("/dcgm") + ": no node for 'gpu1-wl8sg' or '127.0.0.1'"),
        unknown.err());

    Run badUrl = scrape("--dcgm", "ftp://host/metrics", "--mapping", mapping.toString());
    assertEquals(2, badUrl.exitCode());
    assertTrue(badUrl.err().contains("factory-meter: --dcgm 'ftp://host/metrics' is not an http(s) URL with a host"), badUrl.err());

    Run noGpu = scrape("--vllm", url("/vllm"), "--mapping", mapping.toString());
    assertEquals(2, noGpu.exitCode());
    assertTrue(noGpu.err().contains("give at least one --dcgm or --triton URL"), noGpu.err());

    Files.writeString(mapping, "{\"nodes\": {\"h\": {\"nodeId\": \"bad id\", \"clusterId\": \"c\", \"site\": \"s\"}}}");
    Run badMapping = scrape("--dcgm", url("/dcgm"), "--mapping", mapping.toString());
    assertEquals(1, badMapping.exitCode());
    assertTrue(badMapping.err().contains("nodes.h.nodeId 'bad id' does not match"), badMapping.err());
  }
}
