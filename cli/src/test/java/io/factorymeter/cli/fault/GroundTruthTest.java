package io.factorymeter.cli.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fault suite's expected figures, on workloads worked out by hand. */
class GroundTruthTest {

  @TempDir
  Path dir;

  private static final String PRICES = """
      {"type":"tariff","site":"site-a","currency":"USD","pricePerKwh":0.10,"pue":1.5,"effectiveFrom":"2026-01-01T00:00:00Z"}
      {"type":"tariff","site":"site-a","currency":"USD","pricePerKwh":0.20,"pue":1.5,"effectiveFrom":"2026-11-26T00:30:00Z"}
      {"type":"tariff","site":"site-a","currency":"EUR","pricePerKwh":9.00,"pue":1.5,"effectiveFrom":"2026-11-26T00:35:00Z"}
      {"type":"gpu-rate","gpuModel":"H100-SXM5-80GB","currency":"USD","hourlyRate":2.00,"effectiveFrom":"2026-01-01T00:00:00Z"}
      """;

  /** Sample A: 2 GPUs, 10 s at 1,000 W (no energy field), two tenants 400 : 100 tokens. */
  private static final String A = """
      {"nodeId":"n1","clusterId":"c1","site":"site-a","gpuModel":"H100-SXM5-80GB","gpuCount":2,"timestamp":"2026-11-26T00:00:10Z",\
      "intervalMs":10000,"powerWatts":1000.0,"energyJoules":null,"temperatureC":50.0,"gpuUtilization":0.5,"usage":[\
      {"tenantId":"t1","modelId":"m1","promptTokens":300,"completionTokens":100},\
      {"tenantId":"t2","modelId":"m1","promptTokens":0,"completionTokens":100}]}""";
  /** Sample B: 40 minutes later, 7,200 J measured (authoritative), no tokens. */
  private static final String B = """
      {"nodeId":"n1","clusterId":"c1","site":"site-a","gpuModel":"H100-SXM5-80GB","gpuCount":2,"timestamp":"2026-11-26T00:40:00Z",\
      "intervalMs":10000,"powerWatts":500.0,"energyJoules":7200.0,"temperatureC":50.0,"gpuUtilization":0.0,"usage":[]}""";

  private GroundTruth.Expected compute(int partitions, String... lines) throws Exception {
    Path workload = dir.resolve("workload.jsonl");
    Path prices = dir.resolve("prices.jsonl");
    Files.writeString(workload, String.join("\n", lines) + "\n");
    Files.writeString(prices, PRICES);
    return GroundTruth.compute(workload, prices, GroundTruth.Settings.defaults(partitions));
  }

  private static void assertDecimal(String expected, Object actual) {
    BigDecimal e = new BigDecimal(expected);
    BigDecimal a = (BigDecimal) actual;
    assertTrue(e.subtract(a).abs().compareTo(new BigDecimal("1e-24")) <= 0, "expected " + expected + ", got " + a);
  }

