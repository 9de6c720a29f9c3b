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
        + "  cost/M tokens 0.0515 USD  uptime 100.0%", FleetSummary.line(f));
  }
}
