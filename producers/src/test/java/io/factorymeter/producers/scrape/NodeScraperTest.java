package io.factorymeter.producers.scrape;

import static io.factorymeter.producers.scrape.ScrapeEndToEndTest.T0;
import static io.factorymeter.producers.scrape.ScrapeEndToEndTest.TEN_S;
import static io.factorymeter.producers.scrape.ScrapeEndToEndTest.check;
import static io.factorymeter.producers.scrape.ScrapeEndToEndTest.l40s;
import static io.factorymeter.producers.scrape.ScrapeEndToEndTest.nodeIds;
import static io.factorymeter.producers.scrape.ScrapeEndToEndTest.t4;
import static io.factorymeter.producers.scrape.ScrapeEndToEndTest.triton;
import static io.factorymeter.producers.scrape.ScrapeEndToEndTest.v;
import static io.factorymeter.producers.scrape.ScrapeEndToEndTest.vllm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.UsageEntry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Rounds of the scraper over scripted scrapes (no HTTP): staleness, gaps, DCGM blanks, missing data, unknown names. */
class NodeScraperTest {

  static final String MAPPING = """
      {
        "nodes": {
          "cp-bm14r7":  {"nodeId": "ccd-bm14r7", "clusterId": "ccd", "site": "se-sto"},
          "vllm-host":  {"nodeId": "ccd-bm14r7", "clusterId": "ccd", "site": "se-sto"},
          "triton-host": {"nodeId": "ccd-bm14r7", "clusterId": "ccd", "site": "se-sto"},
          "gpu1-wl8sg": {"nodeId": "upc-gpu1", "clusterId": "upc", "site": "fi-hel2"},
          "lonely-vllm": {"nodeId": "no-gpus", "clusterId": "upc", "site": "fi-hel2"},
          "bare-triton": {"nodeId": "bare-triton", "clusterId": "upc", "site": "fi-hel2"}
        },
        "models": {"Qwen/Qwen2.5-0.5B-Instruct": {"tenantId": "acme", "modelId": "qwen"}}
      }
      """;
  static final String QWEN = "Qwen/Qwen2.5-0.5B-Instruct";
  static final String T4_R0 = t4(v("74", "68.244000", "15152422938", "91"), v("70", "61.500000", "9876543210", "85"));

  /** Plays back scrapes per URL, one per round, the last one again when they run out. */
  static final class Script {
    private final Map<String, List<String>> bodies = new HashMap<>();
    private final Map<String, Integer> served = new HashMap<>();
    private final List<Endpoint> endpoints = new ArrayList<>();

    Script add(Endpoint.Kind kind, String url, String... scrapes) {
      bodies.put(url, List.of(scrapes));
      endpoints.add(new Endpoint(kind, URI.create(url)));
      return this;
    }

    CompletableFuture<String> fetch(URI uri) {
      List<String> list = bodies.get(uri.toString());
      int n = served.merge(uri.toString(), 1, Integer::sum) - 1;
      return CompletableFuture.completedFuture(list.get(Math.min(n, list.size() - 1)));
    }

    NodeScraper scraper(MutableClock clock) {
      return new NodeScraper(endpoints, ScrapeMapping.parse(MAPPING), this::fetch, clock);
    }
  }

  private static List<ScrapeRound> rounds(NodeScraper scraper, MutableClock clock, Duration... steps) {
    List<ScrapeRound> rounds = new ArrayList<>(List.of(scraper.scrape()));
    for (Duration d : steps) {
      clock.advance(d);
      rounds.add(scraper.scrape());
    }
    return rounds;
  }

