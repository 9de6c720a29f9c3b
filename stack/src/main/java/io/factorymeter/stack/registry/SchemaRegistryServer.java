package io.factorymeter.stack.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import javax.net.ssl.SSLContext;
import io.factorymeter.registry.client.SchemaRegistryClient;
import io.factorymeter.registry.client.SchemaRegistryException;
import io.factorymeter.stack.registry.SchemaRepository.SubjectVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP server speaking the Confluent Schema Registry REST API (Avro schemas) over a
 * {@link SchemaRepository}. Serves the calls serializers, deserializers and operators use:
 * subjects and versions, lookup, schemas by id, compatibility checks, compatibility config, soft and
 * permanent deletes, {@code /schemas/types} and {@code /mode}. Unknown query parameters are
 * ignored. Optionally requires HTTP Basic credentials or a bearer token.
 */
public final class SchemaRegistryServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SchemaRegistryServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Credentials the server requires; {@link #NONE} for an open server. */
  public record Auth(String basicUserInfo, String bearerToken) {
    public static final Auth NONE = new Auth(null, null);

    public static Auth basic(String userInfo) {
      return new Auth(userInfo, null);
    }

    public static Auth bearer(String token) {
      return new Auth(null, token);
    }

    boolean required() {
      return basicUserInfo != null || bearerToken != null;
    }

    @Override
    public String toString() {
      return basicUserInfo != null ? "basic" : bearerToken != null ? "bearer" : "none";
    }
  }

  private final SchemaRepository repository;
  private final HttpServer http;
  private final ExecutorService executor;
  private final Auth auth;
  private final boolean https;

  private SchemaRegistryServer(SchemaRepository repository, HttpServer http, ExecutorService executor, Auth auth,
      boolean https) {
    this.repository = repository;
    this.http = http;
    this.executor = executor;
    this.auth = auth;
    this.https = https;
  }

  /**
   * Starts a server on 127.0.0.1.
   *
   * @param port TCP port, or 0 for a free one
   */
  public static SchemaRegistryServer start(SchemaRepository repository, int port, Auth auth) {
    return start(repository, port, auth, null);
  }

