package io.factorymeter.app.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factorymeter.app.query.QueryRouter;
import io.factorymeter.app.query.ViewSource;
import io.factorymeter.app.query.View;
import io.factorymeter.app.query.ViewQuery;
import io.factorymeter.contract.OutputKey;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * The query API (issue 10; its contract is {@code openapi.json} beside this class): metric
 * windows, billing lines and alerts from the pipeline's state stores, for the whole key space
 * ({@link QueryRouter}). Parameters are checked before anything is read:
 * {@code from}/{@code to} ISO-8601 with from before to, {@code limit} a positive whole number,
 * {@code open} true or false, no other parameter; a bad one answers 400, an id with nothing
 * retained 404, stores that cannot be queried now 503, each with {@code {"error": "..."}}.
 */
public final class QueryApi {

  /** An answer: HTTP status and JSON body. */
  public record Answer(int status, String json) {
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_LIMIT = 100_000;
  private static final Set<String> RANGE = Set.of("from", "to");
  private static final Set<String> WINDOWS = Set.of("from", "to", "limit");
  private static final Set<String> ALERTS = Set.of("from", "to", "open");

  private final ViewSource router;

  public QueryApi(ViewSource router) {
    this.router = router;
  }

  /**
   * Answers a GET of {@code rawPath} (still URL-encoded) with {@code rawQuery} (null for none).
   * Paths outside {@code /v1/} are not asked here.
   */
  public Answer get(String rawPath, String rawQuery) {
    try {
      Map<String, String> params = parameters(rawQuery);
      List<String> path = segments(rawPath);
      return answer(path, params);
    } catch (IllegalArgumentException e) {
      return error(400, e.getMessage());
    } catch (NotFound e) {
      return error(404, e.getMessage());
    } catch (ViewSource.Unavailable e) {
      return error(503, e.getMessage());
    } catch (InvalidStateStoreException e) {
      return error(503, "the state stores cannot be queried now (the pipeline is starting or rebalancing): " + e.getMessage());
    }
  }

  private Answer answer(List<String> p, Map<String, String> params) {
    int n = p.size();
    if (n == 2 && p.get(1).equals("nodes")) {
      allowed(params, Set.of());
      return ok(listOf("nodes", View.NODE_LATEST, "nodeId"));
    }
    if (n == 4 && p.get(1).equals("nodes") && p.get(3).equals("metrics")) {
      allowed(params, WINDOWS);
      return ok(windows("nodeId", p.get(2), View.NODE_WINDOWS, params, "node"));
    }
    if (n == 2 && p.get(1).equals("clusters")) {
      allowed(params, Set.of());
      return ok(listOf("clusters", View.CLUSTER_LATEST, "clusterId"));
    }
    if (n == 4 && p.get(1).equals("clusters") && p.get(3).equals("metrics")) {
      allowed(params, WINDOWS);
      return ok(windows("clusterId", p.get(2), View.CLUSTER_WINDOWS, params, "cluster"));
    }
    if (n == 3 && p.get(1).equals("fleet") && p.get(2).equals("metrics")) {
      allowed(params, WINDOWS);
      return ok(windows("fleetId", OutputKey.FLEET, View.FLEET_WINDOWS, params, "fleet"));
    }
    if (n == 2 && p.get(1).equals("tenants")) {
      allowed(params, RANGE);
      return ok(tenants(params));
    }
    if (n == 4 && p.get(1).equals("tenants") && p.get(3).equals("usage")) {
      allowed(params, RANGE);
      return ok(usage(p.get(2), params));
    }
    if (n == 2 && p.get(1).equals("alerts")) {
      allowed(params, ALERTS);
      return ok(alerts(params));
    }
    if (("/" + String.join("/", p)).equals(QueryRouter.INTERNAL_PATH)) {
      ObjectNode body = JSON.createObjectNode();
      body.putArray("records").addAll(router.local().answer(ViewQuery.of(params)));
      return ok(body);
    }
    throw new NotFound("no such path: /" + String.join("/", p));
  }

  private ObjectNode listOf(String field, View view, String idField) {
    List<ObjectNode> records = router.fromAll(new ViewQuery(view, null, ViewQuery.EARLIEST, ViewQuery.LATEST, false));
    records.sort(Comparator.comparing(r -> r.path(idField).asText()));
    ObjectNode body = JSON.createObjectNode();
    body.putArray(field).addAll(records);
    return body;
  }

