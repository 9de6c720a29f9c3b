package io.factorymeter.app.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.factorymeter.producers.prices.PriceJson;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.Tariff;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * {@code prices load} ({@link PriceJson}) refuses exactly the prices the pipeline
 * ({@link PriceValidation}) would not store: the two modules hold the rules apart, so this test
 * keeps them the same, value by value around every bound.
 */
class PriceRulesAgreeTest {

  private static final Instant FROM = Instant.parse("2026-01-01T00:00:00Z");
  private static final double[] PRICES = {-0.01, -0.0, 0, 0.1, 500, 500.01, Double.NaN, Double.POSITIVE_INFINITY};
  private static final double[] PUES = {0.5, 0.99, 1, 1.3, 4, 4.01, Double.NaN, Double.NEGATIVE_INFINITY};
  private static final double[] RATES = {-1, 0, 2.1, 4_000, 4_000.01, Double.NaN, Double.NEGATIVE_INFINITY};
  private static final String[] CURRENCIES = {"USD", "JPY", "XYZ", "usd", "US"};
  private static final String[] SITES = {"site-a", "site a", "s/1@x"};

  private static boolean loads(String json) {
    try {
      PriceJson.parse(json);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Test
  void tariffs() {
    for (double price : PRICES) {
      for (double pue : PUES) {
        for (String currency : CURRENCIES) {
          for (String site : SITES) {
            String json = "{\"type\":\"tariff\",\"site\":\"" + site + "\",\"currency\":\"" + currency + "\",\"pricePerKwh\":"
                + price + ",\"pue\":" + pue + ",\"effectiveFrom\":\"" + FROM + "\"}";
            boolean stored = PriceValidation.check(new Tariff(site, currency, price, pue, FROM)).isEmpty();
            assertEquals(stored, loads(json), json);
          }
        }
      }
    }
  }

  @Test
  void gpuRates() {
    for (double rate : RATES) {
      for (String currency : CURRENCIES) {
        for (String gpu : new String[] {"H100-SXM5-80GB", "B200 SXM", "x\\u0007"}) {
          String json = "{\"type\":\"gpu-rate\",\"gpuModel\":\"" + gpu + "\",\"currency\":\"" + currency + "\",\"hourlyRate\":"
              + rate + ",\"effectiveFrom\":\"" + FROM + "\"}";
          String model = gpu.replace("\\u0007", "\u0007");
          boolean stored = PriceValidation.check(new GpuRate(model, currency, rate, FROM)).isEmpty();
          assertEquals(stored, loads(json), json);
        }
      }
    }
  }
}