  /**
   * Starts a server on 127.0.0.1, over HTTPS when {@code tls} is given.
   *
   * @param port TCP port, or 0 for a free one
   * @param tls the server's TLS context (its certificate), or null for plain HTTP
   */
  public static SchemaRegistryServer start(SchemaRepository repository, int port, Auth auth, SSLContext tls) {
    HttpServer http;
    try {
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
      if (tls == null) {
        http = HttpServer.create(address, 64);
      } else {
        HttpsServer server = HttpsServer.create(address, 64);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        http = server;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Schema registry cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
    }
    AtomicInteger threads = new AtomicInteger();
    ExecutorService executor = Executors.newFixedThreadPool(8, r -> {
      Thread t = new Thread(r, "schema-registry-http-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    SchemaRegistryServer server = new SchemaRegistryServer(repository, http, executor, auth, tls != null);
    http.createContext("/", server::handle);
    http.setExecutor(executor);
    http.start();
    log.info("Schema registry listening at {} (auth: {})", server.url(), auth);
    return server;
  }

  /** Base URL, e.g. {@code http://127.0.0.1:8081} ({@code https://} over TLS). */
  public String url() {
    return (https ? "https" : "http") + "://127.0.0.1:" + http.getAddress().getPort();
  }

  @Override
  public void close() {
    http.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------------------------------------

  private record Reply(int status, Object body) {
  }

  private void handle(HttpExchange exchange) throws IOException {
    Reply reply;
    try {
      if (auth.required() && !authorized(exchange.getRequestHeaders().getFirst("Authorization"))) {
        exchange.getResponseHeaders().add("WWW-Authenticate", auth.basicUserInfo() != null
            ? "Basic realm=\"schema-registry\"" : "Bearer realm=\"schema-registry\"");
        reply = error(401, 401, "Unauthorized");
      } else {
        reply = route(exchange);
      }
    } catch (SchemaRegistryException e) {
      reply = error(e.httpStatus(), e.errorCode(), e.getMessage());
    } catch (RuntimeException e) {
      log.warn("Schema registry request {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), e);
      reply = error(500, 50001, "Error in the backend data store: " + e.getMessage());
    }
    byte[] bytes = reply.body() instanceof String raw && reply.status() < 300 && exchange.getRequestURI().getRawPath().endsWith("/schema")
        ? raw.getBytes(StandardCharsets.UTF_8)
        : JSON.writeValueAsBytes(reply.body());
    exchange.getResponseHeaders().set("Content-Type", SchemaRegistryClient.CONTENT_TYPE);
    exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
    log.debug("{} {} -> {}", exchange.getRequestMethod(), exchange.getRequestURI(), reply.status());
  }

  private Reply route(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    List<String> path = segments(exchange.getRequestURI().getRawPath());
    Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
    boolean deleted = "true".equalsIgnoreCase(query.get("deleted"));
    boolean permanent = "true".equalsIgnoreCase(query.get("permanent"));
    int n = path.size();
    String first = n > 0 ? path.get(0) : "";

    if (n == 0 && method.equals("GET")) {
      return ok(JSON.createObjectNode());
    }
    if (first.equals("subjects")) {
      if (n == 1 && method.equals("GET")) {
        return ok(repository.subjects(deleted));
      }
      String subject = n > 1 ? path.get(1) : null;
      if (n == 2 && method.equals("POST")) {
        SubjectVersion v = repository.lookup(subject, schemaOf(exchange));
        return ok(versionJson(v));
      }
      if (n == 2 && method.equals("DELETE")) {
        return ok(repository.deleteSubject(subject, permanent));
      }
      if (n == 3 && path.get(2).equals("versions")) {
        if (method.equals("GET")) {
          return ok(repository.versions(subject, deleted));
        }
        if (method.equals("POST")) {
          ObjectNode id = JSON.createObjectNode();
          id.put("id", repository.register(subject, schemaOf(exchange)));
          return ok(id);
        }
      }
      if (n >= 4 && path.get(2).equals("versions")) {
        String version = path.get(3);
        if (n == 4 && method.equals("GET")) {
          return ok(versionJson(repository.version(subject, version, deleted)));
        }
        if (n == 4 && method.equals("DELETE")) {
          return ok(repository.deleteVersion(subject, version, permanent));
        }
        if (n == 5 && method.equals("GET") && path.get(4).equals("schema")) {
          return ok(repository.version(subject, version, deleted).schema());
        }
        if (n == 5 && method.equals("GET") && path.get(4).equals("referencedby")) {
          repository.version(subject, version, deleted);
          return ok(List.of());
        }
      }
    }
    if (first.equals("schemas") && method.equals("GET")) {
      if (n == 2 && path.get(1).equals("types")) {
        return ok(List.of("AVRO"));
      }
      if (n >= 3 && path.get(1).equals("ids")) {
        int id = parseId(path.get(2));
        if (n == 3) {
          ObjectNode body = JSON.createObjectNode();
          body.put("schema", repository.schemaById(id));
          return ok(body);
        }
        if (n == 4 && path.get(3).equals("schema")) {
          return ok(repository.schemaById(id));
        }
        if (n == 4 && path.get(3).equals("subjects")) {
          return ok(repository.usesOf(id).stream().map(SubjectVersion::subject).distinct().toList());
        }
        if (n == 4 && path.get(3).equals("versions")) {
          ArrayNode uses = JSON.createArrayNode();
          for (SubjectVersion v : repository.usesOf(id)) {
            uses.addObject().put("subject", v.subject()).put("version", v.version());
          }
          return ok(uses);
        }
      }
    }
    if (first.equals("compatibility") && method.equals("POST") && n >= 4
        && path.get(1).equals("subjects") && path.get(3).equals("versions") && n <= 5) {
      List<String> violations = repository.checkCompatibility(path.get(2), n == 5 ? path.get(4) : null, schemaOf(exchange));
      ObjectNode body = JSON.createObjectNode();
      body.put("is_compatible", violations.isEmpty());
      if ("true".equalsIgnoreCase(query.get("verbose"))) {
        ArrayNode messages = body.putArray("messages");
        violations.forEach(messages::add);
      }
      return ok(body);
    }
    if (first.equals("config")) {
      if (n == 1 && method.equals("GET")) {
        return ok(levelJson("compatibilityLevel", repository.globalCompatibility()));
      }
      if (n == 1 && method.equals("PUT")) {
        CompatibilityLevel level = CompatibilityLevel.parse(levelOf(exchange));
        repository.setGlobalCompatibility(level);
        return ok(levelJson("compatibility", level));
      }
      if (n == 2 && method.equals("GET")) {
        Optional<CompatibilityLevel> own = repository.subjectCompatibility(path.get(1));
        if (own.isPresent()) {
          return ok(levelJson("compatibilityLevel", own.get()));
        }
        if ("true".equalsIgnoreCase(query.get("defaultToGlobal"))) {
          return ok(levelJson("compatibilityLevel", repository.globalCompatibility()));
        }
        throw new SchemaRegistryException(404, SchemaRegistryException.SUBJECT_COMPATIBILITY_NOT_CONFIGURED,
            "Subject '" + path.get(1) + "' does not have subject-level compatibility configured");
      }
      if (n == 2 && method.equals("PUT")) {
        CompatibilityLevel level = CompatibilityLevel.parse(levelOf(exchange));
        repository.setSubjectCompatibility(path.get(1), level);
        return ok(levelJson("compatibility", level));
      }
      if (n == 2 && method.equals("DELETE")) {
        return ok(levelJson("compatibilityLevel", repository.deleteSubjectCompatibility(path.get(1))));
      }
    }
    if (first.equals("mode") && method.equals("GET") && n <= 2) {
      ObjectNode mode = JSON.createObjectNode();
      mode.put("mode", "READWRITE");
      return ok(mode);
    }
    throw new SchemaRegistryException(404, 404, "HTTP 404 Not Found: " + method + " " + exchange.getRequestURI().getRawPath());
  }

  private boolean authorized(String header) {
    if (header == null) {
      return false;
    }
    if (auth.basicUserInfo() != null && header.startsWith("Basic ")) {
      String expected = Base64.getEncoder().encodeToString(auth.basicUserInfo().getBytes(StandardCharsets.UTF_8));
      return constantTimeEquals(header.substring(6).trim(), expected);
    }
    if (auth.bearerToken() != null && header.startsWith("Bearer ")) {
      return constantTimeEquals(header.substring(7).trim(), auth.bearerToken());
    }
    return false;
  }

  private static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  private static String schemaOf(HttpExchange exchange) throws IOException {
    JsonNode body = body(exchange);
    String type = body.path("schemaType").asText("AVRO");
    if (!type.isEmpty() && !type.equalsIgnoreCase("AVRO")) {
      throw new SchemaRegistryException(422, SchemaRegistryException.INVALID_SCHEMA,
          "Invalid schema type " + type + ": this registry supports AVRO only");
    }
    if (body.has("references") && body.get("references").isArray() && !body.get("references").isEmpty()) {
      throw new SchemaRegistryException(422, SchemaRegistryException.INVALID_SCHEMA,
          "Schema references are not supported by this registry");
    }
    JsonNode schema = body.get("schema");
    if (schema == null || !schema.isTextual()) {
      throw new SchemaRegistryException(422, SchemaRegistryException.INVALID_SCHEMA,
          "Invalid schema: the request has no \"schema\" string");
    }
    return schema.asText();
  }

  private static String levelOf(HttpExchange exchange) throws IOException {
    JsonNode level = body(exchange).get("compatibility");
    return level == null ? null : level.asText();
  }

  private static JsonNode body(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      byte[] bytes = in.readAllBytes();
      JsonNode node = bytes.length == 0 ? null : JSON.readTree(bytes);
      if (node == null || !node.isObject()) {
        throw new SchemaRegistryException(400, 400, "Request body must be a JSON object");
      }
      return node;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new SchemaRegistryException(400, 400, "Request body is not JSON: " + e.getOriginalMessage());
    }
  }

  private static ObjectNode versionJson(SubjectVersion v) {
    ObjectNode node = JSON.createObjectNode();
    node.put("subject", v.subject());
    node.put("version", v.version());
    node.put("id", v.id());
    node.put("schema", v.schema());
    return node;
  }

  private static ObjectNode levelJson(String field, CompatibilityLevel level) {
    ObjectNode node = JSON.createObjectNode();
    node.put(field, level.name());
    return node;
  }

  private static int parseId(String raw) {
    try {
      return Integer.parseInt(raw);
    } catch (NumberFormatException e) {
      throw new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + raw + " not found");
    }
  }

  private static Reply ok(Object body) {
    return new Reply(200, body);
  }

  private static Reply error(int status, int code, String message) {
    ObjectNode node = JSON.createObjectNode();
    node.put("error_code", code);
    node.put("message", message);
    return new Reply(status, node);
  }

  private static List<String> segments(String rawPath) {
    List<String> out = new ArrayList<>();
    for (String s : rawPath.split("/")) {
      if (!s.isEmpty()) {
        out.add(URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static Map<String, String> query(String rawQuery) {
    Map<String, String> out = new HashMap<>();
    if (rawQuery == null) {
      return out;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.put(k, v);
    }
    return out;
  }
}
