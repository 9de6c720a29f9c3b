package io.factorymeter.producers.prices;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.factorymeter.contract.NodeSampleRules;
import io.factorymeter.producers.JsonObjects;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.Tariff;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Currency;
import org.apache.avro.specific.SpecificRecord;

/**
 * The JSON Lines form of prices:
 * {@code {"type":"tariff","site":…,"currency":…,"pricePerKwh":…,"pue":…,"effectiveFrom":ISO}} and
 * {@code {"type":"gpu-rate","gpuModel":…,"currency":…,"hourlyRate":…,"effectiveFrom":ISO}}.
 *
 * <p>What a price must be (the pipeline checks the same before it stores a price, SPEC §2): the
 * currency an ISO 4217 code ({@link Currency} knows it); the site an identifier of SPEC §1, the GPU
 * model 1..128 printable characters; pricePerKwh (currency units per kWh) a finite number from 0
 * to {@value #MAX_PRICE_PER_KWH}; pue from 1 to {@value #MAX_PUE}; hourlyRate (currency units per
 * GPU-hour) from 0 to {@value #MAX_HOURLY_RATE}. The upper bounds keep the cost of the largest
 * sample SPEC §1 allows (2,048 kWh, 1,024 GPU-hours) within the 9.22 million currency units a
 * cost sum holds: 2,048 × 500 × 4 + 1,024 × 4,000 = 8,192,000. {@code NaN} and
 * {@code Infinity} are read as numbers so that they are reported as such.
 */
public final class PriceJson {

  /** Highest electricity price, currency units per kWh. */
  public static final double MAX_PRICE_PER_KWH = 500;
  /** Highest power usage effectiveness (the lowest is 1). */
  public static final double MAX_PUE = 4;
  /** Highest GPU capacity rate, currency units per GPU-hour. */
  public static final double MAX_HOURLY_RATE = 4_000;

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
    if (!isCurrency(currency)) {
      throw new IllegalArgumentException("field \"currency\" must be an ISO 4217 code like USD, got \"" + currency + "\"");
    }
    Instant effectiveFrom = instant(node, "effectiveFrom");
    switch (type) {
      case "tariff" -> {
        String site = text(node, "site");
        if (!NodeSampleRules.ID.matcher(site).matches()) {
          throw new IllegalArgumentException("field \"site\" must match " + NodeSampleRules.ID.pattern() + ", got " + node.get("site"));
        }
        double price = number(node, "pricePerKwh", 0, MAX_PRICE_PER_KWH);
        double pue = number(node, "pue", 1, MAX_PUE);
        return new Price(site, new Tariff(site, currency, price, pue, effectiveFrom), effectiveFrom);
      }
      case "gpu-rate" -> {
        String gpuModel = text(node, "gpuModel");
        if (!NodeSampleRules.isGpuModel(gpuModel)) {
          throw new IllegalArgumentException("field \"gpuModel\" must be 1..128 printable characters, got " + node.get("gpuModel"));
        }
        double rate = number(node, "hourlyRate", 0, MAX_HOURLY_RATE);
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

  /** A finite number from {@code min} to {@code max}. */
  private static double number(JsonNode node, String field, double min, double max) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("missing field \"" + field + "\"");
    }
    double d = v.asDouble();
    String shown = v.isNumber() ? v.asText() : v.toString();   // NaN, Infinity unquoted; a string quoted
    if (!v.isNumber() || !Double.isFinite(d)) {
      throw new IllegalArgumentException("field \"" + field + "\" must be a finite number, got " + shown);
    }
    if (d < min) {
      throw new IllegalArgumentException("field \"" + field + "\" must be at least " + plain(min) + ", got " + shown);
    }
    if (d > max) {
      throw new IllegalArgumentException("field \"" + field + "\" must be at most " + plain(max) + ", got " + shown);
    }
    return d;
  }

  private static String plain(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  /** Whether {@code code} is an ISO 4217 currency code: three capital letters {@link Currency} knows. */
  static boolean isCurrency(String code) {
    if (!code.matches("[A-Z]{3}")) {
      return false;
    }
    try {
      Currency.getInstance(code);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
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
