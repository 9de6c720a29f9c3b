package io.factorymeter.producers.prices;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * Prices must be finite and non-negative, PUE at least 1, the currency three capital letters.
 */
public final class PriceJson {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A parsed price line: the topic key (site or gpuModel), the record, and when it takes effect. */
  public record Price(String key, SpecificRecord value, Instant effectiveFrom) {  }

  private PriceJson() {
  }

  /** Parses one line; {@link IllegalArgumentException} says what is wrong. */
  public static Price parse(String line) {
    JsonNode node = JsonObjects.read(JSON, line, IllegalArgumentException::new);
    String type = text(node, "type");
    String currency = text(node, "currency");
    if (!currency.matches("[A-Z]{3}")) {
      throw new IllegalArgumentException("field \"currency\" must be an ISO 4217 code like USD, got \"" + currency + "\"");
    }
    Instant effectiveFrom = instant(node, "effectiveFrom");
    switch (type) {
      case "tariff" -> {
        String site = text(node, "site");
        double price = nonNegative(node, "pricePerKwh");
        double pue = nonNegative(node, "pue");
        if (pue < 1.0) {
          throw new IllegalArgumentException("field \"pue\" must be at least 1, got " + pue);
        }
        return new Price(site, new Tariff(site, currency, price, pue, effectiveFrom), effectiveFrom);
      }
      case "gpu-rate" -> {
        String gpuModel = text(node, "gpuModel");
        double rate = nonNegative(node, "hourlyRate");
        return new Price(gpuModel, new GpuRate(gpuModel, currency, rate, effectiveFrom), effectiveFrom);
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

  private static double nonNegative(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("missing field \"" + field + "\"");
    }
    if (!v.isNumber() || !Double.isFinite(v.asDouble()) || v.asDouble() < 0) {
      throw new IllegalArgumentException("field \"" + field + "\" must be a non-negative number, got " + v);
    }
    return v.asDouble();
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