  private ObjectNode windows(String idField, String id, View view, Map<String, String> params, String what) {
    Range range = Range.of(params);
    ViewQuery q = new ViewQuery(view, id, range.from(), range.to(), false);
    List<ObjectNode> records = router.fromOwner(q);
    if (records.isEmpty() && (q.isAllTime() || router.fromOwner(q.allTime()).isEmpty())) {
      throw new NotFound("unknown " + what + ": " + id + " (no window of it is retained)");
    }
    records.sort(Comparator.comparing(r -> instant(r, "windowStart")));
    int limit = limit(params);
    if (records.size() > limit) {
      records = new ArrayList<>(records.subList(records.size() - limit, records.size()));
    }
    ObjectNode body = JSON.createObjectNode();
    body.put(idField, id);
    range.write(body);
    body.putArray("windows").addAll(records);
    return body;
  }

  private ObjectNode tenants(Map<String, String> params) {
    Range range = Range.of(params);
    List<ObjectNode> lines = router.fromAll(new ViewQuery(View.BILLING_LINES, null, range.from(), range.to(), false));
    Map<String, List<ObjectNode>> byTenant = new TreeMap<>();
    for (ObjectNode line : lines) {
      byTenant.computeIfAbsent(line.path("tenantId").asText(), t -> new ArrayList<>()).add(line);
    }
    ObjectNode body = JSON.createObjectNode();
    range.write(body);
    ArrayNode tenants = body.putArray("tenants");
    byTenant.forEach((tenant, its) -> tenants.add(totals(tenant, sortedLines(its))));
    return body;
  }

  private ObjectNode usage(String tenantId, Map<String, String> params) {
    Range range = Range.of(params);
    ViewQuery q = new ViewQuery(View.BILLING_LINES, tenantId, range.from(), range.to(), false);
    List<ObjectNode> lines = router.fromAll(q);
    if (lines.isEmpty() && (q.isAllTime() || router.fromAll(q.allTime()).isEmpty())) {
      throw new NotFound("unknown tenant: " + tenantId + " (no billing line of it is retained)");
    }
    lines = sortedLines(lines);
    ObjectNode body = JSON.createObjectNode();
    body.put("tenantId", tenantId);
    range.write(body);
    body.putArray("lines").addAll(lines);
    body.set("totals", totals(tenantId, lines));
    return body;
  }

  private ObjectNode alerts(Map<String, String> params) {
    String open = params.getOrDefault("open", "false");
    if (!open.equals("true") && !open.equals("false")) {
      throw new IllegalArgumentException("open must be true or false, got '" + open + "'");
    }
    boolean openOnly = open.equals("true");
    Range range = Range.of(params);
    List<ObjectNode> alerts = new ArrayList<>();
    for (View view : List.of(View.NODE_ALERTS, View.CLUSTER_ALERTS)) {
      alerts.addAll(router.fromAll(new ViewQuery(view, null, range.from(), range.to(), openOnly)));
    }
    alerts.sort(Comparator.<ObjectNode, Instant>comparing(a -> instant(a, "startTime"))
        .thenComparing(a -> a.path("nodeId").asText()).thenComparing(a -> a.path("alertType").asText()));
    ObjectNode body = JSON.createObjectNode();
    body.putArray("alerts").addAll(alerts);
    return body;
  }

  private static List<ObjectNode> sortedLines(List<ObjectNode> lines) {
    List<ObjectNode> sorted = new ArrayList<>(lines);
    sorted.sort(Comparator.<ObjectNode, Instant>comparing(l -> instant(l, "periodStart")).thenComparing(l -> l.path("modelId").asText()));
    return sorted;
  }

