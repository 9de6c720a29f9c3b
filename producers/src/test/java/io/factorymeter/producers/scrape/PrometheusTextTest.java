package io.factorymeter.producers.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The parser on the verbatim captures of ../shared/data and on hand-made edge cases. */
class PrometheusTextTest {

  private static Map<String, Long> seriesPerMetric(List<PrometheusSample> samples) {
    return samples.stream().collect(Collectors.groupingBy(PrometheusSample::name, TreeMap::new, Collectors.counting()));
  }

  private static PrometheusSample only(List<PrometheusSample> samples, String name) {
    List<PrometheusSample> found = samples.stream().filter(s -> s.name().equals(name)).toList();
    assertEquals(1, found.size(), name);
    return found.get(0);
  }

  private static Map<String, String> labels(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void dcgmL40sIdleUpcloud() throws Exception {
    List<PrometheusSample> samples = PrometheusText.parse(Scrapes.verbatim("dcgm-exporter_L40S_idle_upcloud.prom"));
    // 69 lines = 23 metrics x (HELP, TYPE, one sample)
    assertEquals(23, samples.size());
    assertEquals(23, seriesPerMetric(samples).size());
    assertTrue(seriesPerMetric(samples).values().stream().allMatch(n -> n == 1));
    PrometheusSample power = only(samples, "DCGM_FI_DEV_POWER_USAGE");
    assertEquals(35.686, power.value());
    assertNull(power.timestampMs());
    // line 15, labels in the order of the line
    assertEquals(List.copyOf(labels("gpu", "0", "UUID", "GPU-5b4e07f6-3a86-4340-039d-25f2a83cdc43", "pci_bus_id", "00000000:00:07.0",
        "device", "nvidia0", "modelName", "NVIDIA L40S", "Hostname", "gpu1-wl8sg", "DCGM_FI_DRIVER_VERSION", "595.58.03").entrySet()),
        List.copyOf(power.labels().entrySet()));
    assertEquals(5_551_899_580.0, only(samples, "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION").value());
    assertEquals(32.0, only(samples, "DCGM_FI_DEV_GPU_TEMP").value());
    assertEquals(0.0, only(samples, "DCGM_FI_DEV_GPU_UTIL").value());
    assertEquals(0.000131, only(samples, "DCGM_FI_PROF_DRAM_ACTIVE").value());
    assertEquals(45459.0, only(samples, "DCGM_FI_DEV_FB_FREE").value());
  }

  @Test
  void dcgmL4IdleKops() throws Exception {
    List<PrometheusSample> samples = PrometheusText.parse(Scrapes.verbatim("dcgm-exporter_L4_idle_kops.prom"));
    assertEquals(23, samples.size());
    PrometheusSample energy = only(samples, "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION");
    assertEquals(4_742_776.0, energy.value());
    assertEquals("i-030791dc5a37cd257", energy.label("Hostname"));
    assertEquals("NVIDIA L4", energy.label("modelName"));
    assertEquals("GPU-c2f76b33-7953-256e-8f33-1343419b1a1c", energy.label("UUID"));
    assertEquals(16.365, only(samples, "DCGM_FI_DEV_POWER_USAGE").value());
    assertEquals(31.0, only(samples, "DCGM_FI_DEV_GPU_TEMP").value());
    assertEquals(112603.0, only(samples, "DCGM_FI_PROF_PCIE_TX_BYTES").value());
  }

  @Test
  void dcgmT4LoadedEricssonWithoutHelpOrType() throws Exception {
    List<PrometheusSample> samples = PrometheusText.parse(Scrapes.verbatim("dcgm-exporter_T4_loaded_ericsson.prom"));
    assertEquals(20, samples.size());
    assertEquals(20, seriesPerMetric(samples).size());
    assertEquals(91.0, only(samples, "DCGM_FI_DEV_GPU_UTIL").value());
    assertEquals(74.0, only(samples, "DCGM_FI_DEV_GPU_TEMP").value());
    assertEquals(68.244, only(samples, "DCGM_FI_DEV_POWER_USAGE").value());
    assertEquals(15_152_422_938.0, only(samples, "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION").value());
    assertEquals(0.156205, only(samples, "DCGM_FI_PROF_GR_ENGINE_ACTIVE").value());
    assertEquals("cp-bm14r7", only(samples, "DCGM_FI_DEV_GPU_UTIL").label("Hostname"));
    assertEquals("Tesla T4", only(samples, "DCGM_FI_DEV_GPU_UTIL").label("modelName"));
    // the T4 capture has no remapped-rows metrics (the L4 and L40S ones do)
    assertTrue(samples.stream().noneMatch(s -> s.name().contains("REMAPPED_ROWS")));
  }

  @Test
  void vllmQwenIdleKops() throws Exception {
    List<PrometheusSample> samples = PrometheusText.parse(Scrapes.verbatim("vllm_metrics_Qwen2.5-0.5B_idle_kops.prom"));
    // 561 lines: 83 HELP + 83 TYPE + 395 samples; the last TYPE (http_request_duration_seconds) has no samples
    assertEquals(395, samples.size());
    Map<String, Long> perMetric = seriesPerMetric(samples);
    assertEquals(111, perMetric.size());
    assertEquals(354, samples.stream().filter(s -> s.name().startsWith("vllm:")).count());
    assertEquals(23L, perMetric.get("vllm:time_to_first_token_seconds_bucket"));
    assertEquals(13L, perMetric.get("vllm:request_prompt_tokens_bucket"));
    assertEquals(5L, perMetric.get("vllm:request_success_total"));
    assertEquals(3L, perMetric.get("vllm:prompt_tokens_by_source_total"));
    assertEquals(1L, perMetric.get("vllm:prompt_tokens_total"));
    assertEquals(1L, perMetric.get("vllm:generation_tokens_total"));
    assertEquals(3L, perMetric.get("python_gc_objects_collected_total"));

    PrometheusSample prompt = only(samples, "vllm:prompt_tokens_total");
    assertEquals(labels("engine", "0", "model_name", "Qwen/Qwen2.5-0.5B-Instruct"), prompt.labels());
    assertEquals(0.0, prompt.value());
    assertEquals(1.7740114612872875e+09, only(samples, "vllm:estimated_flops_per_gpu_created").value());
    assertEquals(9.035190272e+09, only(samples, "process_virtual_memory_bytes").value());
    assertEquals(16.22, only(samples, "process_cpu_seconds_total").value());
    assertEquals(Set.of("stop", "length", "abort", "error", "repetition"), samples.stream()
        .filter(s -> s.name().equals("vllm:request_success_total")).map(s -> s.label("finished_reason")).collect(Collectors.toSet()));
    // line 297: the +Inf bucket
    PrometheusSample inf = samples.stream().filter(s -> s.name().equals("vllm:time_to_first_token_seconds_bucket")
        && "+Inf".equals(s.label("le"))).findFirst().orElseThrow();
    assertEquals(0.0, inf.value());
    // line 18 and line 524 (25 labels)
    assertEquals(labels("implementation", "CPython", "major", "3", "minor", "12", "patchlevel", "13", "version", "3.12.13"),
        only(samples, "python_info").labels());
    PrometheusSample cache = only(samples, "vllm:cache_config_info");
    assertEquals(25, cache.labels().size());
    assertEquals("set()", cache.label("cpu_offload_params"));
    assertEquals("101625", cache.label("num_gpu_blocks"));
    assertEquals("4.0", cache.label("swap_space"));
  }

  @Test
  void aBrokenLineOfARealScrapeIsNamedByItsNumber() throws Exception {
    String[] lines = Scrapes.verbatim("dcgm-exporter_L4_idle_kops.prom").split("\n");
    lines[29] = lines[29].replace("modelName=\"NVIDIA L4\"", "modelName=\"NVIDIA L4"); // line 30: a quote lost
    PrometheusFormatException e = assertThrows(PrometheusFormatException.class, () -> PrometheusText.parse(String.join("\n", lines)));
    assertEquals(30, e.lineNumber());
    assertTrue(e.getMessage().startsWith("line 30: "), e.getMessage());
  }

  @Test
  void labelValueEscapes() {
    PrometheusSample s = PrometheusText.parse("m{path=\"C:\\\\dir\",quote=\"say \\\"hi\\\"\",lines=\"one\\ntwo\"} 1\n").get(0);
    assertEquals("C:\\dir", s.label("path"));
    assertEquals("say \"hi\"", s.label("quote"));
    assertEquals("one\ntwo", s.label("lines"));
    // the series identity escapes them back
    assertEquals("m{lines=\"one\\ntwo\",path=\"C:\\\\dir\",quote=\"say \\\"hi\\\"\"}", s.series());
  }

  @Test
  void specialValuesTimestampsBlanksAndComments() {
    String text = String.join("\n",
        "# a comment that is neither HELP nor TYPE",
        "#HELP up like Go's parser, a HELP line may omit the space after '#'",
        "",
        "   ",
        "# TYPE up gauge",
        "up 1",
        "nan_metric NaN",
        "pos{a=\"1\"} +Inf",
        "neg{a=\"1\",} -Inf 1395066363000",
        "\tspaced { a = \"x\" , b=\"y\" }\t2.5e-3\t-17",
        "empty{} 0",
        "windows{a=\"b\"} 7\r",
        "");
    Map<String, PrometheusSample> byName = PrometheusText.parse(text).stream()
        .collect(Collectors.toMap(PrometheusSample::name, Function.identity()));
    assertEquals(Set.of("up", "nan_metric", "pos", "neg", "spaced", "empty", "windows"), byName.keySet());
    assertTrue(Double.isNaN(byName.get("nan_metric").value()));
    assertEquals(Double.POSITIVE_INFINITY, byName.get("pos").value());
    assertEquals(Double.NEGATIVE_INFINITY, byName.get("neg").value());
    assertEquals(1395066363000L, byName.get("neg").timestampMs());
    assertEquals(labels("a", "x", "b", "y"), byName.get("spaced").labels());
    assertEquals(0.0025, byName.get("spaced").value());
    assertEquals(-17L, byName.get("spaced").timestampMs());
    assertEquals(Map.of(), byName.get("empty").labels());
    assertEquals(7.0, byName.get("windows").value());
  }

  @Test
  void malformedLinesNameTheirLineNumber() {
    String ok = "# HELP x fine\n# TYPE x gauge\nx 1\n";
    Map<String, String> broken = new LinkedHashMap<>();
    broken.put("y\n", "missing value");
    broken.put("y 1,5\n", "not a number");
    broken.put("y 1.0d\n", "not a number");
    broken.put("y 0x10\n", "not a number");
    broken.put("y Infinity\n", "not a number");
    broken.put("y{a=\"1} 2\n", "unterminated value of label a");
    broken.put("y{a=\"1\" 2\n", "expected ',' or '}'");
    broken.put("y{a=\"\\t\"} 2\n", "invalid escape");
    broken.put("y{1a=\"1\"} 2\n", "expected a label name");
    broken.put("y{a=\"1\",a=\"2\"} 2\n", "label a appears twice");
    broken.put("y{a=1} 2\n", "to open the value of label a");
    broken.put("y-1 2\n", "a space or '{' after the metric name");
    broken.put("y 1 2 3\n", "unexpected text after the timestamp");
    broken.put("y 1 1.5\n", "is not an integer");
    broken.put("9y 1\n", "expected a metric name");
    broken.put("# TYPE y gauges\n", "unknown metric type 'gauges'");
    broken.put("# TYPE y\n", "expected a type");
    broken.put("# TYPE x counter\n", "second TYPE line for x (first on line 2)");
    broken.put("# HELP y bad \\escape\n", "invalid escape in HELP text");
    broken.put("x{} 2\n", "series x{} appears again (first on line 3)");
    broken.forEach((line, message) -> {
      PrometheusFormatException e = assertThrows(PrometheusFormatException.class, () -> PrometheusText.parse(ok + line), line);
      assertEquals(4, e.lineNumber(), line);
      assertTrue(e.getMessage().startsWith("line 4: ") && e.getMessage().contains(message), line + " -> " + e.getMessage());
    });
  }
}
