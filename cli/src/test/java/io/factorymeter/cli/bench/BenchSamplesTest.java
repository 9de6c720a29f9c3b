package io.factorymeter.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.app.metering.SampleValidation;
import io.factorymeter.schema.NodeSample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The benchmark's samples: 2 usage entries each, nodes round robin, valid and priced. */
class BenchSamplesTest {

  private static final Instant START = Instant.parse("2026-11-26T00:00:00Z");

  @Test
  void sampleIIsNodeIModNodesInIntervalIDivNodes() {
    BenchSamples g = new BenchSamples(2000, START, 1000);
    NodeSample s = g.sample(4001);
    assertEquals("node-0002", s.getNodeId());
    assertEquals(START.plusSeconds(2), s.getTimestamp());
    assertEquals(START.plusSeconds(2).toEpochMilli(), g.timestampMs(4001));
    assertEquals(1000, s.getIntervalMs());
    assertEquals(g.sample(4001), new BenchSamples(2000, START, 1000).sample(4001), "deterministic");
    assertEquals(6000, g.firstIndexAtOrAfter(START.plusSeconds(3).toEpochMilli()));
    assertEquals(8000, g.firstIndexAtOrAfter(START.plusMillis(3001).toEpochMilli()));
    assertEquals(0, g.firstIndexAtOrAfter(START.minusSeconds(5).toEpochMilli()));
  }

  @Test
  void everySampleHasTwoUsageEntriesOfTwoTenantsAndIsValidAndPriced() throws IOException {
    String prices = Files.readString(Path.of("..", "examples", "prices.jsonl"));
    BenchSamples g = new BenchSamples(2000, START, 1000);
    Set<String> clusters = new HashSet<>();
    for (long i = 0; i < 10_000; i += 7) {
      NodeSample s = g.sample(i);
      assertEquals(2, s.getUsage().size());
      assertNotEquals(s.getUsage().get(0).getTenantId(), s.getUsage().get(1).getTenantId());
      assertTrue(SampleValidation.check(s).isEmpty(), () -> s + ": " + SampleValidation.check(s));
      assertTrue(prices.contains("\"site\":\"" + s.getSite() + "\""), s.getSite());
      assertTrue(prices.contains("\"gpuModel\":\"" + s.getGpuModel() + "\""), s.getGpuModel());
      assertTrue(s.getUsage().stream().allMatch(u -> u.getPromptTokens() > 0 && u.getCompletionTokens() > 0));
      clusters.add(s.getClusterId());
    }
    assertEquals(20, clusters.size(), "2,000 nodes in 20 clusters");
  }
}
