package io.factorymeter.app.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The HTTP endpoints an operator's tooling reads from a running pipeline (the JDK's own HTTP
 * server, bound to one address, by default the loopback one):
 * <ul>
 *   <li>{@code GET /health/live}: 200 while the process serves HTTP at all;</li>
 *   <li>{@code GET /health/ready}: 200 when Kafka Streams is RUNNING, else 503 with its state
 *       (REBALANCING, PENDING_ERROR, …), for a load balancer or a Kubernetes readiness probe;</li>
 *   <li>{@code GET /metrics}: every meter of the registry in the Prometheus text format 0.0.4
 *       ({@link PipelineMeters}: Kafka Streams' client metrics with the pipeline's counters among
 *       them, the JVM's).</li>
 *   <li>{@code GET /}, {@code /dashboard/…}, {@code /webjars/uplot/…}: the web dashboard
 *       ({@link DashboardAssets}).</li>
 * </ul>
 * Anything else: 404 (or 405 for another method) with a JSON error.
 */
public final class OpsServer implements AutoCloseable {

  /** Content type of the Prometheus text exposition format 0.0.4. */
  public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private static final DashboardAssets DASHBOARD = new DashboardAssets();

  private final HttpServer server;
  private final ExecutorService executor;

  private OpsServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Starts serving on {@code host:port} (port 0: any free port, see {@link #port}).
   *
   * @param state the Kafka Streams state now
   * @param registry the meters {@code /metrics} shows
   * @throws IllegalStateException naming the address when it cannot be bound
   */
  public static OpsServer start(String host, int port, Supplier<KafkaStreams.State> state, PrometheusMeterRegistry registry) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 16);
    } catch (BindException e) {
      throw new IllegalStateException("Cannot serve HTTP on " + host + ":" + port + ": " + e.getMessage()
          + " (another process has the port? choose another with --http-port)", e);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot serve HTTP on " + host + ":" + port, e);
    }
    ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "factory-meter-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", exchange -> {
      try (exchange) {
        if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
          send(exchange, 405, "application/json", error("method " + exchange.getRequestMethod() + " not allowed: GET only"));
          return;
        }
        switch (exchange.getRequestURI().getPath()) {
          case "/health/live" -> send(exchange, 200, "application/json", "{\"status\":\"UP\"}");
          case "/health/ready" -> {
            KafkaStreams.State now = state.get();
            boolean ready = now == KafkaStreams.State.RUNNING;
            send(exchange, ready ? 200 : 503, "application/json",
                "{\"status\":\"" + (ready ? "UP" : "DOWN") + "\",\"kafkaStreams\":\"" + now + "\"}");
          }
          case "/metrics" -> send(exchange, 200, PROMETHEUS_TEXT, registry.scrape());
          default -> {
            var asset = DASHBOARD.find(exchange.getRequestURI().getPath());
            if (asset.isPresent()) {
              send(exchange, 200, asset.get().contentType(), asset.get().body());
            } else {
              send(exchange, 404, "application/json", error("no such path: " + exchange.getRequestURI().getPath()));
            }
          }
        }
      }
    });
    server.start();
    return new OpsServer(server, executor);
  }

  /** The port served (the chosen one when started with port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  private static String error(String message) {
    return "{\"error\":\"" + message.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
  }

  private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    send(exchange, status, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange exchange, int status, String contentType, byte[] bytes) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    boolean head = "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