  @Test
  void whenTheExporterHasNotCollectedTheNextSampleCoversBothIntervals() {
    String t4r2 = t4(v("76", "70.000000", "15154422938", "95"), v("71", "64.500000", "9877823210", "88")); // +2,000,000 / +1,280,000 mJ
    Script script = new Script()
        .add(Endpoint.Kind.DCGM, "http://10.0.0.1:9400/metrics", T4_R0, T4_R0, t4r2)
        .add(Endpoint.Kind.VLLM, "http://vllm-host:8000/metrics", vllm(QWEN, "0.0", "0.0"), vllm(QWEN, "700.0", "900.0"), vllm(QWEN, "1000.0", "2000.0"));
    MutableClock clock = new MutableClock(T0);
    List<ScrapeRound> r = rounds(script.scraper(clock), clock, TEN_S, TEN_S);
    assertEquals(List.of(), r.get(1).samples(), "energy counters did not move: dcgm-exporter served its cached values");
    assertEquals(List.of(), r.get(1).failures());
    assertEquals(List.of("ccd-bm14r7"), r.get(1).stale(), "the round says which node had no new values");
    assertEquals(List.of(), r.get(0).stale(), "priming is not staleness");
    assertEquals(List.of(), r.get(2).stale());
    // one sample for [T0, T0+20s): the tokens of both intervals, power averaged over the readings at T0 and T0+20s
    check(r.get(2).samples().get(0), "ccd-bm14r7", "ccd", "se-sto", "Tesla T4", 2, T0, 20_000,
        (68.244 + 70.0) / 2 + (61.5 + 64.5) / 2, 2000.0 + 1280.0, 76f, ((91 + 95) / 2.0 + (85 + 88) / 2.0) / 2 / 100,
        List.of(new UsageEntry("acme", "qwen", 1000L, 2000L)));
  }

  @Test
  void aRoundMoreThanAnHourAfterTheLastStartsOver() {
    Script script = new Script().add(Endpoint.Kind.DCGM, "http://10.0.0.2:9400/metrics",
        l40s("32", "35.686000", "5551899580", "0"), l40s("33", "36.000000", "5680000000", "0"), l40s("33", "36.000000", "5680360000", "0"));
    MutableClock clock = new MutableClock(T0);
    List<ScrapeRound> r = rounds(script.scraper(clock), clock, Duration.ofMinutes(61), TEN_S);
    assertEquals(List.of(), r.get(1).samples(), "a NodeSample covers at most 1 h");
    check(r.get(2).samples().get(0), "upc-gpu1", "upc", "fi-hel2", "NVIDIA L40S", 1, T0.plus(Duration.ofMinutes(61)), 10_000,
        36.0, 360.0, 33f, 0.0, List.of());
  }

  @Test
  void dcgmBlankValuesAreNotReadings() {
    // DCGM_INT64_BLANK + 2 ("not supported"), as in NVIDIA's own README for DCGM_FI_DEV_MEMORY_TEMP
    String blank = "9223372036854775794";
    Script script = new Script().add(Endpoint.Kind.DCGM, "http://10.0.0.2:9400/metrics",
        l40s(blank, "35.686000", blank, "0"), l40s(blank, "36.314000", blank, "4"));
    MutableClock clock = new MutableClock(T0);
    NodeSample s = rounds(script.scraper(clock), clock, TEN_S).get(1).samples().get(0);
    assertNull(s.getEnergyJoules(), "no energy counter: the pipeline takes powerWatts x interval");
    assertEquals(36.0, s.getPowerWatts(), 1e-9);
    assertEquals(0f, s.getTemperatureC());

    Script noPower = new Script().add(Endpoint.Kind.DCGM, "http://10.0.0.2:9400/metrics", l40s("32", "140737488355328.000000", "5551899580", "0"));
    ScrapeRound r = noPower.scraper(new MutableClock(T0)).scrape();
    assertEquals(List.of("node upc-gpu1 skipped: GPU dcgm/0 has no power reading"), r.failures());
  }

  @Test
  void aGpuWithoutEnergyCounterLeavesEnergyToPower() {
    String r0 = T4_R0.lines().filter(l -> !(l.startsWith("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu=\"1\""))).collect(Collectors.joining("\n"));
    String r1 = t4(v("75", "69.000000", "15153109158", "93"), v("72", "62.500000", "9877163210", "87"))
        .lines().filter(l -> !(l.startsWith("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu=\"1\""))).collect(Collectors.joining("\n"));
    Script script = new Script().add(Endpoint.Kind.DCGM, "http://10.0.0.1:9400/metrics", r0, r1);
    MutableClock clock = new MutableClock(T0);
    NodeSample s = rounds(script.scraper(clock), clock, TEN_S).get(1).samples().get(0);
    assertEquals(2, s.getGpuCount());
    assertNull(s.getEnergyJoules(), "energy of one GPU only would understate the node");
    assertEquals(130.622, s.getPowerWatts(), 1e-9);
  }

