package io.factorymeter.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON and text of a benchmark report. */
class BenchReportTest {

  static BenchReport report() {
    BenchReport.PipelineRun one = new BenchReport.PipelineRun(1, "app-x1", 1_000_000, 400.0, 380.0, List.of(2100L),
        List.of(300_000_000L), List.of(320_000_000L), 0, 0);
    BenchReport.PipelineRun two = new BenchReport.PipelineRun(2, "app-x2", 1_000_000, 250.0, 240.0, List.of(1500L, 1600L),
        List.of(150_000_000L, 160_000_000L), List.of(155_000_000L, 165_000_000L), 0, 0);
    return new BenchReport(Map.of("records", 1_000_000, "partitions", 6),
        new BenchReport.Machine(2, "1.50, 1.20, 1.00", "2.00, 1.80, 1.10", "17.0.15"), 1_000_000, 50_000, 200_000,
        List.of(one, two), new LatencyTracker.Summary(1000, 990, 10, 120.04, 950.06, 1200.0), 19_990.4, 2);
  }

  @Test
  void theJsonHasTheHeadlineFiguresAndEveryInstanceCount() throws Exception {
    JsonNode j = new ObjectMapper().readTree(report().jsonText());
    assertEquals(1_000_000, j.get("records").asLong());
    assertEquals(200_000, j.get("rawRecordsPerSec").asDouble());
    assertEquals(2_500, j.get("pipelineRecordsPerSec").asDouble()); // the first count: 1,000,000 / 400 s
    assertEquals(0.0125, j.get("ratio").asDouble()); // 2,500 / 200,000
    assertEquals(120.0, j.get("p50LatencyMs").asDouble());
    assertEquals(950.1, j.get("p99LatencyMs").asDouble());
    assertEquals(2100, j.get("peakRssMb").asLong()); // the largest of any process
    assertEquals(2, j.get("pipelineRuns").size());
    JsonNode x2 = j.get("pipelineRuns").get(1);
    assertEquals(2, x2.get("instances").asInt());
    assertEquals(4_000, x2.get("recordsPerSec").asDouble());
    assertEquals(4_167, x2.get("recordsPerSecFromFirstCommit").asDouble()); // 1,000,000 / 240 s, rounded
    assertEquals(0.02, x2.get("ratio").asDouble());
    assertEquals(List.of(1500, 1600), List.of(x2.get("peakRssMb").get(0).asInt(), x2.get("peakRssMb").get(1).asInt()));
    assertEquals(10, j.get("latency").get("missing").asLong());
    assertEquals(19_990, j.get("latency").get("offeredRecordsPerSec").asDouble());
    assertEquals(2, j.get("machine").get("cores").asInt());
    assertEquals("1.50, 1.20, 1.00", j.get("machine").get("uptimeLoadAtStart").asText());
    assertEquals(6, j.get("settings").get("partitions").asInt());
    assertEquals(50_000, j.get("produceRecordsPerSec").asDouble());
    assertEquals(320_000_000L, j.get("stateStoreBytes").asLong()); // the last count's processes after their stop
    assertEquals(165_000_000L, x2.get("stateBytesAfterStop").get(1).asLong());
    assertEquals(150_000_000L, x2.get("stateBytesAtCatchUp").get(0).asLong());
  }

  @Test
  void theTextNamesTheRatioAndSaysWhenSamplesWereMissing() {
    String text = report().text();
    assertTrue(text.contains("ratio             0.0125 (pipeline x1 / raw)"), text);
    assertTrue(text.contains("pipeline x2      4,000 records/s = 0.0200 of raw"), text);
    assertTrue(text.contains("p50 120 ms, p99 950 ms"), text);
    assertTrue(text.contains("10 never appeared within the wait (percentiles are of the measured ones only)"), text);
  }

  @Test
  void noLatencyPhaseIsNullInJson() throws Exception {
    BenchReport r = report();
    BenchReport without = new BenchReport(r.settings(), r.machine(), r.records(), r.produceRecordsPerSec(), r.rawRecordsPerSec(),
        r.runs(), null, 0, 0);
    JsonNode j = new ObjectMapper().readTree(without.jsonText());
    assertTrue(j.get("p50LatencyMs").isNull());
    assertTrue(j.get("latency").isNull());
  }
}
