package io.factorymeter.app.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factorymeter.app.BrokerFixture;
import io.factorymeter.app.InputLag;
import io.factorymeter.app.MeteringApplication;
import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.producers.simulate.FleetSimulator;
import io.factorymeter.producers.simulate.FleetSpec;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.stack.LocalStackExtension;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's {@code prometheus} package; {@code .ci/run} installs it when missing)
 * scrapes {@code /metrics} of a pipeline on a real broker and answers a PromQL query with the
 * number of samples that were sent. Skipped, saying why, where no {@code prometheus} binary is on
 * the PATH.
 */
class PrometheusScrapeTest {

  @RegisterExtension
  static final LocalStackExtension STACK = new LocalStackExtension();

  private static final BrokerFixture BROKER = new BrokerFixture(STACK);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static Path prometheusBinary() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(dir, "prometheus");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** The value of a PromQL instant query that answers one sample, or NaN while it answers none. */
  private static double query(int port, String promql) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
        + URLEncoder.encode(promql, StandardCharsets.UTF_8))).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      return Double.NaN;
    }
    JsonNode result = new ObjectMapper().readTree(r.body()).path("data").path("result");
    return result.size() == 1 ? Double.parseDouble(result.get(0).path("value").get(1).asText()) : Double.NaN;
  }

  @Test
  void prometheusScrapesTheCountersAndAnswersPromQl(@TempDir Path dir) throws Exception {
    Path prometheus = prometheusBinary();
    assumeTrue(prometheus != null, "no prometheus binary on the PATH (Debian package prometheus; .ci/run installs it)");

    MeteringConfig config = BrokerFixture.config("prom.");
    MeteringApplication.provisionTopics(STACK.clientProps(), config);
    BROKER.publishPrices(config);
    FleetSimulator sim = new FleetSimulator(new FleetSpec(6, 2, 1, 3, 8, Duration.ofSeconds(10), 5L),
        Instant.parse("2026-11-26T08:00:00Z"));
    List<NodeSample> samples = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      samples.addAll(sim.step());
    }
    BROKER.send(config, samples);
    BROKER.send(config, samples.subList(0, 10));   // ten duplicates

    String applicationId = "prom.metering";
    try (MeteringApplication app = MeteringApplication.start(STACK.clientProps(), config,
        new MeteringApplication.Options(applicationId, dir.resolve("state"), 1));
        PipelineMeters meters = new PipelineMeters(app.streams(), Duration.ofSeconds(1));
        OpsServer http = OpsServer.start("127.0.0.1", 0, () -> app.streams().state(), meters.registry())) {
      assertTrue(app.awaitRunning(Duration.ofSeconds(60)), "application running");
      assertTrue(InputLag.awaitCaughtUp(STACK.clientProps(), applicationId, config.topics().telemetry(), Duration.ofSeconds(120)));

      int promPort = freePort();
      Path yml = dir.resolve("prometheus.yml");
      Files.writeString(yml, """
          global:
            scrape_interval: 1s
          scrape_configs:
            - job_name: factory-meter
              static_configs:
                - targets: ['127.0.0.1:%d']
          """.formatted(http.port()));
      Process p = new ProcessBuilder(prometheus.toString(), "--config.file=" + yml, "--storage.tsdb.path=" + dir.resolve("tsdb"),
          "--web.listen-address=127.0.0.1:" + promPort)
          .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
      try {
        String promql = "sum(kafka_stream_factory_meter_samples_in_total{job=\"factory-meter\"})";
        double seen = Double.NaN;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && seen != samples.size() + 10) {
          Thread.sleep(1_000);
          seen = query(promPort, promql);
        }
        assertEquals(samples.size() + 10, seen, "PromQL " + promql + "; Prometheus log: " + dir.resolve("prometheus.log"));
        assertEquals(10.0, query(promPort, "sum(kafka_stream_factory_meter_duplicates_total)"));
        assertEquals(1.0, query(promPort, "up{job=\"factory-meter\"}"));
      } finally {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }
}
