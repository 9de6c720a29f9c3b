package io.factorymeter.registry.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client for the Confluent Schema Registry REST API (Avro schemas), usable against Confluent
 * Schema Registry, Apicurio Registry's {@code /apis/ccompat/v7} API or the embedded registry of
 * the local stack.
 *
 * <p>Schema ids, registrations and lookups are cached for the life of the client (they never
 * change in a registry); the latest version of a subject is cached for
 * {@code latest.cache.ttl.sec}. Requests go to the configured URLs in turn: a connection error or
 * an HTTP 5xx answer moves on to the next URL and, after a round over all of them, waits and
 * retries (see {@link RegistryClientConfig}). Thread-safe.
 */
public class SchemaRegistryClient implements AutoCloseable {

  /** Content type of the Confluent Schema Registry API, version 1. */
  public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

  private static final Logger log = LoggerFactory.getLogger(SchemaRegistryClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegistryClientConfig config;
  private final HttpClient http;
  private final AtomicInteger preferredUrl = new AtomicInteger();
  private final Map<String, Map<Schema, Integer>> registered = new ConcurrentHashMap<>();
  private final Map<String, Map<Schema, RegisteredSchema>> lookedUp = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> byId = new ConcurrentHashMap<>();
  private final Map<String, CachedLatest> latest = new ConcurrentHashMap<>();

  private record CachedLatest(RegisteredSchema schema, long fetchedAtNanos) {
  }

  public SchemaRegistryClient(RegistryClientConfig config) {
    this.config = config;
    HttpClient.Builder builder = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(config.connectTimeout());
    config.sslContext().ifPresent(builder::sslContext);
    this.http = builder.build();
  }

  /** A client configured from Confluent's keys in a Kafka-style configuration map. */
  public static SchemaRegistryClient fromConfig(Map<String, ?> props) {
    return new SchemaRegistryClient(RegistryClientConfig.from(props));
  }

  /**
   * Registers a schema under a subject (POST /subjects/{subject}/versions), or finds it when it is
   * already there. Fails with an incompatible-schema error when the subject's compatibility level
   * forbids it.
   *
   * @return the registry's global id of the schema
   */
  public int register(String subject, Schema schema) {
    return register(subject, schema, false);
  }

  /** As {@link #register(String, Schema)}, asking the registry to normalize the schema first. */
  public int register(String subject, Schema schema, boolean normalize) {
    Map<Schema, Integer> cache = registered.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
    Integer cached = cache.get(schema);
    if (cached != null) {
      return cached;
    }
    JsonNode answer = send("POST", "/subjects/" + encode(subject) + "/versions" + (normalize ? "?normalize=true" : ""),
        schemaBody(schema));
    int id = requiredInt(answer, "id");
    cache.put(schema, id);
    byId.putIfAbsent(id, schema);
    return id;
  }

  /**
   * Finds a schema among a subject's versions (POST /subjects/{subject}).
   *
   * @throws SchemaRegistryException 40401 when the subject does not exist, 40403 when the schema
   *     is not registered under it
   */
  public RegisteredSchema lookup(String subject, Schema schema) {
    Map<Schema, RegisteredSchema> cache = lookedUp.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
    RegisteredSchema cached = cache.get(schema);
    if (cached != null) {
      return cached;
    }
    JsonNode answer = send("POST", "/subjects/" + encode(subject), schemaBody(schema));
    RegisteredSchema found = new RegisteredSchema(subject, requiredInt(answer, "id"), requiredInt(answer, "version"), schema);
    cache.put(schema, found);
    byId.putIfAbsent(found.id(), schema);
    return found;
  }

  /**
   * The schema with a global id (GET /schemas/ids/{id}).
   *
   * @throws SchemaRegistryException 40403 when no schema has that id
   */
  public Schema schemaById(int id) {
    Schema cached = byId.get(id);
    if (cached != null) {
      return cached;
    }
    JsonNode answer = send("GET", "/schemas/ids/" + id, null);
    Schema schema = parse(requiredText(answer, "schema"), "schema id " + id);
    Schema earlier = byId.putIfAbsent(id, schema);
    return earlier != null ? earlier : schema;
  }

  /** The latest version of a subject (GET /subjects/{subject}/versions/latest), cached per {@code latest.cache.ttl.sec}. */
  public RegisteredSchema latestVersion(String subject) {
    CachedLatest cached = latest.get(subject);
    long ttl = config.latestCacheTtlSec();
    if (cached != null && (ttl < 0 || System.nanoTime() - cached.fetchedAtNanos() < ttl * 1_000_000_000L)) {
      return cached.schema();
    }
    RegisteredSchema fresh = version(subject, "latest");
    latest.put(subject, new CachedLatest(fresh, System.nanoTime()));
    return fresh;
  }

  /** One version of a subject (GET /subjects/{subject}/versions/{version}). */
  public RegisteredSchema version(String subject, int version) {
    return version(subject, Integer.toString(version));
  }

  private RegisteredSchema version(String subject, String version) {
    JsonNode answer = send("GET", "/subjects/" + encode(subject) + "/versions/" + version, null);
    int id = requiredInt(answer, "id");
    Schema schema = byId.computeIfAbsent(id, i -> parse(requiredText(answer, "schema"), "subject " + subject));
    return new RegisteredSchema(subject, id, requiredInt(answer, "version"), schema);
  }

  /** Version numbers of a subject, ascending (GET /subjects/{subject}/versions). */
  public List<Integer> versions(String subject) {
    JsonNode answer = send("GET", "/subjects/" + encode(subject) + "/versions", null);
    List<Integer> versions = new ArrayList<>();
    answer.forEach(v -> versions.add(v.asInt()));
    return versions;
  }

  /** Every subject of the registry (GET /subjects). */
  public List<String> subjects() {
    JsonNode answer = send("GET", "/subjects", null);
    List<String> subjects = new ArrayList<>();
    answer.forEach(v -> subjects.add(v.asText()));
    return subjects;
  }

  /**
   * Whether a schema could be registered as the next version of a subject, under its compatibility
   * level (POST /compatibility/subjects/{subject}/versions/latest).
   */
  public boolean isCompatible(String subject, Schema schema) {
    JsonNode answer = send("POST", "/compatibility/subjects/" + encode(subject) + "/versions/latest", schemaBody(schema));
    JsonNode v = answer.get("is_compatible");
    if (v == null || !v.isBoolean()) {
      throw new SchemaRegistryException(200, 0, "Schema registry answer lacks is_compatible: " + answer);
    }
    return v.asBoolean();
  }

  /** The global compatibility level (GET /config), e.g. BACKWARD. */
  public String globalCompatibility() {
    return requiredText(send("GET", "/config", null), "compatibilityLevel");
  }

  /**
   * The compatibility level that applies to a subject (GET /config/{subject}?defaultToGlobal=true):
   * the subject's own level, or the global one when the subject has none.
   */
  public String compatibility(String subject) {
    return requiredText(send("GET", "/config/" + encode(subject) + "?defaultToGlobal=true", null), "compatibilityLevel");
  }

  /** Sets the global compatibility level (PUT /config). */
  public String setGlobalCompatibility(String level) {
    return requiredText(send("PUT", "/config", compatibilityBody(level)), "compatibility");
  }

  /** Sets a subject's compatibility level (PUT /config/{subject}). */
  public String setCompatibility(String subject, String level) {
    return requiredText(send("PUT", "/config/" + encode(subject), compatibilityBody(level)), "compatibility");
  }

  /**
   * Deletes a subject (DELETE /subjects/{subject}); soft unless {@code permanent}, which needs a
   * soft delete first.
   *
   * @return the versions that were deleted
   */
  public List<Integer> deleteSubject(String subject, boolean permanent) {
    JsonNode answer = send("DELETE", "/subjects/" + encode(subject) + (permanent ? "?permanent=true" : ""), null);
    registered.remove(subject);
    lookedUp.remove(subject);
    latest.remove(subject);
    List<Integer> versions = new ArrayList<>();
    answer.forEach(v -> versions.add(v.asInt()));
    return versions;
  }

  /** Forgets cached answers. */
  @Override
  public void close() {
    registered.clear();
    lookedUp.clear();
    byId.clear();
    latest.clear();
  }

  @Override
  public String toString() {
    return "SchemaRegistryClient{" + config + "}";
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Sends a request, retrying server errors and unreachable URLs (next URL, then after a back-off).
   * A DELETE is not repeated once a registry may have received it: only a refused connection moves
   * it on, since a repeated delete that had been applied would answer "not found".
   */
  private JsonNode send(String method, String path, JsonNode body) {
    boolean repeatable = !method.equals("DELETE");
    List<URI> urls = config.urls();
    String payload = body == null ? null : body.toString();
    SchemaRegistryException last = null;
    long wait = config.retryWaitMs();
    for (int attempt = 0; attempt <= config.maxRetries(); attempt++) {
      int start = preferredUrl.get();
      for (int i = 0; i < urls.size(); i++) {
        int index = (start + i) % urls.size();
        URI base = urls.get(index);
        try {
          HttpResponse<String> response = http.send(request(base, method, path, payload), HttpResponse.BodyHandlers.ofString());
          int status = response.statusCode();
          if (status >= 200 && status < 300) {
            preferredUrl.set(index);
            return readJson(base, method, path, response.body());
          }
          SchemaRegistryException error = errorOf(base, method, path, status, response.body());
          if (status < 500 || !repeatable) {
            preferredUrl.set(index);
            throw error;
          }
          last = error;
          log.debug("Schema registry {} answered {} to {} {}; trying the next URL", base, status, method, path);
        } catch (IOException e) {
          last = new SchemaRegistryException("Schema registry " + base + " unreachable for " + method + " " + path
              + ": " + describe(e), e);
          log.debug("Schema registry {} unreachable: {}", base, describe(e));
          if (!repeatable && !(e instanceof ConnectException)) {
            throw last;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new SchemaRegistryException("Interrupted while calling schema registry " + base, e);
        }
      }
      if (attempt < config.maxRetries()) {
        sleep(wait);
        wait = Math.min(wait * 2, config.retryMaxWaitMs());
      }
    }
    if (last != null && last.isUnreachable()) {
      throw new SchemaRegistryException("No schema registry reachable at " + urls + " after "
          + (config.maxRetries() + 1) + " attempt(s): " + last.getMessage(), last.getCause());
    }
    throw last;
  }

  private HttpRequest request(URI base, String method, String path, String payload) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base.toString() + path))
        .timeout(config.readTimeout())
        .header("Accept", CONTENT_TYPE + ", application/json;q=0.9")
        .method(method, payload == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(payload, StandardCharsets.UTF_8));
    if (payload != null) {
      builder.header("Content-Type", CONTENT_TYPE);
    }
    config.authorizationHeader().ifPresent(h -> builder.header("Authorization", h));
    return builder.build();
  }

