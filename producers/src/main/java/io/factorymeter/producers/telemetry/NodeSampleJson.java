package io.factorymeter.producers.telemetry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factorymeter.producers.JsonObjects;
import io.factorymeter.contract.OutputKey;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.UsageEntry;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON Lines form of a {@link NodeSample}: one object per line, field names as in SPEC §1,
 * {@code timestamp} as epoch milliseconds or an ISO-8601 instant, {@code energyJoules} and
 * {@code agent} (schema version 2) optional.
 *
 * <p>Only the form is checked here (present fields of the right JSON type, whole numbers where
 * the schema has ints and longs). Values are not judged: a negative power or a NaN reaches the
 * pipeline, which dead-letters it with the reason. {@code NaN} and {@code Infinity} are accepted
 * as numbers for that reason. Unknown fields are ignored; a field given twice, or text after the
 * object, makes the line a rejection.
 */
public final class NodeSampleJson {

  private static final JsonMapper JSON = JsonMapper.builder()
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)    // `{...} garbage` is not one object
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY) // {"nodeId":"a","nodeId":"b"} is ambiguous
      .build();
  private static final JsonMapper WRITER = JsonMapper.builder()
      .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
      .build();

  private NodeSampleJson() {
  }

  /**
   * Parses one line.
   *
   * @throws NodeSampleFormatException saying what is wrong: not JSON, a missing field, a field of
   *     the wrong type
   */
  public static NodeSample parse(String line) {
    JsonNode node = JsonObjects.read(JSON, line, NodeSampleFormatException::new);
    NodeSample.Builder b = NodeSample.newBuilder()
        .setNodeId(text(node, "nodeId"))
        .setClusterId(text(node, "clusterId"))
        .setSite(text(node, "site"))
        .setGpuModel(text(node, "gpuModel"))
        .setGpuCount(intValue(node, "gpuCount"))
        .setTimestamp(instant(node, "timestamp"))
        .setIntervalMs(intValue(node, "intervalMs"))
        .setPowerWatts(number(node, "powerWatts"))
        .setTemperatureC((float) number(node, "temperatureC"))
        .setGpuUtilization((float) number(node, "gpuUtilization"));
    JsonNode energy = node.get("energyJoules");
    b.setEnergyJoules(energy == null || energy.isNull() ? null : number(node, "energyJoules"));
    JsonNode agent = node.get("agent");
    b.setAgent(agent == null || agent.isNull() ? null : text(node, "agent"));
    JsonNode usage = node.get("usage");
    List<UsageEntry> entries = new ArrayList<>();
    if (usage != null && !usage.isNull()) {
      if (!usage.isArray()) {
        throw new NodeSampleFormatException("field \"usage\" must be an array, got " + describe(usage));
      }
      for (int i = 0; i < usage.size(); i++) {
        JsonNode u = usage.get(i);
        String where = "usage[" + i + "]";
        if (!u.isObject()) {
          throw new NodeSampleFormatException("field \"" + where + "\" must be an object, got " + describe(u));
        }
        entries.add(new UsageEntry(text(u, "tenantId", where), text(u, "modelId", where),
            longValue(u, "promptTokens", where), longValue(u, "completionTokens", where)));
      }
    }
    return b.setUsage(entries).build();
  }

  /** One line of JSON (no line break) with {@code timestamp} as an ISO-8601 instant. */
  public static String format(NodeSample s) {
    ObjectNode o = WRITER.createObjectNode();
    o.put("nodeId", s.getNodeId());
    o.put("clusterId", s.getClusterId());
    o.put("site", s.getSite());
    o.put("gpuModel", s.getGpuModel());
    o.put("gpuCount", s.getGpuCount());
    o.put("timestamp", OutputKey.iso(s.getTimestamp()));
    o.put("intervalMs", s.getIntervalMs());
    o.put("powerWatts", s.getPowerWatts());
    if (s.getEnergyJoules() == null) {
      o.putNull("energyJoules");
    } else {
      o.put("energyJoules", s.getEnergyJoules());
    }
    o.put("temperatureC", s.getTemperatureC());
    o.put("gpuUtilization", s.getGpuUtilization());
    ArrayNode usage = o.putArray("usage");
    for (UsageEntry u : s.getUsage()) {
      usage.addObject()
          .put("tenantId", u.getTenantId())
          .put("modelId", u.getModelId())
          .put("promptTokens", u.getPromptTokens())
          .put("completionTokens", u.getCompletionTokens());
    }
    if (s.getAgent() != null) {
      o.put("agent", s.getAgent());
    }
    try {
      return WRITER.writeValueAsString(o); // not o.toString(): that writes NaN as a string, which parse refuses
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A JSON tree did not serialize: " + e.getOriginalMessage(), e);
    }
  }

  private static String text(JsonNode node, String field) {
    return text(node, field, null);
  }

  private static String text(JsonNode node, String field, String parent) {
    JsonNode v = required(node, field, parent);
    if (!v.isTextual()) {
      throw mistyped(field, parent, "a string", v);
    }
    return v.asText();
  }

  private static int intValue(JsonNode node, String field) {
    JsonNode v = required(node, field, null);
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw mistyped(field, null, "a whole number (int)", v);
    }
    return v.asInt();
  }

  private static long longValue(JsonNode node, String field, String parent) {
    JsonNode v = required(node, field, parent);
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw mistyped(field, parent, "a whole number", v);
    }
    return v.asLong();
  }

  private static double number(JsonNode node, String field) {
    JsonNode v = required(node, field, null);
    if (!v.isNumber()) {
      throw mistyped(field, null, "a number", v);
    }
    return v.asDouble();
  }

  private static Instant instant(JsonNode node, String field) {
    JsonNode v = required(node, field, null);
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return Instant.ofEpochMilli(v.asLong());
    }
    if (v.isTextual()) {
      Instant t;
      try {
        t = Instant.parse(v.asText());
      } catch (DateTimeParseException e) {
        throw mistyped(field, null, "epoch milliseconds or an ISO-8601 instant", v);
      }
      return EpochMillis.require(t, "field \"" + field + "\"", NodeSampleFormatException::new);
    }
    throw mistyped(field, null, "epoch milliseconds or an ISO-8601 instant", v);
  }

  private static JsonNode required(JsonNode node, String field, String parent) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw new NodeSampleFormatException("missing field \"" + path(field, parent) + "\"");
    }
    return v;
  }

  private static NodeSampleFormatException mistyped(String field, String parent, String expected, JsonNode got) {
    return new NodeSampleFormatException("field \"" + path(field, parent) + "\" must be " + expected + ", got " + describe(got));
  }

  private static String path(String field, String parent) {
    return parent == null ? field : parent + "." + field;
  }

  private static String describe(JsonNode v) {
    String text = v.toString();
    return (text.length() > 40 ? text.substring(0, 40) + "..." : text);
  }
}
