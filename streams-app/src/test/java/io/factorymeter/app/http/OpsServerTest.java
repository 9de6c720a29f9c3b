package io.factorymeter.app.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/** The endpoints without a broker: a state we set and a registry with a counter we count. */
public class OpsServerTest {

  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  /** GET http://127.0.0.1:port + path. */
  public static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The sum of the samples of {@code metric} (every label set) in a Prometheus text exposition. */
  public static double sum(String exposition, String metric) {
    double sum = 0;
    boolean found = false;
    for (String line : exposition.split("\n")) {
      if (line.startsWith(metric + "{") || line.startsWith(metric + " ")) {
        String[] parts = line.trim().split(" ");
        sum += Double.parseDouble(parts[parts.length - 1]);
        found = true;
      }
    }
    if (!found) {
      throw new AssertionError("no " + metric + " in the exposition");
    }
    return sum;
  }

  @Test
  void liveReadyMetricsAndErrors() throws Exception {
    AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.REBALANCING);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Counter samples = Counter.builder("factory.meter.test.samples").tag("task", "0_1").register(registry);
    samples.increment(3);
    Counter.builder("factory.meter.test.samples").tag("task", "0_2").register(registry).increment(4);
    try (OpsServer server = OpsServer.start("127.0.0.1", 0, state::get, registry)) {
      assertEquals(200, get(server.port(), "/health/live").statusCode());
      HttpResponse<String> notReady = get(server.port(), "/health/ready");
      assertEquals(503, notReady.statusCode());
      assertTrue(notReady.body().contains("\"kafkaStreams\":\"REBALANCING\""), notReady.body());
      state.set(KafkaStreams.State.RUNNING);
      assertEquals(200, get(server.port(), "/health/ready").statusCode());

      HttpResponse<String> metrics = get(server.port(), "/metrics");
      assertEquals(200, metrics.statusCode());
      assertEquals(OpsServer.PROMETHEUS_TEXT, metrics.headers().firstValue("Content-Type").orElseThrow());
      assertEquals(7.0, sum(metrics.body(), "factory_meter_test_samples_total"));
      assertTrue(metrics.body().contains("# TYPE factory_meter_test_samples_total counter"), metrics.body());

      HttpResponse<String> missing = get(server.port(), "/v1/nothing");
      assertEquals(404, missing.statusCode());
      assertEquals("{\"error\":\"no such path: /v1/nothing\"}", missing.body());
      HttpResponse<String> post = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(405, post.statusCode());
    }
  }

  @Test
  void aPortInUseIsNamed() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> OpsServer.start("127.0.0.1", taken.getLocalPort(), () -> KafkaStreams.State.RUNNING, registry));
      assertTrue(e.getMessage().startsWith("Cannot serve HTTP on 127.0.0.1:" + taken.getLocalPort()), e.getMessage());
    }
  }
}
