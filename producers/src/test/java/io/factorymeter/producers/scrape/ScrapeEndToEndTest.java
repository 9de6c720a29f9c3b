package io.factorymeter.producers.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.UsageEntry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Recorded scrapes served over HTTP, turned into NodeSamples. The scrapes are the fixtures cut from
 * the verbatim captures with the counters moved by hand; every expected figure below is worked
 * out by hand from those values, not read back from the code.
 */
class ScrapeEndToEndTest {

  static final Instant T0 = Instant.parse("2026-03-20T10:00:00Z");
  static final Duration TEN_S = Duration.ofSeconds(10);

  static final String MAPPING = """
      {
        "nodes": {
          "cp-bm14r7":  {"nodeId": "ericsson-cp-bm14r7", "clusterId": "ccd-sto-1", "site": "se-sto", "gpuModel": "T4-16GB"},
          "127.0.0.1":  {"nodeId": "ericsson-cp-bm14r7", "clusterId": "ccd-sto-1", "site": "se-sto", "gpuModel": "T4-16GB"},
          "gpu1-wl8sg": {"nodeId": "upcloud-gpu1", "clusterId": "upc-hel-1", "site": "fi-hel2"},
          "localhost":  {"nodeId": "triton-a100-1", "clusterId": "lab-1", "site": "se-sto", "gpuModel": "A100-SXM4-40GB"}
        },
        "models": {"Qwen/Qwen2.5-0.5B-Instruct": {"tenantId": "acme", "modelId": "qwen2.5-0.5b-instruct"}},
        "defaultTenant": "internal"
      }
      """;

  /** Two T4 GPUs: {temperature °C, power W, energy counter mJ, utilization %} each. */
  static String t4(String[] gpu0, String[] gpu1) {
    String t = Scrapes.fixture("dcgm_T4_two_gpus.prom");
    String[][] gpus = {gpu0, gpu1};
    for (int i = 0; i < 2; i++) {
      String gpu = "gpu=\"" + i + "\"";
      t = Scrapes.set(t, "DCGM_FI_DEV_GPU_TEMP", gpu, gpus[i][0]);
      t = Scrapes.set(t, "DCGM_FI_DEV_POWER_USAGE", gpu, gpus[i][1]);
      t = Scrapes.set(t, "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", gpu, gpus[i][2]);
      t = Scrapes.set(t, "DCGM_FI_DEV_GPU_UTIL", gpu, gpus[i][3]);
    }
    return t;
  }

  /** One L40S: temperature °C, power W, energy counter mJ, utilization %. */
  static String l40s(String temp, String power, String energy, String util) {
    String t = Scrapes.fixture("dcgm_L40S_idle.prom");
    t = Scrapes.set(t, "DCGM_FI_DEV_GPU_TEMP", "gpu=\"0\"", temp);
    t = Scrapes.set(t, "DCGM_FI_DEV_POWER_USAGE", "gpu=\"0\"", power);
    t = Scrapes.set(t, "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", "gpu=\"0\"", energy);
    return Scrapes.set(t, "DCGM_FI_DEV_GPU_UTIL", "gpu=\"0\"", util);
  }

  /** A vLLM serving {@code model}: prompt and generation token counters. */
  static String vllm(String model, String prompt, String generation) {
    String t = Scrapes.fixture("vllm_Qwen2.5-0.5B_tokens.prom").replace("Qwen/Qwen2.5-0.5B-Instruct", model);
    t = Scrapes.set(t, "vllm:prompt_tokens_total", model, prompt);
    return Scrapes.set(t, "vllm:generation_tokens_total", model, generation);
  }

  /** Two Triton GPUs a and b: {power W, energy counter J, utilization ratio} each. */
  static String triton(String[] a, String[] b) {
    String t = Scrapes.fixture("triton_two_gpus.prom");
    String[][] gpus = {a, b};
    String[] uuids = {"GPU-aaaaaaaa", "GPU-bbbbbbbb"};
    for (int i = 0; i < 2; i++) {
      t = Scrapes.set(t, "nv_gpu_power_usage", uuids[i], gpus[i][0]);
      t = Scrapes.set(t, "nv_energy_consumption", uuids[i], gpus[i][1]);
      t = Scrapes.set(t, "nv_gpu_utilization", uuids[i], gpus[i][2]);
    }
    return t;
  }

