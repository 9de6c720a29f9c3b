package io.factorymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.factorymeter.schema.FleetMetrics;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FleetSummaryTest {

  @Test
  void theDemoLineShowsOutputTokensPerJouleBesideAllTokensPerJoule() {
    FleetMetrics f = new FleetMetrics();
    f.setFleetId("fleet");
    f.setWindowStart(Instant.parse("2026-11-26T09:41:00Z"));
    f.setWindowEnd(Instant.parse("2026-11-26T09:42:00Z"));
    f.setNodesReporting(23);
    // 83.3 kW over the minute: 4,998,000 J; 188,706,240 tokens (3,145,104/s), 56,000,000 of them output
    f.setAvgPowerW(83_300.0);
    f.setEnergyJ(4_998_000.0);
    f.setTokens(188_706_240L);
    f.setOutputTokens(56_000_000L);
    f.setTokensPerSecond(3_145_104.0);
    f.setTokensPerJoule(188_706_240 / 4_998_000.0);        // 37.756
    f.setOutputTokensPerJoule(56_000_000 / 4_998_000.0);   // 11.204
    f.setCostPerMillionTokens(0.0515);
    f.setCurrency("USD");
    f.setCoverage(1.0);
    assertEquals("09:41 UTC  nodes  23  power    83.3 kW  tokens/s  3,145,104  tokens/J  37.76 (output 11.20)"
        + "  cost/M tokens 0.0515 USD  CO2e/M tokens n/a  uptime 100.0%", FleetSummary.line(f), "no carbon figures loaded");
    // 4,998,000 J x PUE 1.25 / 3.6e6 = 1.7354 kWh of the facility at 380 g/kWh = 659.46 g, + 23 x 8 GPUs for a
    // minute at 30 g per GPU-hour = 92 g: 751.46 g over 188.7 M tokens = 3.98 g per million
    double carbon = 4_998_000 * 1.25 / 3.6e6 * 380 + 23 * 8 / 60.0 * 30;
    f.setCarbonG(carbon);
    f.setCarbonPerMillionTokens(carbon / 188_706_240 * 1e6);
    assertEquals("09:41 UTC  nodes  23  power    83.3 kW  tokens/s  3,145,104  tokens/J  37.76 (output 11.20)"
        + "  cost/M tokens 0.0515 USD  CO2e/M tokens 4.0 g  uptime 100.0%", FleetSummary.line(f));
  }
}
