package io.factorymeter.app.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class MeteringConfigTest {

  private final MeteringConfig d = MeteringConfig.defaults();

  @Test
  void eachWithChangesItsOwnComponentsAndNoOther() {
    MeteringConfig w = d.withWindow(Duration.ofMinutes(5), Duration.ofMinutes(7));
    assertEquals(new MeteringConfig(d.topics(), Duration.ofMinutes(5), Duration.ofMinutes(7), d.restatementHorizon(),
        d.dedupHorizon(), d.priceVersions(), d.currency(), d.billingGrace(), d.promptWeight(), d.inputPartitions(),
        d.deadLetterRetention(), d.maxFutureSkew(), d.deadLetterMaxBytes(), d.flushInterval(), d.valueCacheEntries(),
        d.nodesKnownHorizon(), d.alerts(), d.queryRetention()), w);
    assertEquals(0.25, d.withPromptWeight(0.25).promptWeight());
    assertEquals(d.withPromptWeight(0.25), d.withPromptWeight(0.25).withInputPartitions(1), "1 partition is the default");
    assertEquals(6, d.withInputPartitions(6).inputPartitions());
    assertEquals(8_192, d.withDeadLetterMaxBytes(8_192).deadLetterMaxBytes());
    assertEquals(7, d.withPriceVersions(7).priceVersions());
    assertEquals(Duration.ofHours(2), d.withNodesKnownHorizon(Duration.ofHours(2)).nodesKnownHorizon());
    AlertConfig alerts = AlertConfig.defaults().withClusterCoverage(0.5);
    assertEquals(alerts, d.withAlerts(alerts).alerts());
    assertEquals(d.window(), d.withAlerts(alerts).window());
  }

  @Test
  void queryRetentionIsReadAndMustCoverAWindow() {
    assertEquals(Duration.ofDays(2), d.queryRetention());
    assertEquals(Duration.ofHours(6), MeteringConfig.from(Map.of(MeteringConfig.QUERY_RETENTION, "6h")).queryRetention());
    ConfigException e = assertThrows(ConfigException.class,
        () -> MeteringConfig.from(Map.of(MeteringConfig.QUERY_RETENTION, "30s")));
    assertEquals(true, e.getMessage().contains(MeteringConfig.QUERY_RETENTION), e.getMessage());
  }
}
