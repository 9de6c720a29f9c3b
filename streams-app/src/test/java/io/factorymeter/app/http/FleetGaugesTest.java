package io.factorymeter.app.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.schema.FleetMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FleetGaugesTest {

  private static FleetMetrics fleet(String windowStart, boolean isFinal, double tokensPerSecond, Double costPerMillion) {
    FleetMetrics f = new FleetMetrics();
    f.setFleetId("fleet");
    f.setWindowStart(Instant.parse(windowStart));
    f.setWindowEnd(Instant.parse(windowStart).plusSeconds(60));
    f.setIsFinal(isFinal);
    f.setTokensPerSecond(tokensPerSecond);
    f.setTokensPerJoule(4.0);
    f.setOutputTokensPerJoule(1.5);
    f.setCostPerMillionTokens(costPerMillion);
    f.setAvgPowerW(80_000.0);
    f.setCoverage(1.0);
    f.setNodesReporting(23);
    f.setNodesKnown(isFinal ? 24 : null);
    f.setUptimeKnown(isFinal ? 23.0 / 24 : null);
    f.setCurrency("USD");
    return f;
  }

  private static double value(PrometheusMeterRegistry registry, String metric) {
    return OpsServerTest.sum(registry.scrape(), metric);
  }

  @Test
  void showTheNewestSettledWindowOnly() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (FleetGauges gauges = new FleetGauges(registry)) {
      assertTrue(Double.isNaN(value(registry, "factory_meter_fleet_tokens_per_second")));   // nothing settled yet
      gauges.offer(fleet("2026-11-26T10:00:00Z", false, 1_000, 0.05));   // partial: not shown
      assertTrue(Double.isNaN(value(registry, "factory_meter_fleet_tokens_per_second")));
      gauges.offer(fleet("2026-11-26T10:01:00Z", true, 3_000, 0.04));
      gauges.offer(fleet("2026-11-26T10:00:00Z", true, 2_000, 0.05));   // an older window settles later: not shown
      assertEquals(3_000, value(registry, "factory_meter_fleet_tokens_per_second"));
      assertEquals(0.04, value(registry, "factory_meter_fleet_cost_per_million_tokens"));
      assertEquals(4.0, value(registry, "factory_meter_fleet_tokens_per_joule"));
      assertEquals(1.5, value(registry, "factory_meter_fleet_output_tokens_per_joule"));
      assertEquals(24, value(registry, "factory_meter_fleet_nodes_known"));
      assertEquals(23.0 / 24, value(registry, "factory_meter_fleet_uptime_known_ratio"), 1e-12);
      assertEquals(Instant.parse("2026-11-26T10:01:00Z").getEpochSecond(), value(registry, "factory_meter_fleet_window_start_seconds"));
      gauges.offer(fleet("2026-11-26T10:01:00Z", true, 3_100, null));   // the same window restated, unpriced
      assertEquals(3_100, value(registry, "factory_meter_fleet_tokens_per_second"));
      assertTrue(Double.isNaN(value(registry, "factory_meter_fleet_cost_per_million_tokens")));
    }
  }
}