  static String[] v(String... values) {
    return values;
  }

  @Test
  void recordedScrapesBecomeOneSamplePerNodePerInterval() throws Exception {
    try (RecordedScrapeServer server = new RecordedScrapeServer()) {
      // node ericsson-cp-bm14r7: two T4s (dcgm Hostname cp-bm14r7) and two vLLMs on 127.0.0.1
      String t4r0 = t4(v("74", "68.244000", "15152422938", "91"), v("70", "61.500000", "9876543210", "85"));
      String t4r1 = t4(v("75", "69.000000", "15153109158", "93"), v("72", "62.500000", "9877163210", "87")); // +686,220 mJ, +620,000 mJ
      String t4r2 = t4(v("73", "67.000000", "15153789158", "90"), v("71", "60.500000", "9877778210", "84")); // +680,000 mJ, +615,000 mJ
      server.serve("/dcgm-t4", t4r0, t4r1, t4r2, t4r2); // round 3: not collected again (dcgm-exporter's cache)
      String qwen = "Qwen/Qwen2.5-0.5B-Instruct";
      String llama = "meta-llama/Llama-3.1-8B-Instruct";
      server.serve("/vllm-qwen", vllm(qwen, "0.0", "0.0"), vllm(qwen, "1200.0", "3400.0"), vllm(qwen, "40.0", "100.0")); // restart in round 2
      server.serve("/vllm-llama", vllm(llama, "300.0", "500.0"), vllm(llama, "500.0", "800.0"), vllm(llama, "650.0", "1000.0"));
      // node upcloud-gpu1: one L40S (dcgm Hostname gpu1-wl8sg, reached as localhost); HTTP 500 in round 2
      server.serve("/dcgm-l40s", l40s("32", "35.686000", "5551899580", "0"), l40s("33", "36.314000", "5552259580", "4"),
          RecordedScrapeServer.FAIL, l40s("34", "40.000000", "5553019580", "10")); // +360,000 mJ; then +760,000 mJ over 20 s
      // node triton-a100-1: Triton on localhost with two GPUs; Triton restarts in round 2 (energy counters back near 0)
      String tr2 = triton(v("230.0", "2400.0", "0.6"), v("220.0", "2300.0", "0.4"));
      server.serve("/triton", triton(v("250.0", "10000.0", "0.5"), v("240.0", "20000.0", "0.7")),
          triton(v("270.0", "12600.0", "0.9"), v("260.0", "22500.0", "0.8")), tr2, tr2);

      List<Endpoint> endpoints = List.of(
          new Endpoint(Endpoint.Kind.DCGM, server.uri("127.0.0.1", "/dcgm-t4")),
          new Endpoint(Endpoint.Kind.VLLM, server.uri("127.0.0.1", "/vllm-qwen")),
          new Endpoint(Endpoint.Kind.VLLM, server.uri("127.0.0.1", "/vllm-llama")),
          new Endpoint(Endpoint.Kind.DCGM, server.uri("localhost", "/dcgm-l40s")),
          new Endpoint(Endpoint.Kind.TRITON, server.uri("localhost", "/triton")));
      MutableClock clock = new MutableClock(T0);
      NodeScraper scraper = new NodeScraper(endpoints, ScrapeMapping.parse(MAPPING), new HttpMetricsFetcher(Duration.ofSeconds(5)), clock);

      ScrapeRound r0 = scraper.scrape();
      assertEquals(T0, r0.at());
      assertEquals(List.of(), r0.samples(), "the first round only primes");
      assertEquals(List.of(), r0.failures());

      clock.advance(TEN_S);
      ScrapeRound r1 = scraper.scrape();
      assertEquals(List.of(), r1.failures());
      assertEquals(List.of("ericsson-cp-bm14r7", "triton-a100-1", "upcloud-gpu1"), nodeIds(r1));
      // power: (68.244 + 69.0)/2 + (61.5 + 62.5)/2; energy: (686,220 + 620,000) mJ; hottest 75; utilization ((91+93)/2 + (85+87)/2)/2 %
      check(r1.samples().get(0), "ericsson-cp-bm14r7", "ccd-sto-1", "se-sto", "T4-16GB", 2, T0, 10_000,
          130.622, 1306.22, 75f, 0.89, List.of(new UsageEntry("acme", "qwen2.5-0.5b-instruct", 1200L, 3400L),
              new UsageEntry("internal", llama, 200L, 300L)));
      // Triton: power (250+270)/2 + (240+260)/2; energy 2,600 + 2,500 J; no temperature; utilization ((0.5+0.9)/2 + (0.7+0.8)/2)/2
      check(r1.samples().get(1), "triton-a100-1", "lab-1", "se-sto", "A100-SXM4-40GB", 2, T0, 10_000,
          510.0, 5100.0, 0f, 0.725, List.of());
      // L40S: gpuModel from the modelName label; (35.686 + 36.314)/2 W; 360,000 mJ; max(32, 33); (0 + 4)/2 %
      check(r1.samples().get(2), "upcloud-gpu1", "upc-hel-1", "fi-hel2", "NVIDIA L40S", 1, T0, 10_000,
          36.0, 360.0, 33f, 0.02, List.of());

      clock.advance(TEN_S);
      ScrapeRound r2 = scraper.scrape();
      assertEquals(List.of("ericsson-cp-bm14r7", "triton-a100-1"), nodeIds(r2), "upcloud-gpu1's exporter failed");
      assertEquals(1, r2.failures().size());
      String failure = r2.failures().get(0);
      assertTrue(failure.startsWith("dcgm " + server.uri("localhost", "/dcgm-l40s") + " failed: HTTP 500"), failure);
      assertTrue(failure.endsWith("skipping node(s) upcloud-gpu1"), failure);
      // qwen restarted: 40 and 100 tokens since the restart; llama +150, +200
      check(r2.samples().get(0), "ericsson-cp-bm14r7", "ccd-sto-1", "se-sto", "T4-16GB", 2, T0.plus(TEN_S), 10_000,
          (69.0 + 67.0) / 2 + (62.5 + 60.5) / 2, 1295.0, 75f, 0.885,
          List.of(new UsageEntry("acme", "qwen2.5-0.5b-instruct", 40L, 100L), new UsageEntry("internal", llama, 150L, 200L)));
      // Triton restarted: its counters count from 0 again, so the energy is what they show now, 2,400 + 2,300 J
      check(r2.samples().get(1), "triton-a100-1", "lab-1", "se-sto", "A100-SXM4-40GB", 2, T0.plus(TEN_S), 10_000,
          (270.0 + 230.0) / 2 + (260.0 + 220.0) / 2, 4700.0, 0f, 0.675, List.of());

      clock.advance(TEN_S);
      ScrapeRound r3 = scraper.scrape();
      // T4 and Triton counters have not moved (not collected again): nothing from those nodes this round.
      // upcloud-gpu1 is back: its sample covers the failed round too, from its last good scrape at T0+10s
      assertEquals(List.of("upcloud-gpu1"), nodeIds(r3));
      check(r3.samples().get(0), "upcloud-gpu1", "upc-hel-1", "fi-hel2", "NVIDIA L40S", 1, T0.plus(TEN_S), 20_000,
          (36.314 + 40.0) / 2, 760.0, 34f, 0.07, List.of());
      assertEquals(1, scraper.failures());
      assertTrue(server.acceptHeaders.stream().allMatch(a -> a.startsWith("text/plain;version=0.0.4")), server.acceptHeaders.toString());
    }
  }

