package io.factorymeter.producers.reference;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.factorymeter.contract.PriceRules;
import io.factorymeter.producers.JsonObjects;
import io.factorymeter.schema.GpuEmbodied;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.GridIntensity;
import io.factorymeter.schema.Tariff;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The JSON Lines form of reference data, one object per line, the four types:
 * <ul>
 *   <li>{@code {"type":"tariff","site":…,"currency":…,"pricePerKwh":…,"pue":…,"effectiveFrom":ISO,"publishedAt":ISO}}
 *   <li>{@code {"type":"gpu-rate","gpuModel":…,"currency":…,"hourlyRate":…,"effectiveFrom":ISO,"publishedAt":ISO}}
 *   <li>{@code {"type":"grid-intensity","site":…,"gco2ePerKwh":…,"effectiveFrom":ISO,"source":…,"publishedAt":ISO}}
 *   <li>{@code {"type":"gpu-embodied","gpuModel":…,"gco2ePerGpuHour":…,"effectiveFrom":ISO,"source":…,"publishedAt":ISO}}
 * </ul>
 * {@code source} is optional text. {@code publishedAt} is optional: an ISO-8601 instant (sent in
 * epoch milliseconds UTC), when the version was published; absent or null = none (the version counts
 * as published when it takes effect). A version published after its effectiveFrom is a correction
 * (SPEC §2a). Other fields are ignored. What a value must be is {@link PriceRules}. {@code NaN} and
 * {@code Infinity} are read as numbers so that they are reported as such.
 */
public final class ReferenceJson {

  private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  private ReferenceJson() {
  }

  /** Parses one line; {@link IllegalArgumentException} says what is wrong. */
  public static ReferenceRecord parse(String line) {
    return parse(object(line), null);
  }

  /**
   * Parses one line; a record without a {@code publishedAt} of its own gets {@code publishedAt}
   * (null: none), and the record is checked with it. {@link IllegalArgumentException} says what is
   * wrong.
   */
  public static ReferenceRecord parse(String line, Instant publishedAt) {
    return parse(object(line), publishedAt);
  }

  /** The JSON object a line holds; {@link IllegalArgumentException} when it is not one. */
  public static JsonNode object(String line) {
    return JsonObjects.read(JSON, line, IllegalArgumentException::new);
  }

  /** The text of the object's {@code "type"} field; {@link IllegalArgumentException} when missing or not a string. */
  public static String type(JsonNode node) {
    return text(node, "type");
  }

  /** The kind a {@code "type"} value names, if any. */
  public static java.util.Optional<ReferenceKind> kind(String type) {
    for (ReferenceKind k : ReferenceKind.values()) {
      if (k.type().equals(type)) {
        return java.util.Optional.of(k);
      }
    }
    return java.util.Optional.empty();
  }

  /** The kind named by the object's {@code "type"} field. */
  public static ReferenceKind kind(JsonNode node) {
    String type = type(node);
    return kind(type).orElseThrow(() -> new IllegalArgumentException("field \"type\" must be \"tariff\", \"gpu-rate\", \"grid-intensity\" or \"gpu-embodied\", got \""
        + type + "\""));
  }

  /** Parses one object; {@link IllegalArgumentException} says what is wrong. */
  public static ReferenceRecord parse(JsonNode node) {
    return parse(node, null);
  }

  /**
   * Parses one object; a record without a {@code publishedAt} of its own gets {@code publishedAt}
   * (null: none), and the record is checked with it ({@link PriceRules}: a correction must take effect
   * on a whole minute). {@link IllegalArgumentException} says what is wrong.
   */
  public static ReferenceRecord parse(JsonNode node, Instant publishedAt) {
    ReferenceKind kind = kind(node);
    switch (kind) {
      case TARIFF -> {
        String currency = text(node, "currency");
        Instant effectiveFrom = instant(node, "effectiveFrom");
        String site = text(node, "site");
        Tariff tariff = new Tariff(site, currency, number(node, "pricePerKwh"), number(node, "pue"), effectiveFrom,
            ownPublishedAt(node, publishedAt));
        PriceRules.check(tariff).ifPresent(ReferenceJson::refuse);
        return new ReferenceRecord(kind, site, tariff, effectiveFrom);
      }
      case GPU_RATE -> {
        String currency = text(node, "currency");
        Instant effectiveFrom = instant(node, "effectiveFrom");
        String gpuModel = text(node, "gpuModel");
        GpuRate rate = new GpuRate(gpuModel, currency, number(node, "hourlyRate"), effectiveFrom, ownPublishedAt(node, publishedAt));
        PriceRules.check(rate).ifPresent(ReferenceJson::refuse);
        return new ReferenceRecord(kind, gpuModel, rate, effectiveFrom);
      }
      case GRID_INTENSITY -> {
        Instant effectiveFrom = instant(node, "effectiveFrom");
        String site = text(node, "site");
        GridIntensity g = new GridIntensity(site, number(node, "gco2ePerKwh"), effectiveFrom, optionalText(node, "source"),
            ownPublishedAt(node, publishedAt));
        PriceRules.check(g).ifPresent(ReferenceJson::refuse);
        return new ReferenceRecord(kind, site, g, effectiveFrom);
      }
      case GPU_EMBODIED -> {
        Instant effectiveFrom = instant(node, "effectiveFrom");
        String gpuModel = text(node, "gpuModel");
        GpuEmbodied e = new GpuEmbodied(gpuModel, number(node, "gco2ePerGpuHour"), effectiveFrom, optionalText(node, "source"),
            ownPublishedAt(node, publishedAt));
        PriceRules.check(e).ifPresent(ReferenceJson::refuse);
        return new ReferenceRecord(kind, gpuModel, e, effectiveFrom);
      }
      default -> throw new IllegalStateException(kind.toString());
    }
  }

  static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("missing field \"" + field + "\"");
    }
    if (!v.isTextual() || v.asText().isBlank()) {
      throw new IllegalArgumentException("field \"" + field + "\" must be a non-empty string, got " + v);
    }
    return v.asText();
  }

  /** The text of an optional field: null when absent or null, else a non-empty string. */
  private static String optionalText(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : text(node, field);
  }

  /** A JSON number (NaN and Infinity included: the rules then say what is wrong with them). */
  private static double number(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("missing field \"" + field + "\"");
    }
    if (!v.isNumber()) {
      throw new IllegalArgumentException("field \"" + field + "\" must be a number, got " + v);
    }
    return v.asDouble();
  }

  private static void refuse(PriceRules.Problem problem) {
    throw new IllegalArgumentException("field \"" + problem.field() + "\" " + problem.rule() + ", got " + problem.value());
  }

  /** The object's own {@code publishedAt} (an ISO-8601 instant), or {@code otherwise} when it is absent or null. */
  private static Instant ownPublishedAt(JsonNode node, Instant otherwise) {
    JsonNode v = node.get("publishedAt");
    return v == null || v.isNull() ? otherwise : instant(node, "publishedAt");
  }

  private static Instant instant(JsonNode node, String field) {
    String text = text(node, field);
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("field \"" + field + "\" must be an ISO-8601 instant like 2026-11-26T00:00:00Z, got \"" + text + "\"");
    }
  }
}