  @Test
  void twoSamplesWorkedByHand() throws Exception {
    GroundTruth.Expected e = compute(1, "{\"_heartbeat\":1795651200000,\"_partition\":0}", A, B,
        "{\"_heartbeat\":1795655400000,\"_partition\":0}");   // 01:10: hour 00:00 closes (end + 10 min)
    // A: energy 1,000 W x 10 s = 10,000 J; energy cost 10,000 / 3.6e6 kWh x 0.10 x PUE 1.5 = 0.000416666…;
    //    capacity 2 GPUs x 10 s = 1/180 GPU-h x 2.00 = 0.011111…; split t1 : t2 = 400 : 100 = 0.8 : 0.2
    // B: 7,200 J (its field, not 500 W x 10 s); the tariff changed at 00:30 to 0.20: 0.002 kWh x 0.20 x 1.5 = 0.0006;
    //    (the EUR tariff of 00:35 is not used); capacity 0.011111…; no tokens: all to _idle/_idle
    Map<String, Object> t1 = e.rows.get("bill").get("t1|m1|2026-11-26T00:00:00Z");
    assertEquals(300L, t1.get("promptTokens"));
    assertEquals(100L, t1.get("completionTokens"));
    assertDecimal("8000", t1.get("energyJ"));
    assertDecimal("0.000333333333333333333333333333", t1.get("energyCost"));
    assertDecimal("0.00888888888888888888888888889", t1.get("capacityCost"));
    assertDecimal("0.00922222222222222222222222222", t1.get("totalCost"));
    Map<String, Object> t2 = e.rows.get("bill").get("t2|m1|2026-11-26T00:00:00Z");
    assertEquals(0L, t2.get("promptTokens"));
    assertDecimal("2000", t2.get("energyJ"));
    assertDecimal("0.0000833333333333333333333333333", t2.get("energyCost"));
    assertDecimal("0.00222222222222222222222222222", t2.get("capacityCost"));
    Map<String, Object> idle = e.rows.get("bill").get("_idle|_idle|2026-11-26T00:00:00Z");
    assertEquals(0L, idle.get("promptTokens"));
    assertDecimal("7200", idle.get("energyJ"));
    assertDecimal("0.0006", idle.get("energyCost"));
    assertDecimal("0.0111111111111111111111111111", idle.get("capacityCost"));
    assertEquals(3, e.rows.get("bill").size());

    Map<String, Object> node = e.rows.get("node").get("n1|2026-11-26T00:00:00Z");
    assertEquals(1L, node.get("samples"));
    assertEquals(500L, node.get("tokens"));
    assertEquals(200L, node.get("outputTokens"));
    assertEquals(10_000L, node.get("covered"));
    assertDecimal("10000", node.get("energyJ"));
    assertDecimal("0.0115277777777777777777777778", node.get("totalCost"));   // 0.000416666… + 0.011111…
    assertEquals(List.of("n1|2026-11-26T00:00:00Z", "n1|2026-11-26T00:40:00Z"), List.copyOf(e.rows.get("node").keySet()));
    assertEquals(List.of("c1|2026-11-26T00:00:00Z", "c1|2026-11-26T00:40:00Z"), List.copyOf(e.rows.get("cluster").keySet()));
    assertDecimal("7200", e.rows.get("fleet").get("fleet|2026-11-26T00:40:00Z").get("energyJ"));

    Map<String, Object> ledger = e.rows.get("ledger").get("0|2026-11-26T00:00:00Z");
    assertEquals(2L, ledger.get("recordsIn"));
    assertEquals(2L, ledger.get("metered"));
    assertEquals(0L, ledger.get("duplicates"));
    assertEquals(1L, ledger.get("heartbeats"));   // the one of 00:00; that of 01:10 counts in 01:00
    assertEquals(2L, e.heartbeats);
    assertEquals(List.of("0|2026-11-26T00:00:00Z"), List.copyOf(e.rows.get("ledger").keySet()), "01:00 is still open");
  }