  @Test
  void dcgmIsPreferredToTritonForTheSameNode() {
    Script script = new Script()
        .add(Endpoint.Kind.DCGM, "http://10.0.0.1:9400/metrics", T4_R0,
            t4(v("75", "69.000000", "15153109158", "93"), v("72", "62.500000", "9877163210", "87")))
        .add(Endpoint.Kind.TRITON, "http://triton-host:8002/metrics", triton(v("250.0", "10000.0", "0.5"), v("240.0", "20000.0", "0.7")),
            triton(v("270.0", "12600.0", "0.9"), v("260.0", "22500.0", "0.8")));
    MutableClock clock = new MutableClock(T0);
    NodeSample s = rounds(script.scraper(clock), clock, TEN_S).get(1).samples().get(0);
    assertEquals(2, s.getGpuCount(), "the same two GPUs, not four");
    assertEquals(1306.22, s.getEnergyJoules(), 1e-6);
    assertEquals(75f, s.getTemperatureC());
  }

  @Test
  void aNodeThatCannotMakeASampleIsSkippedAndNamed() {
    Script script = new Script()
        .add(Endpoint.Kind.VLLM, "http://lonely-vllm:8000/metrics", vllm(QWEN, "0.0", "0.0"))
        .add(Endpoint.Kind.TRITON, "http://bare-triton:8002/metrics", triton(v("250.0", "10000.0", "0.5"), v("240.0", "20000.0", "0.7")));
    NodeScraper scraper = script.scraper(new MutableClock(T0));
    ScrapeRound r = scraper.scrape();
    assertEquals(List.of(
        "node bare-triton skipped: no GPU model: the exporter names none, set \"gpuModel\" for it in the mapping file",
        "node no-gpus skipped: no GPU metrics (no dcgm-exporter or Triton endpoint reported GPUs for it)"), r.failures());
    assertEquals(2, scraper.failures());
  }

  @Test
  void unknownNamesStopTheFirstRoundAndAreSkippedAndCountedLater() {
    Script unknownHost = new Script().add(Endpoint.Kind.DCGM, "http://10.9.9.9:9400/metrics",
        Scrapes.fixture("dcgm_L40S_idle.prom").replace("gpu1-wl8sg", "gpu7-zz9"));
    ScrapeRunner runner = new ScrapeRunner(unknownHost.scraper(new MutableClock(T0)), Duration.ofMillis(1), 2, round -> { });
    ScrapeMapping.UnmappedException e = assertThrows(ScrapeMapping.UnmappedException.class, runner::run);
    assertEquals("dcgm http://10.9.9.9:9400/metrics: no node for 'gpu7-zz9' or '10.9.9.9' in the mapping file (add it under \"nodes\")",
        e.getMessage());

    // a model the mapping does not know (and no defaultTenant) appears after the start: that node waits, the others go on
    String twoModels = vllm(QWEN, "100.0", "100.0") + "\nvllm:prompt_tokens_total{engine=\"0\",model_name=\"mistral-7b\"} 5.0"
        + "\nvllm:generation_tokens_total{engine=\"0\",model_name=\"mistral-7b\"} 5.0\n";
    Script script = new Script()
        .add(Endpoint.Kind.DCGM, "http://10.0.0.1:9400/metrics", T4_R0,
            t4(v("75", "69.000000", "15153109158", "93"), v("72", "62.500000", "9877163210", "87")))
        .add(Endpoint.Kind.VLLM, "http://vllm-host:8000/metrics", vllm(QWEN, "0.0", "0.0"), twoModels)
        .add(Endpoint.Kind.DCGM, "http://10.0.0.2:9400/metrics", l40s("32", "35.686000", "5551899580", "0"),
            l40s("33", "36.314000", "5552259580", "4"));
    MutableClock clock = new MutableClock(T0);
    NodeScraper scraper = script.scraper(clock);
    List<ScrapeRound> r = rounds(scraper, clock, TEN_S);
    assertEquals(List.of("upc-gpu1"), nodeIds(r.get(1)));
    assertEquals(1, r.get(1).unmapped().size());
    assertTrue(r.get(1).unmapped().get(0).startsWith("vllm http://vllm-host:8000/metrics: no entry for model 'mistral-7b'"), r.get(1).unmapped().get(0));
    assertEquals(1, scraper.failures());
  }
}
