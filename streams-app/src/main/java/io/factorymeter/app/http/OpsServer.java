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
import java.security.MessageDigest;
import java.util.Optional;
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
 *       them, the JVM's);</li>
 *   <li>{@code GET /v1/...}: the query API ({@link QueryApi}, contract in {@code /openapi.json}),
 *       behind the bearer token when one is configured (401 without it);</li>
 *   <li>{@code GET /openapi.json}: that contract;</li>
 *   <li>{@code GET /}, {@code /dashboard/…}, {@code /webjars/uplot/…}: the web dashboard
 *       ({@link DashboardAssets}), open like {@code /health}: its page asks for the API's token.</li>
 * </ul>
 * The server is bound first ({@link #bind}) and serves the pipeline once it is attached
 * ({@link #attach}): the port is known before Kafka Streams starts, for its
 * {@code application.server}. Until then {@code /health/ready}, {@code /metrics} and the API
 * answer 503. Anything else: 404 (or 405 for another method) with a JSON error.
 */
public final class OpsServer implements AutoCloseable {

  /** Content type of the Prometheus text exposition format 0.0.4. */
  public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  /** Where the OpenAPI document of the query API lies on the class path. */
  public static final String OPENAPI_RESOURCE = "/io/factorymeter/app/http/openapi.json";

  /** What the server serves once attached. */
  private record Pipeline(Supplier<KafkaStreams.State> state, PrometheusMeterRegistry registry, QueryApi api) {
  }

  private static final DashboardAssets DASHBOARD = new DashboardAssets();

  private final HttpServer server;
  private final ExecutorService executor;
  private final Optional<byte[]> token;
  private volatile Pipeline pipeline;

  private OpsServer(HttpServer server, ExecutorService executor, Optional<String> token) {
    this.server = server;
    this.executor = executor;
    this.token = token.map(t -> t.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Starts serving {@code state} and {@code registry} on {@code host:port} (port 0: any free port,
   * see {@link #port}), without the query API.
   *
   * @throws IllegalStateException naming the address when it cannot be bound
   */
  public static OpsServer start(String host, int port, Supplier<KafkaStreams.State> state, PrometheusMeterRegistry registry) {
    OpsServer server = bind(host, port, Optional.empty());
    server.attach(state, registry, null);
    return server;
  }

  /**
   * Binds {@code host:port} (port 0: any free port, see {@link #port}) and answers there; the
   * pipeline's endpoints answer 503 until {@link #attach}.
   *
   * @param token the bearer token the query API asks for, if any (never logged)
   * @throws IllegalStateException naming the address when it cannot be bound
   */
  public static OpsServer bind(String host, int port, Optional<String> token) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 16);
    } catch (BindException e) {
      throw new IllegalStateException("Cannot serve HTTP on " + host + ":" + port + ": " + e.getMessage()
          + " (another process has the port? choose another with --http-port)", e);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot serve HTTP on " + host + ":" + port, e);
    }
    ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "factory-meter-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    OpsServer ops = new OpsServer(server, executor, token);
    server.createContext("/", exchange -> {
      try (exchange) {
        ops.handle(exchange);
      }
    });
    server.start();
    return ops;
  }

  /**
   * Serves the pipeline from now on.
   *
   * @param state the Kafka Streams state now
   * @param registry the meters {@code /metrics} shows
   * @param api the query API, or null for none (404)
   */
  public void attach(Supplier<KafkaStreams.State> state, PrometheusMeterRegistry registry, QueryApi api) {
    this.pipeline = new Pipeline(state, registry, api);
  }

  private void handle(HttpExchange exchange) throws IOException {
    if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
      send(exchange, 405, "application/json", error("method " + exchange.getRequestMethod() + " not allowed: GET only"));
      return;
    }
    String path = exchange.getRequestURI().getPath();
    Pipeline now = pipeline;
    if (path.equals("/health/live")) {
      send(exchange, 200, "application/json", "{\"status\":\"UP\"}");
    } else if (path.equals("/health/ready")) {
      String state = now == null ? "NOT_STARTED" : now.state().get().toString();
      boolean ready = state.equals(KafkaStreams.State.RUNNING.toString());
      send(exchange, ready ? 200 : 503, "application/json",
          "{\"status\":\"" + (ready ? "UP" : "DOWN") + "\",\"kafkaStreams\":\"" + state + "\"}");
    } else if (path.equals("/metrics")) {
      if (now == null) {
        send(exchange, 503, "application/json", error("the pipeline has not started yet"));
      } else {
        send(exchange, 200, PROMETHEUS_TEXT, now.registry().scrape());
      }
    } else if (path.equals("/openapi.json")) {
      try (var in = OpsServer.class.getResourceAsStream(OPENAPI_RESOURCE)) {
        send(exchange, 200, "application/json", new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    } else if (path.startsWith("/v1/")) {
      if (!authorized(exchange)) {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"factory-meter\"");
        send(exchange, 401, "application/json", error("this API needs the bearer token: Authorization: Bearer TOKEN"));
      } else if (now == null || now.api() == null) {
        send(exchange, now == null ? 503 : 404, "application/json",
            error(now == null ? "the pipeline has not started yet" : "no such path: " + path));
      } else {
        QueryApi.Answer answer = now.api().get(exchange.getRequestURI().getRawPath(), exchange.getRequestURI().getRawQuery());
        send(exchange, answer.status(), "application/json", answer.json());
      }
    } else {
      var asset = DASHBOARD.find(path);
      if (asset.isPresent()) {
        send(exchange, 200, asset.get().contentType(), asset.get().body());
      } else {
        send(exchange, 404, "application/json", error("no such path: " + path));
      }
    }
  }

  /** True without a token; with one, when the request carries it (compared in constant time). */
  private boolean authorized(HttpExchange exchange) {
    if (token.isEmpty()) {
      return true;
    }
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    return MessageDigest.isEqual(token.get(), header.substring(7).trim().getBytes(StandardCharsets.UTF_8));
  }

  /** The port served (the chosen one when bound to port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  private static String error(String message) {
    return QueryApi.errorJson(message);
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