  @Test
  void duplicatesLateTooLateAndInvalidRecordsCountWhereTheLedgerSays() throws Exception {
    String lateForMetrics = A.replace("2026-11-26T00:00:10Z", "2026-11-26T00:30:00Z");   // window 00:30-00:31 ended before 00:40 - 2 min
    String tooLate = A.replace("2026-11-26T00:00:10Z", "2026-11-23T00:00:00Z");        // its hour ended 72 h before 00:40: > 48 h
    String negativePower = A.replace("\"powerWatts\":1000.0", "\"powerWatts\":-1.0");
    String nan = A.replace("\"temperatureC\":50.0", "\"temperatureC\":NaN");
    String badId = A.replace("\"clusterId\":\"c1\"", "\"clusterId\":\"c 1\"");
    String otherKey = "{\"_key\":\"n2\"," + A.substring(1);
    String raw = "{\"_raw\":\"bm90IGF2cm8=\",\"_key\":\"n1\"}";
    GroundTruth.Expected e = compute(1, "{\"_heartbeat\":1795651200000,\"_partition\":0}", A, B, A, negativePower, nan, badId,
        otherKey, raw, tooLate, lateForMetrics,
        "{\"_heartbeat\":1795658400000,\"_partition\":0}",   // 02:00: stream time moves to the next hours
        A.replace("2026-11-26T00:00:10Z", "2026-11-26T02:00:00Z"), negativePower,
        "{\"_heartbeat\":1795662600000,\"_partition\":0}");   // 03:10: hour 02:00 closes

    assertEquals(12, e.recordsIn);
    assertEquals(4, e.metered);
    assertEquals(1, e.duplicates);
    assertEquals(1, e.lateForMetrics);
    assertEquals(1, e.tooLate);
    assertEquals(Map.of("OUT_OF_RANGE", 2L, "NAN", 1L, "INVALID_ID", 1L, "KEY_MISMATCH", 1L, "DESERIALIZATION", 1L), e.deadLetters);

    Map<String, Object> hour0 = e.rows.get("ledger").get("0|2026-11-26T00:00:00Z");
    assertEquals(10L, hour0.get("recordsIn"));   // everything read while stream time was 00:40
    assertEquals(3L, hour0.get("metered"));      // A, B, the late one (its own hour)
    assertEquals(1L, hour0.get("duplicates"));
    assertEquals(5L, hour0.get("deadLetters"));
    assertEquals(1L, hour0.get("deadLetters.OUT_OF_RANGE"));
    assertEquals(1L, hour0.get("tooLate"));
    assertEquals(1L, hour0.get("lateForMetrics"));
    Map<String, Object> hour2 = e.rows.get("ledger").get("0|2026-11-26T02:00:00Z");
    assertEquals(2L, hour2.get("recordsIn"));
    assertEquals(1L, hour2.get("metered"));
    assertEquals(1L, hour2.get("deadLetters"));   // read when stream time was 02:00
    assertEquals(1L, hour2.get("heartbeats"));
    assertEquals(0L, hour2.get("unpriced"));

    // the late sample: billed (t1 gets its tokens), in the cluster's and fleet's minute, not in the node's
    assertFalse(e.rows.get("node").containsKey("n1|2026-11-26T00:30:00Z"));
    assertEquals(1L, e.rows.get("cluster").get("c1|2026-11-26T00:30:00Z").get("samples"));
    assertEquals(600L, e.rows.get("bill").get("t1|m1|2026-11-26T00:00:00Z").get("promptTokens"));   // A once + the late copy
    // the late one is priced at 0.20 (from 00:30): 8,000 J share = 0.00222… kWh x 0.30 = 0.000666…
    assertDecimal("0.000999999999999999999999999999", e.rows.get("bill").get("t1|m1|2026-11-26T00:00:00Z").get("energyCost"));
  }

  @Test
  void anUnpricedSampleMakesItsCostsUnknown() throws Exception {
    String elsewhere = A.replace("\"site\":\"site-a\"", "\"site\":\"site-z\"");
    GroundTruth.Expected e = compute(1, "{\"_heartbeat\":1795651200000,\"_partition\":0}", A, elsewhere.replace("00:00:10Z", "00:00:20Z"),
        "{\"_heartbeat\":1795655400000,\"_partition\":0}");
    Map<String, Object> cluster = e.rows.get("cluster").get("c1|2026-11-26T00:00:00Z");
    assertEquals(1L, e.rows.get("ledger").get("0|2026-11-26T00:00:00Z").get("unpriced"));
    assertNull(cluster.get("energyCost"));
    assertNull(cluster.get("totalCost"));
    assertDecimal("0.0222222222222222222222222222", cluster.get("capacityCost"));
  }

  @Test
  void partitionsAsKafkasDefaultPartitioner() {
    // murmur2 values from Kafka's own UtilsTest: "21" -> -973932308, "foobar" -> -790332482
    assertEquals((-973932308 & 0x7fffffff) % 3, GroundTruth.partition("21", 3));
    assertEquals((-790332482 & 0x7fffffff) % 7, GroundTruth.partition("foobar", 7));
  }
}