  @Test
  void aTimeoutOrAnUnparsableScrapeSkipsOnlyItsNode() throws Exception {
    try (RecordedScrapeServer server = new RecordedScrapeServer()) {
      server.serve("/dcgm-l40s", l40s("32", "35.686000", "5551899580", "0"), l40s("33", "36.314000", "5552259580", "4"));
      server.serve("/slow", vllm("Qwen/Qwen2.5-0.5B-Instruct", "0.0", "0.0"));
      server.delay("/slow", Duration.ofSeconds(3));
      server.serve("/garbage", "DCGM_FI_DEV_POWER_USAGE{gpu=\"0\" 12\n");
      List<Endpoint> endpoints = List.of(
          new Endpoint(Endpoint.Kind.DCGM, server.uri("localhost", "/dcgm-l40s")),
          new Endpoint(Endpoint.Kind.VLLM, server.uri("127.0.0.1", "/slow")),
          new Endpoint(Endpoint.Kind.DCGM, server.uri("127.0.0.1", "/garbage")));
      MutableClock clock = new MutableClock(T0);
      NodeScraper scraper = new NodeScraper(endpoints, ScrapeMapping.parse(MAPPING), new HttpMetricsFetcher(Duration.ofMillis(300)), clock);

      ScrapeRound r0 = scraper.scrape();
      assertEquals(2, r0.failures().size(), r0.failures().toString());
      assertEquals("vllm " + server.uri("127.0.0.1", "/slow") + " failed: timed out; skipping node(s) ericsson-cp-bm14r7", r0.failures().get(0));
      assertTrue(r0.failures().get(1).startsWith("dcgm " + server.uri("127.0.0.1", "/garbage") + " failed: line 1: expected ',' or '}'"),
          r0.failures().get(1));
      clock.advance(TEN_S);
      ScrapeRound r1 = scraper.scrape();
      assertEquals(List.of("upcloud-gpu1"), nodeIds(r1));
      assertEquals(360.0, r1.samples().get(0).getEnergyJoules(), 1e-9);
      assertEquals(4, scraper.failures());
    }
  }

