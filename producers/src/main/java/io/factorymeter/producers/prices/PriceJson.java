package io.factorymeter.producers.prices;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.factorymeter.contract.PriceRules;
import io.factorymeter.producers.JsonObjects;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.Tariff;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.apache.avro.specific.SpecificRecord;

/**
 * The JSON Lines form of prices:
 * {@code {"type":"tariff","site":…,"currency":…,"pricePerKwh":…,"pue":…,"effectiveFrom":ISO}} and
 * {@code {"type":"gpu-rate","gpuModel":…,"currency":…,"hourlyRate":…,"effectiveFrom":ISO}}.
 *
 * <p>What a price must be is {@link PriceRules} (the pipeline checks the same before it stores a
 * price). {@code NaN} and {@code Infinity} are read as numbers so that they are reported as such.
 */
public final class PriceJson {

  private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  /** A parsed price line: the topic key (site or gpuModel), the record, and when it takes effect. */
  public record Price(String key, SpecificRecord value, Instant effectiveFrom) {  }

  private PriceJson() {
  }

  /** Parses one line; {@link IllegalArgumentException} says what is wrong. */
  public static Price parse(String line) {
    JsonNode node = JsonObjects.read(JSON, line, IllegalArgumentException::new);
    String type = text(node, "type");
    String currency = text(node, "currency");
    Instant effectiveFrom = instant(node, "effectiveFrom");
    switch (type) {
      case "tariff" -> {
        String site = text(node, "site");
        Tariff tariff = new Tariff(site, currency, number(node, "pricePerKwh"), number(node, "pue"), effectiveFrom);
        PriceRules.check(tariff).ifPresent(PriceJson::refuse);
        return new Price(site, tariff, effectiveFrom);
      }
      case "gpu-rate" -> {
        String gpuModel = text(node, "gpuModel");
        GpuRate rate = new GpuRate(gpuModel, currency, number(node, "hourlyRate"), effectiveFrom);
        PriceRules.check(rate).ifPresent(PriceJson::refuse);
        return new Price(gpuModel, rate, effectiveFrom);
      }
      default -> throw new IllegalArgumentException("field \"type\" must be \"tariff\" or \"gpu-rate\", got \"" + type + "\"");
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("missing field \"" + field + "\"");
    }
    if (!v.isTextual() || v.asText().isBlank()) {
      throw new IllegalArgumentException("field \"" + field + "\" must be a non-empty string, got " + v);
    }
    return v.asText();
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

  private static Instant instant(JsonNode node, String field) {
    String text = text(node, field);
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("field \"" + field + "\" must be an ISO-8601 instant like 2026-11-26T00:00:00Z, got \"" + text + "\"");
    }
  }
}
