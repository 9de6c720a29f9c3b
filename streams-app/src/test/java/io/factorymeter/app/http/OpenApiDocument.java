package io.factorymeter.app.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The query API's OpenAPI document (the one in the repository, on the class path), and a check
 * of a JSON answer against the schema it documents for a path and status: types (with null where
 * the type list allows it), required properties, no undocumented property, enums, date-time
 * strings, array items and {@code $ref}s. Enough of JSON Schema for this document; not a general
 * validator.
 */
final class OpenApiDocument {

  private final JsonNode doc;
  private final Set<String> answered = new TreeSet<>();

  OpenApiDocument() throws IOException {
    try (InputStream in = OpsServer.class.getResourceAsStream(OpsServer.OPENAPI_RESOURCE)) {
      doc = new ObjectMapper().readTree(in);
    }
  }

  /** Every documented path template, e.g. {@code /v1/nodes/{nodeId}/metrics}. */
  Set<String> paths() {
    Set<String> out = new TreeSet<>();
    doc.get("paths").fieldNames().forEachRemaining(out::add);
    return out;
  }

  /** Documented path templates that no {@link #check} has matched with a 200 yet. */
  Set<String> pathsNotAnswered() {
    Set<String> out = paths();
    out.removeAll(answered);
    return out;
  }

  /** The documented template {@code path} (no query) matches, if any. */
  Optional<String> template(String path) {
    for (String t : paths()) {
      if (path.matches(t.replaceAll("\\{[^}]+}", "[^/]+"))) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /**
   * The problems of {@code body}, answered with {@code status} to a GET of {@code path}, against the
   * document: none when it conforms.
   */
  List<String> check(String path, int status, JsonNode body) {
    List<String> problems = new ArrayList<>();
    Optional<String> template = template(path);
    if (template.isEmpty()) {
      problems.add(path + ": not documented");
      return problems;
    }
    JsonNode response = doc.get("paths").get(template.get()).get("get").get("responses").get(Integer.toString(status));
    if (response == null) {
      problems.add(path + ": status " + status + " not documented");
      return problems;
    }
    if (status == 200) {
      answered.add(template.get());
    }
    validate(response.get("content").get("application/json").get("schema"), body, "$", problems);
    return problems;
  }

  private JsonNode resolve(JsonNode schema) {
    JsonNode ref = schema.get("$ref");
    if (ref == null) {
      return schema;
    }
    JsonNode target = doc;
    for (String part : ref.asText().substring(2).split("/")) {
      target = target.get(part);
    }
    return target;
  }

  private void validate(JsonNode schema, JsonNode value, String where, List<String> problems) {
    schema = resolve(schema);
    List<String> types = new ArrayList<>();
    JsonNode type = schema.get("type");
    if (type != null && type.isArray()) {
      type.forEach(t -> types.add(t.asText()));
    } else if (type != null) {
      types.add(type.asText());
    }
    String actual = typeOf(value);
    boolean typeOk = types.isEmpty() || types.contains(actual) || (actual.equals("integer") && types.contains("number"));
    if (!typeOk) {
      problems.add(where + ": " + actual + " where the document says " + types);
      return;
    }
    if (value.isNull()) {
      return;
    }
    if (schema.has("enum")) {
      boolean listed = false;
      for (JsonNode e : schema.get("enum")) {
        listed |= e.equals(value);
      }
      if (!listed) {
        problems.add(where + ": " + value + " is not one of " + schema.get("enum"));
      }
    }
    if ("date-time".equals(schema.path("format").asText()) && value.isTextual()) {
      try {
        Instant.parse(value.asText());
      } catch (RuntimeException e) {
        problems.add(where + ": '" + value.asText() + "' is not an ISO-8601 date-time");
      }
    }
    if (value.isObject()) {
      JsonNode props = schema.get("properties");
      for (JsonNode required : schema.path("required")) {
        if (!value.has(required.asText())) {
          problems.add(where + ": required property " + required.asText() + " missing");
        }
      }
      Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        if (props == null || !props.has(f.getKey())) {
          if (schema.path("additionalProperties").isBoolean() && !schema.get("additionalProperties").asBoolean()) {
            problems.add(where + ": property " + f.getKey() + " is not documented");
          }
        } else {
          validate(props.get(f.getKey()), f.getValue(), where + "." + f.getKey(), problems);
        }
      }
    }
    if (value.isArray() && schema.has("items")) {
      for (int i = 0; i < value.size(); i++) {
        validate(schema.get("items"), value.get(i), where + "[" + i + "]", problems);
      }
    }
  }

  private static String typeOf(JsonNode v) {
    if (v.isNull()) {
      return "null";
    }
    if (v.isObject()) {
      return "object";
    }
    if (v.isArray()) {
      return "array";
    }
    if (v.isTextual()) {
      return "string";
    }
    if (v.isBoolean()) {
      return "boolean";
    }
    if (v.isIntegralNumber()) {
      return "integer";
    }
    return "number";
  }
}