  @Test
  void theRunnerScrapesTwiceOneIntervalApartOnTheWallClock() throws Exception {
    try (RecordedScrapeServer server = new RecordedScrapeServer()) {
      server.serve("/dcgm-l40s", l40s("32", "35.686000", "5551899580", "0"), l40s("33", "36.314000", "5552259580", "4"));
      NodeScraper scraper = new NodeScraper(List.of(new Endpoint(Endpoint.Kind.DCGM, server.uri("localhost", "/dcgm-l40s"))),
          ScrapeMapping.parse(MAPPING), new HttpMetricsFetcher(Duration.ofSeconds(5)), Clock.systemUTC());
      List<ScrapeRound> rounds = new ArrayList<>();
      long emitted = new ScrapeRunner(scraper, Duration.ofMillis(300), 2, rounds::add).run();
      assertEquals(1, emitted);
      assertEquals(2, rounds.size());
      NodeSample s = rounds.get(1).samples().get(0);
      assertEquals(rounds.get(0).at(), s.getTimestamp());
      assertEquals(Duration.between(rounds.get(0).at(), rounds.get(1).at()).toMillis(), s.getIntervalMs());
      assertTrue(s.getIntervalMs() >= 250 && s.getIntervalMs() < 5_000, "intervalMs " + s.getIntervalMs());
      assertEquals(360.0, s.getEnergyJoules(), 1e-9);
    }
  }

  static List<String> nodeIds(ScrapeRound r) {
    return r.samples().stream().map(NodeSample::getNodeId).toList();
  }

  static void check(NodeSample s, String nodeId, String clusterId, String site, String gpuModel, int gpuCount, Instant timestamp,
      int intervalMs, double powerWatts, Double energyJoules, float temperatureC, double utilization, List<UsageEntry> usage) {
    assertEquals(nodeId, s.getNodeId());
    assertEquals(clusterId, s.getClusterId(), nodeId);
    assertEquals(site, s.getSite(), nodeId);
    assertEquals(gpuModel, s.getGpuModel(), nodeId);
    assertEquals(gpuCount, s.getGpuCount(), nodeId);
    assertEquals(timestamp, s.getTimestamp(), nodeId);
    assertEquals(intervalMs, s.getIntervalMs(), nodeId);
    assertEquals(powerWatts, s.getPowerWatts(), 1e-9, nodeId + " powerWatts");
    if (energyJoules == null) {
      assertNull(s.getEnergyJoules(), nodeId + " energyJoules");
    } else {
      assertEquals(energyJoules, s.getEnergyJoules(), 1e-6, nodeId + " energyJoules");
    }
    assertEquals(temperatureC, s.getTemperatureC(), nodeId + " temperatureC");
    assertEquals(utilization, s.getGpuUtilization(), 1e-6, nodeId + " gpuUtilization");
    assertEquals(usage, s.getUsage(), nodeId + " usage");
  }
}
