package io.factorymeter.producers.scrape;

import io.factorymeter.contract.NodeSampleRules;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factorymeter.producers.JsonObjects;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who is who, read from a JSON file: which node, cluster and site a scraped host is, and which
 * tenant is billed for the tokens of a served model.
 *
 * <pre>{@code
 * {
 *   "nodes": {
 *     "gpu1-wl8sg": {"nodeId": "upc-gpu1", "clusterId": "upc-fi-hel", "site": "fi-hel2", "gpuModel": "L40S-48GB"},
 *     "10.0.7.21":  {"nodeId": "upc-gpu1", "clusterId": "upc-fi-hel", "site": "fi-hel2", "gpuModel": "L40S-48GB"}
 *   },
 *   "models": {
 *     "Qwen/Qwen2.5-0.5B-Instruct": {"tenantId": "acme", "modelId": "qwen2.5-0.5b-instruct"}
 *   },
 *   "defaultTenant": "internal"
 * }
 * }</pre>
 *
 * A key under {@code nodes} is a dcgm-exporter {@code Hostname} label or the host of an endpoint
 * URL (vLLM and Triton do not name their host); several keys may name the same node, and then
 * must agree on its cluster, site and GPU model. {@code gpuModel} is optional: without it the
 * scraper uses dcgm-exporter's {@code modelName} label. A key under {@code models} is vLLM's
 * {@code model_name} label; a model not listed is billed to {@code defaultTenant} (optional) under
 * its own name. Identifiers must match {@code [A-Za-z0-9._:/@-]{1,128}}; unknown fields are errors,
 * so that a typo does not go unnoticed.
 */
public final class ScrapeMapping {

  /** The identifier pattern of SPEC §1. */
  public static final Pattern ID = NodeSampleRules.ID;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> TOP_FIELDS = Set.of("nodes", "models", "defaultTenant");
  private static final Set<String> NODE_FIELDS = Set.of("nodeId", "clusterId", "site", "gpuModel");
  private static final Set<String> MODEL_FIELDS = Set.of("tenantId", "modelId");

  /**
   * Where a scraped host's samples go.
   *
   * @param gpuModel the GPU model to report, or null to take it from the exporter
   */
  public record Node(String nodeId, String clusterId, String site, String gpuModel) {
  }

  /** Who is billed for a model's tokens, and under which model id. */
  public record Usage(String tenantId, String modelId) {
  }