  /**
   * Sums of a tenant's lines; a line without a cost adds 0 to it (its unpricedSamples say why), a
   * line without carbon adds 0 to the carbon sums and 1 to linesWithoutCarbon.
   */
  private static ObjectNode totals(String tenantId, List<ObjectNode> lines) {
    long prompt = 0;
    long completion = 0;
    long unpriced = 0;
    double energyJ = 0;
    double energyCost = 0;
    double capacityCost = 0;
    double totalCost = 0;
    double operationalCarbon = 0;
    double embodiedCarbon = 0;
    double carbon = 0;
    long withoutCarbon = 0;
    String currency = null;
    for (ObjectNode l : lines) {
      operationalCarbon += l.path("operationalCarbonG").asDouble(0);
      embodiedCarbon += l.path("embodiedCarbonG").asDouble(0);
      carbon += l.path("carbonG").asDouble(0);
      if (l.path("carbonG").isNull() || l.path("carbonG").isMissingNode()) {
        withoutCarbon++;
      }
      prompt += l.path("promptTokens").asLong();
      completion += l.path("completionTokens").asLong();
      unpriced += l.path("unpricedSamples").asLong();
      energyJ += l.path("energyJ").asDouble();
      energyCost += l.path("energyCost").asDouble(0);
      capacityCost += l.path("capacityCost").asDouble(0);
      totalCost += l.path("totalCost").asDouble(0);
      currency = l.path("currency").asText();
    }
    ObjectNode t = JSON.createObjectNode();
    t.put("tenantId", tenantId);
    t.put("currency", currency);
    t.put("lines", lines.size());
    t.put("promptTokens", prompt);
    t.put("completionTokens", completion);
    t.put("energyJ", energyJ);
    t.put("energyCost", energyCost);
    t.put("capacityCost", capacityCost);
    t.put("totalCost", totalCost);
    t.put("unpricedSamples", unpriced);
    t.put("operationalCarbonG", operationalCarbon);
    t.put("embodiedCarbonG", embodiedCarbon);
    t.put("carbonG", carbon);
    if (withoutCarbon > 0 || prompt + completion == 0) {
      t.putNull("carbonPerMillionTokens");
    } else {
      t.put("carbonPerMillionTokens", carbon / (prompt + completion) * 1e6);
    }
    t.put("linesWithoutCarbon", withoutCarbon);
    return t;
  }

  /**
   * The request's {@code from}/{@code to}, read once: epoch ms, [from, to), every time there is
   * where absent; from before to.
   */
  private record Range(Long givenFrom, Long givenTo, long from, long to) {

    static Range of(Map<String, String> params) {
      Long from = params.containsKey("from") ? time("from", params.get("from")) : null;
      Long to = params.containsKey("to") ? time("to", params.get("to")) : null;
      Range r = new Range(from, to, from == null ? ViewQuery.EARLIEST : from, to == null ? ViewQuery.LATEST : to);
      if (r.from >= r.to) {
        throw new IllegalArgumentException("from (" + params.get("from") + ") must be before to (" + params.get("to") + ")");
      }
      return r;
    }

    /** The range as answered: {@code from} and {@code to} as ISO-8601, null where not given. */
    void write(ObjectNode body) {
      body.put("from", givenFrom == null ? null : OutputKey.iso(Instant.ofEpochMilli(givenFrom)));
      body.put("to", givenTo == null ? null : OutputKey.iso(Instant.ofEpochMilli(givenTo)));
    }
  }

  private static long time(String name, String value) {
    try {
      return Instant.parse(value).toEpochMilli();
    } catch (DateTimeParseException e) {
      try {
        return OffsetDateTime.parse(value).toInstant().toEpochMilli();
      } catch (DateTimeParseException e2) {
        throw new IllegalArgumentException(name + " must be an ISO-8601 time like 2024-05-01T00:00:00Z, got '" + value + "'");
      }
    }
  }

  private static int limit(Map<String, String> params) {
    String value = params.get("limit");
    if (value == null) {
      return Integer.MAX_VALUE;
    }
    try {
      int limit = Integer.parseInt(value);
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalArgumentException("limit must be a whole number from 1 to " + MAX_LIMIT + ", got '" + value + "'");
  }

  private static void allowed(Map<String, String> params, Set<String> names) {
    for (String name : params.keySet()) {
      if (!names.contains(name)) {
        throw new IllegalArgumentException("unknown parameter '" + name + "'"
            + (names.isEmpty() ? ": this path takes none" : "; expected " + String.join(", ", new java.util.TreeSet<>(names))));
      }
    }
  }

  private static Instant instant(JsonNode record, String field) {
    return Instant.parse(record.path(field).asText());
  }

  private static Map<String, String> parameters(String rawQuery) {
    Map<String, String> params = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return params;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      if (params.put(name, value) != null) {
        throw new IllegalArgumentException("parameter '" + name + "' given twice");
      }
    }
    return params;
  }

  private static List<String> segments(String rawPath) {
    List<String> segments = new ArrayList<>();
    for (String s : rawPath.split("/")) {
      if (!s.isEmpty()) {
        segments.add(decode(s));
      }
    }
    return segments;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("malformed URL encoding: " + s);
    }
  }

  private static Answer ok(ObjectNode body) {
    try {
      return new Answer(200, JSON.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static Answer error(int status, String message) {
    return new Answer(status, errorJson(message));
  }

  /** The body of every error this server answers: {@code {"error": message}}. */
  static String errorJson(String message) {
    return JSON.createObjectNode().put("error", message).toString();
  }

  /** Nothing is retained for the id asked for (HTTP 404). */
  private static final class NotFound extends RuntimeException {
    NotFound(String message) {
      super(message);
    }
  }
}
