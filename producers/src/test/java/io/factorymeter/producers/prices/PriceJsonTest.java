package io.factorymeter.producers.prices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.Tariff;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PriceJsonTest {

  @Test
  void parsesTariffsAndGpuRates() {
    PriceJson.Price t = PriceJson.parse("{\"type\":\"tariff\",\"site\":\"site-a\",\"currency\":\"USD\",\"pricePerKwh\":0.12,\"pue\":1.3,\"effectiveFrom\":\"2026-01-01T00:00:00Z\"}");
    assertEquals("site-a", t.key());
    assertEquals(new Tariff("site-a", "USD", 0.12, 1.3, Instant.parse("2026-01-01T00:00:00Z")), t.value());
    PriceJson.Price g = PriceJson.parse("{\"type\":\"gpu-rate\",\"gpuModel\":\"H100-SXM5-80GB\",\"currency\":\"USD\",\"hourlyRate\":2.5,\"effectiveFrom\":\"2026-01-01T00:00:00Z\"}");
    assertEquals("H100-SXM5-80GB", g.key());
    assertEquals(new GpuRate("H100-SXM5-80GB", "USD", 2.5, Instant.parse("2026-01-01T00:00:00Z")), g.value());
  }

  @Test
  void rejectsWhatCannotBeAPrice() {
    String base = "{\"type\":\"tariff\",\"site\":\"s\",\"currency\":\"USD\",\"pricePerKwh\":0.12,\"pue\":1.3,\"effectiveFrom\":\"2026-01-01T00:00:00Z\"}";
    assertEquals("field \"pue\" must be at least 1, got 0.9",
        assertThrows(IllegalArgumentException.class, () -> PriceJson.parse(base.replace("1.3", "0.9"))).getMessage());
    assertEquals("field \"pricePerKwh\" must be a non-negative number, got -0.12",
        assertThrows(IllegalArgumentException.class, () -> PriceJson.parse(base.replace("0.12", "-0.12"))).getMessage());
    assertEquals("field \"currency\" must be an ISO 4217 code like USD, got \"usd\"",
        assertThrows(IllegalArgumentException.class, () -> PriceJson.parse(base.replace("USD", "usd"))).getMessage());
    assertEquals("field \"type\" must be \"tariff\" or \"gpu-rate\", got \"tax\"",
        assertThrows(IllegalArgumentException.class, () -> PriceJson.parse(base.replace("tariff", "tax"))).getMessage());
    assertEquals("field \"effectiveFrom\" must be an ISO-8601 instant like 2026-11-26T00:00:00Z, got \"2026-01-01\"",
        assertThrows(IllegalArgumentException.class, () -> PriceJson.parse(base.replace("2026-01-01T00:00:00Z", "2026-01-01"))).getMessage());
  }
}
