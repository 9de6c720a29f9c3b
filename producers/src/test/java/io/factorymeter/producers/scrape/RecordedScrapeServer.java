package io.factorymeter.producers.scrape;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local HTTP server that plays back recorded scrapes: the n-th request to a path gets the n-th
 * body given for it (the last one again when they run out); {@link #FAIL} answers HTTP 500.
 */
final class RecordedScrapeServer implements AutoCloseable {

  static final String FAIL = "<HTTP 500>";

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Map<String, List<String>> bodies = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
  private final Map<String, Duration> delays = new ConcurrentHashMap<>();
  final List<String> acceptHeaders = new CopyOnWriteArrayList<>();

  RecordedScrapeServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  void serve(String path, String... scrapes) {
    bodies.put(path, List.of(scrapes));
  }

  void delay(String path, Duration d) {
    delays.put(path, d);
  }

  /** {@code http://<host>:<port><path>}; host {@code 127.0.0.1} or {@code localhost}, both reach this server. */
  URI uri(String host, String path) {
    return URI.create("http://" + host + ":" + server.getAddress().getPort() + path);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    acceptHeaders.add(String.valueOf(exchange.getRequestHeaders().getFirst("Accept")));
    try {
      Duration d = delays.get(path);
      if (d != null) {
        Thread.sleep(d.toMillis());
      }
      List<String> list = bodies.get(path);
      if (list == null) {
        reply(exchange, 404, "no such path");
        return;
      }
      String body = list.get(Math.min(served.computeIfAbsent(path, p -> new AtomicInteger()).getAndIncrement(), list.size() - 1));
      if (body.equals(FAIL)) {
        reply(exchange, 500, "internal error");
      } else {
        reply(exchange, 200, body);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      exchange.close();
    }
  }

  private static void reply(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
