package io.factorymeter.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.Tariff;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PriceRulesTest {

  private static final Instant FROM = Instant.parse("2026-01-01T00:00:00Z");

  private static Optional<String> tariff(String site, String currency, double price, double pue) {
    return PriceRules.check(new Tariff(site, currency, price, pue, FROM, null)).map(Object::toString);
  }

  private static Optional<String> rate(String gpu, String currency, double rate) {
    return PriceRules.check(new GpuRate(gpu, currency, rate, FROM, null)).map(Object::toString);
  }

  @Test
  void acceptsRealPricesAndTheBoundsThemselves() {
    assertEquals(Optional.empty(), tariff("site-a", "USD", 0.085, 1.25));
    assertEquals(Optional.empty(), tariff("site-a", "JPY", 0, 1));
    assertEquals(Optional.empty(), tariff("site-a", "EUR", 500, 4));
    assertEquals(Optional.empty(), rate("H100-SXM5-80GB", "USD", 2.10));
    assertEquals(Optional.empty(), rate("B200 SXM 180GB", "CHF", 0));
    assertEquals(Optional.empty(), rate("x", "KRW", 4_000));
  }

  @Test
  void rejectsNonFiniteNegativeAndTooLargeNumbers() {
    assertEquals(Optional.of("pricePerKwh = Infinity: must be a finite number from 0 to 500"),
        tariff("s", "USD", Double.POSITIVE_INFINITY, 1.2));
    assertEquals(Optional.of("pricePerKwh = NaN: must be a finite number from 0 to 500"), tariff("s", "USD", Double.NaN, 1.2));
    assertEquals(Optional.of("pricePerKwh = -0.1: must be a finite number from 0 to 500"), tariff("s", "USD", -0.1, 1.2));
    assertEquals(Optional.of("pricePerKwh = 500.01: must be a finite number from 0 to 500"), tariff("s", "USD", 500.01, 1.2));
    assertEquals(Optional.of("pue = 0.5: must be a finite number from 1 to 4"), tariff("s", "USD", 0.1, 0.5));
    assertEquals(Optional.of("pue = NaN: must be a finite number from 1 to 4"), tariff("s", "USD", 0.1, Double.NaN));
    assertEquals(Optional.of("pue = 4.5: must be a finite number from 1 to 4"), tariff("s", "USD", 0.1, 4.5));
    assertEquals(Optional.of("hourlyRate = -Infinity: must be a finite number from 0 to 4000"),
        rate("g", "USD", Double.NEGATIVE_INFINITY));
    assertEquals(Optional.of("hourlyRate = 4000.5: must be a finite number from 0 to 4000"), rate("g", "USD", 4_000.5));
  }

  @Test
  void rejectsCurrenciesOutsideIso4217AndKeysSamplesCannotHave() {
    assertEquals(Optional.of("currency = 'XYZ': must be an ISO 4217 currency code like USD"), tariff("s", "XYZ", 0.1, 1.2));
    assertEquals(Optional.of("currency = 'usd': must be an ISO 4217 currency code like USD"), rate("g", "usd", 1));
    assertEquals(Optional.of("site = 'site a': must match [A-Za-z0-9._:/@-]{1,128}"), tariff("site a", "USD", 0.1, 1.2));
    assertEquals(Optional.of("gpuModel = 'H100?': must be 1..128 printable characters"), rate("H100\n", "USD", 1));
    assertTrue(PriceRules.isCurrency("EUR"));
  }

  @Test
  void theLargestSampleAtTheBoundsCostsLessThanALongOfPicosHolds() {
    // 2,000 W x 1,024 GPUs x 3,600 s = 7,372,800,000 J = 2,048 kWh; 1,024 GPU-hours
    double energyCost = 2_048 * PriceRules.MAX_PRICE_PER_KWH * PriceRules.MAX_PUE;   // 4,096,000
    double capacityCost = 1_024 * PriceRules.MAX_HOURLY_RATE;                               // 4,096,000
    // costs are summed in picos (1e-12 units) in a signed 64-bit long
    assertEquals(4_096_000_000_000_000_000L, Math.round(energyCost * 1e12));
    assertEquals(4_096_000_000_000_000_000L, Math.round(capacityCost * 1e12));
    assertTrue(Math.round(energyCost * 1e12) <= Long.MAX_VALUE - Math.round(capacityCost * 1e12));
  }
}