  /** A host or model the mapping file does not know. */
  public static final class UnmappedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnmappedException(String message) {
      super(message);
    }
  }

  private final Map<String, Node> nodes;
  private final Map<String, Usage> models;
  private final String defaultTenant;

  private ScrapeMapping(Map<String, Node> nodes, Map<String, Usage> models, String defaultTenant) {
    this.nodes = Collections.unmodifiableMap(nodes);
    this.models = Collections.unmodifiableMap(models);
    this.defaultTenant = defaultTenant;
  }

  /** Reads a mapping file; {@link IllegalArgumentException} names the file and what is wrong. */
  public static ScrapeMapping read(Path file) throws IOException {
    String json = Files.readString(file, StandardCharsets.UTF_8);
    try {
      return parse(json);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /** Parses a mapping; {@link IllegalArgumentException} says what is wrong. */
  public static ScrapeMapping parse(String json) {
    JsonNode root = JsonObjects.read(JSON, json, IllegalArgumentException::new);
    onlyFields(root, TOP_FIELDS, "the top level");
    JsonNode nodesJson = root.get("nodes");
    if (nodesJson == null || !nodesJson.isObject() || nodesJson.isEmpty()) {
      throw new IllegalArgumentException("\"nodes\" must be an object with at least one host");
    }
    Map<String, Node> nodes = new LinkedHashMap<>();
    Map<String, String> firstKeyOfNode = new HashMap<>();
    for (Map.Entry<String, JsonNode> e : nodesJson.properties()) {
      String where = "nodes." + e.getKey();
      JsonNode n = object(e.getValue(), where);
      onlyFields(n, NODE_FIELDS, where);
      String gpuModel = optionalText(n, "gpuModel", where);
      if (gpuModel != null && !NodeSampleRules.isGpuModel(gpuModel)) {
        throw new IllegalArgumentException(where + ".gpuModel must be 1..128 printable characters");
      }
      Node node = new Node(id(n, "nodeId", where), id(n, "clusterId", where), id(n, "site", where), gpuModel);
      String other = firstKeyOfNode.putIfAbsent(node.nodeId(), e.getKey());
      if (other != null && !sameNode(nodes.get(other), node)) {
        throw new IllegalArgumentException(where + " and nodes." + other + " are both node " + node.nodeId()
            + " but differ in clusterId, site or gpuModel");
      }
      nodes.put(e.getKey(), node);
    }
    Map<String, Usage> models = new LinkedHashMap<>();
    JsonNode modelsJson = root.get("models");
    if (modelsJson != null && !modelsJson.isNull()) {
      for (Map.Entry<String, JsonNode> e : object(modelsJson, "models").properties()) {
        String where = "models." + e.getKey();
        JsonNode m = object(e.getValue(), where);
        onlyFields(m, MODEL_FIELDS, where);
        models.put(e.getKey(), new Usage(id(m, "tenantId", where), id(m, "modelId", where)));
      }
    }
    String defaultTenant = root.has("defaultTenant") && !root.get("defaultTenant").isNull() ? id(root, "defaultTenant", "the top level") : null;
    return new ScrapeMapping(nodes, models, defaultTenant);
  }

  /**
   * The node of the first key the mapping knows.
   *
   * @param keys candidates in order of preference (null entries are skipped), e.g. a Hostname label, then the endpoint's host
   * @throws UnmappedException naming every candidate when none is known
   */
  public Node node(String... keys) {
    List<String> tried = new ArrayList<>();
    for (String k : keys) {
      if (k != null && !tried.contains(k)) {
        Node n = nodes.get(k);
        if (n != null) {
          return n;
        }
        tried.add(k);
      }
    }
    throw new UnmappedException("no node for " + String.join(" or ", tried.stream().map(k -> "'" + k + "'").toList())
        + " in the mapping file (add it under \"nodes\")");
  }

  /**
   * Who is billed for a vLLM {@code model_name}: its entry, else {@code defaultTenant} with the
   * model's own name (characters an identifier may not have replaced by '-').
   *
   * @throws UnmappedException when the model is not listed and there is no default tenant
   */
  public Usage model(String modelName) {
    Usage u = models.get(modelName);
    if (u != null) {
      return u;
    }
    if (defaultTenant == null) {
      throw new UnmappedException("no entry for model '" + modelName + "' in the mapping file (add it under \"models\", or set \"defaultTenant\")");
    }
    return new Usage(defaultTenant, safeId(modelName));
  }

  /** The nodes by key, in the order of the file. */
  public Map<String, Node> nodes() {
    return nodes;
  }

  /** A name turned into an identifier: each run of characters outside the pattern becomes '-', at most 128 characters. */
  static String safeId(String name) {
    if (ID.matcher(name).matches()) {
      return name;
    }
    String s = name.replaceAll("[^A-Za-z0-9._:/@-]+", "-");
    s = s.length() > 128 ? s.substring(0, 128) : s;
    return s.isEmpty() ? "-" : s;
  }

  private static boolean sameNode(Node a, Node b) {
    return a.clusterId().equals(b.clusterId()) && a.site().equals(b.site()) && Objects.equals(a.gpuModel(), b.gpuModel());
  }

  private static JsonNode object(JsonNode n, String where) {
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException(where + " must be a JSON object");
    }
    return n;
  }

  private static void onlyFields(JsonNode n, Set<String> allowed, String where) {
    n.fieldNames().forEachRemaining(f -> {
      if (!allowed.contains(f)) {
        throw new IllegalArgumentException("unknown field \"" + f + "\" in " + where + " (expected " + String.join(", ", allowed.stream().sorted().toList()) + ")");
      }
    });
  }

  private static String id(JsonNode n, String field, String where) {
    String v = optionalText(n, field, where);
    if (v == null) {
      throw new IllegalArgumentException("missing field \"" + field + "\" in " + where);
    }
    if (!ID.matcher(v).matches()) {
      throw new IllegalArgumentException(where + "." + field + " '" + v + "' does not match " + ID.pattern());
    }
    return v;
  }

  private static String optionalText(JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual() || v.asText().isEmpty()) {
      throw new IllegalArgumentException(where + "." + field + " must be a non-empty string, got " + v);
    }
    return v.asText();
  }
}
