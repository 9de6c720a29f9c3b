package io.factorymeter.producers.prices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.Tariff;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PriceJsonTest {

  private static final String TARIFF =
      "{\"type\":\"tariff\",\"site\":\"s\",\"currency\":\"USD\",\"pricePerKwh\":0.12,\"pue\":1.3,\"effectiveFrom\":\"2026-01-01T00:00:00Z\"}";
  private static final String RATE =
      "{\"type\":\"gpu-rate\",\"gpuModel\":\"H100-SXM5-80GB\",\"currency\":\"USD\",\"hourlyRate\":2.5,\"effectiveFrom\":\"2026-01-01T00:00:00Z\"}";

  private static String error(String line) {
    return assertThrows(IllegalArgumentException.class, () -> PriceJson.parse(line)).getMessage();
  }

  @Test
  void parsesTariffsAndGpuRates() {
    PriceJson.Price t = PriceJson.parse(TARIFF.replace("\"s\"", "\"site-a\""));
    assertEquals("site-a", t.key());
    assertEquals(new Tariff("site-a", "USD", 0.12, 1.3, Instant.parse("2026-01-01T00:00:00Z"), null), t.value());
    PriceJson.Price g = PriceJson.parse(RATE);
    assertEquals("H100-SXM5-80GB", g.key());
    assertEquals(new GpuRate("H100-SXM5-80GB", "USD", 2.5, Instant.parse("2026-01-01T00:00:00Z"), null), g.value());
  }

  @Test
  void acceptsTheBoundsThemselves() {
    assertEquals(0.0, ((Tariff) PriceJson.parse(TARIFF.replace("0.12", "0").replace("1.3", "1")).value()).getPricePerKwh());
    Tariff top = (Tariff) PriceJson.parse(TARIFF.replace("0.12", "500").replace("1.3", "4")).value();
    assertEquals(500.0, top.getPricePerKwh());
    assertEquals(4.0, top.getPue());
    assertEquals(4_000.0, ((GpuRate) PriceJson.parse(RATE.replace("2.5", "4000")).value()).getHourlyRate());
    assertEquals(0.0, ((GpuRate) PriceJson.parse(RATE.replace("2.5", "0")).value()).getHourlyRate());
  }

  @Test
  void rejectsWhatCannotBeAPrice() {
    assertEquals("field \"pue\" must be a finite number from 1 to 4, got 0.9", error(TARIFF.replace("1.3", "0.9")));
    assertEquals("field \"pue\" must be a finite number from 1 to 4, got 0.5", error(TARIFF.replace("1.3", "0.5")));
    assertEquals("field \"pue\" must be a finite number from 1 to 4, got 4.5", error(TARIFF.replace("1.3", "4.5")));
    assertEquals("field \"pue\" must be a finite number from 1 to 4, got NaN", error(TARIFF.replace("1.3", "NaN")));
    assertEquals("field \"pricePerKwh\" must be a finite number from 0 to 500, got -0.12", error(TARIFF.replace("0.12", "-0.12")));
    assertEquals("field \"pricePerKwh\" must be a finite number from 0 to 500, got 500.5", error(TARIFF.replace("0.12", "500.5")));
    assertEquals("field \"pricePerKwh\" must be a finite number from 0 to 500, got Infinity", error(TARIFF.replace("0.12", "Infinity")));
    assertEquals("field \"pricePerKwh\" must be a finite number from 0 to 500, got Infinity", error(TARIFF.replace("0.12", "1e400")));
    assertEquals("field \"pricePerKwh\" must be a finite number from 0 to 500, got NaN", error(TARIFF.replace("0.12", "NaN")));
    assertEquals("field \"pricePerKwh\" must be a number, got \"0.12\"", error(TARIFF.replace("0.12", "\"0.12\"")));
    assertEquals("field \"hourlyRate\" must be a finite number from 0 to 4000, got -2.5", error(RATE.replace("2.5", "-2.5")));
    assertEquals("field \"hourlyRate\" must be a finite number from 0 to 4000, got 4000.5", error(RATE.replace("2.5", "4000.5")));
    assertEquals("field \"hourlyRate\" must be a finite number from 0 to 4000, got -Infinity", error(RATE.replace("2.5", "-Infinity")));
    assertEquals("field \"currency\" must be an ISO 4217 currency code like USD, got 'usd'", error(TARIFF.replace("USD", "usd")));
    assertEquals("field \"currency\" must be an ISO 4217 currency code like USD, got 'XYZ'", error(TARIFF.replace("USD", "XYZ")));
    assertEquals("field \"site\" must match [A-Za-z0-9._:/@-]{1,128}, got 'site a'", error(TARIFF.replace("\"s\"", "\"site a\"")));
    assertEquals("field \"gpuModel\" must be 1..128 printable characters, got 'H100?'",
        error(RATE.replace("H100-SXM5-80GB", "H100\\t")));
    assertEquals("field \"type\" must be \"tariff\" or \"gpu-rate\", got \"tax\"", error(TARIFF.replace("tariff", "tax")));
    assertEquals("field \"type\" must be \"tariff\" or \"gpu-rate\", got \"grid-intensity\" (carbon figures are loaded with: reference load)",
        error("{\"type\":\"grid-intensity\",\"site\":\"s\",\"gco2ePerKwh\":100,\"effectiveFrom\":\"2026-01-01T00:00:00Z\"}"));
    assertEquals("field \"effectiveFrom\" must be an ISO-8601 instant like 2026-11-26T00:00:00Z, got \"2026-01-01\"",
        error(TARIFF.replace("2026-01-01T00:00:00Z", "2026-01-01")));
  }

  @Test
  void readsPublishedAt() {
    Instant noon = Instant.parse("2026-11-26T12:00:00Z");
    Tariff t = (Tariff) PriceJson.parse(TARIFF.replace("}", ",\"publishedAt\":\"2026-11-26T12:00:00Z\"}")).value();
    assertEquals(new Tariff("s", "USD", 0.12, 1.3, Instant.parse("2026-01-01T00:00:00Z"), noon), t);
    assertEquals(Instant.parse("2026-01-01T00:00:00.250Z"),
        ((GpuRate) PriceJson.parse(RATE.replace("}", ",\"publishedAt\":\"2026-01-01T00:00:00.250Z\"}")).value()).getPublishedAt());
    assertNull(((Tariff) PriceJson.parse(TARIFF).value()).getPublishedAt(), "absent: none");
    assertNull(((GpuRate) PriceJson.parse(RATE.replace("}", ",\"publishedAt\":null}")).value()).getPublishedAt(), "null: none");
    assertNull(((GpuRate) PriceJson.parse(RATE, null).value()).getPublishedAt(), "no default either");
  }

  @Test
  void aGivenPublishedAtFillsOnlyPricesWithoutOne() {
    Instant given = Instant.parse("2026-11-26T12:00:00Z");
    assertEquals(given, ((Tariff) PriceJson.parse(TARIFF, given).value()).getPublishedAt());
    assertEquals(Instant.parse("2026-01-02T00:00:00Z"),
        ((GpuRate) PriceJson.parse(RATE.replace("}", ",\"publishedAt\":\"2026-01-02T00:00:00Z\"}"), given).value()).getPublishedAt());
  }

  @Test
  void refusesABadPublishedAtAndAMidMinuteCorrection() {
    assertEquals("field \"publishedAt\" must be an ISO-8601 instant like 2026-11-26T00:00:00Z, got \"2026-11-26 12:00\"",
        error(TARIFF.replace("}", ",\"publishedAt\":\"2026-11-26 12:00\"}")));
    assertEquals("field \"publishedAt\" must be a non-empty string, got 1795694400000",
        error(RATE.replace("}", ",\"publishedAt\":1795694400000}")));
    String midMinute = TARIFF.replace("2026-01-01T00:00:00Z", "2026-11-26T10:00:30Z");
    String refused = "field \"effectiveFrom\" must be a whole minute for a correction (publishedAt 2026-11-26T12:00:00Z is later),"
        + " got 2026-11-26T10:00:30Z";
    assertEquals(refused, error(midMinute.replace("}", ",\"publishedAt\":\"2026-11-26T12:00:00Z\"}")));
    assertEquals(refused, assertThrows(IllegalArgumentException.class,
        () -> PriceJson.parse(midMinute, Instant.parse("2026-11-26T12:00:00Z"))).getMessage(), "the given publishedAt is checked too");
    assertEquals(Instant.parse("2026-11-26T10:00:30Z"), PriceJson.parse(midMinute).effectiveFrom(), "not a correction: any instant");
    assertEquals(Instant.parse("2026-11-26T10:00:30Z"),
        ((Tariff) PriceJson.parse(midMinute, Instant.parse("2026-11-26T10:00:30Z")).value()).getPublishedAt(), "published when it takes effect");
  }
}