  private static JsonNode readJson(URI base, String method, String path, String body) {
    try {
      return JSON.readTree(body == null || body.isEmpty() ? "null" : body);
    } catch (IOException e) {
      throw new SchemaRegistryException(200, 0, "Schema registry " + base + " answered " + method + " " + path
          + " with a body that is not JSON: " + abbreviate(body));
    }
  }

  private static SchemaRegistryException errorOf(URI base, String method, String path, int status, String body) {
    int code = status;
    String message = abbreviate(body);
    try {
      JsonNode node = JSON.readTree(body);
      if (node != null && node.isObject()) {
        if (node.hasNonNull("error_code")) {
          code = node.get("error_code").asInt(status);
        }
        if (node.hasNonNull("message")) {
          message = node.get("message").asText();
        }
      }
    } catch (IOException notJson) {
      // keep the raw body as the message
    }
    if (status == 401 || status == 403) {
      message = message + " (check basic.auth.user.info / bearer.auth.token)";
    }
    return new SchemaRegistryException(status, code, "Schema registry " + base + " answered " + status
        + " (error " + code + ") to " + method + " " + stripQuery(path) + ": " + message);
  }

  private static ObjectNode schemaBody(Schema schema) {
    ObjectNode body = JSON.createObjectNode();
    body.put("schema", schema.toString());
    return body;
  }

  private static ObjectNode compatibilityBody(String level) {
    ObjectNode body = JSON.createObjectNode();
    body.put("compatibility", level);
    return body;
  }

  private static Schema parse(String text, String what) {
    try {
      return new Schema.Parser().parse(text);
    } catch (SchemaParseException e) {
      throw new SchemaRegistryException(200, SchemaRegistryException.INVALID_SCHEMA,
          "Schema registry returned a schema for " + what + " that Avro cannot parse: " + e.getMessage());
    }
  }

  private static int requiredInt(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    if (v == null || !v.canConvertToInt()) {
      throw new SchemaRegistryException(200, 0, "Schema registry answer lacks \"" + field + "\": " + node);
    }
    return v.asInt();
  }

  private static String requiredText(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    if (v == null || v.isNull()) {
      throw new SchemaRegistryException(200, 0, "Schema registry answer lacks \"" + field + "\": " + node);
    }
    return v.asText();
  }

  static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String stripQuery(String path) {
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  private static String abbreviate(String s) {
    if (s == null) {
      return "";
    }
    return s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }

  private static void sleep(long ms) {
    if (ms <= 0) {
      return;
    }
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryException("Interrupted while waiting to retry the schema registry", e);
    }
  }
}
