package io.factorymeter.producers.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.UsageEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FleetSimulatorTest {

  private static final Instant START = Instant.parse("2026-11-26T00:00:00Z");

  private static List<NodeSample> run(FleetSpec spec, int steps) {
    FleetSimulator sim = new FleetSimulator(spec, START);
    List<NodeSample> all = new ArrayList<>();
    for (int i = 0; i < steps; i++) {
      all.addAll(sim.step());
    }
    return all;
  }

  @Test
  void theSameSeedGivesTheSameSamplesAndAnotherSeedOthers() {
    FleetSpec spec = FleetSpec.defaults();
    assertEquals(run(spec, 50), run(spec, 50));
    FleetSpec other = new FleetSpec(24, 4, 2, 6, 8, Duration.ofSeconds(10), 43L);
    assertNotEquals(run(spec, 50), run(other, 50));
  }

  @Test
  void placementCoversClustersSitesGpuTypesAndTenants() {
    FleetSimulator sim = new FleetSimulator(FleetSpec.defaults(), START);
    Set<String> clusters = new HashSet<>();
    Set<String> sites = new HashSet<>();
    Set<String> gpus = new HashSet<>();
    Set<String> tenants = new HashSet<>();
    for (FleetSimulator.Node n : sim.nodes()) {
      clusters.add(n.clusterId());
      sites.add(n.site());
      gpus.add(n.gpuType().gpuModel());
      tenants.addAll(n.tenants());
    }
    assertEquals(Set.of("cluster-1", "cluster-2", "cluster-3", "cluster-4"), clusters);
    assertEquals(Set.of("site-a", "site-b"), sites);
    assertEquals(Set.of("H100-SXM5-80GB", "B200-SXM-180GB", "H200-SXM-141GB", "GB200-NVL72"), gpus);
    assertEquals(6, tenants.size());
  }

  /**
   * Calibration: from a sample's output tokens we recover its load u = tokens / (full-load tokens/s
   * per GPU x GPUs x seconds); the power must then be GPUs x (idle + u x (full-load W per GPU − idle))
   * with the ML.ENERGY full-load figures, within the 1 % noise and rounding.
   */
  @Test
  void powerFollowsTheMlEnergyFullLoadFiguresAtTheLoadTheTokensImply() {
    FleetSimulator sim = new FleetSimulator(FleetSpec.defaults(), START);
    int checked = 0;
    for (int step = 0; step < 360; step++) {
      for (NodeSample s : sim.step()) {
        FleetSimulator.Node node = sim.nodes().stream().filter(n -> n.nodeId().equals(s.getNodeId())).findFirst().orElseThrow();
        long output = s.getUsage().stream().mapToLong(UsageEntry::getCompletionTokens).sum();
        if (output < 1000) {
          continue;
        }
        ModelProfile p = node.profile();
        double seconds = s.getIntervalMs() / 1000.0;
        double u = output / (p.outputTokensPerSecond() / p.gpusPerReplica() * s.getGpuCount() * seconds);
        double idle = node.gpuType().idleWattsPerGpu();
        double expected = s.getGpuCount() * (idle + u * (p.powerWatts() / p.gpusPerReplica() - idle));
        assertEquals(expected, s.getPowerWatts(), expected * 0.05, s.toString());
        checked++;
      }
    }
    assertTrue(checked > 1000, "checked " + checked);
  }

  @Test
  void loadFollowsTheTimeOfDay() {
    FleetSpec spec = FleetSpec.defaults();
    FleetSimulator night = new FleetSimulator(spec, Instant.parse("2026-11-26T03:00:00Z"));
    FleetSimulator afternoon = new FleetSimulator(spec, Instant.parse("2026-11-26T15:00:00Z"));
    double nightTokens = 0;
    double dayTokens = 0;
    for (int i = 0; i < 60; i++) {
      nightTokens += tokens(night.step());
      dayTokens += tokens(afternoon.step());
    }
    // mean load 0.2 at 03:00 UTC and 0.8 at 15:00 UTC: about four times the tokens
    double ratio = dayTokens / nightTokens;
    assertTrue(ratio > 2.5 && ratio < 6, "ratio " + ratio);
  }

  @Test
  void bundledProfilesAreTheRowsOfTheSharedMlEnergyData() throws IOException {
    Path shared = Path.of("../../shared/data/mlenergy-leaderboard-v3/llm_configurations_flat.csv");
    assumeTrue(Files.exists(shared), "shared data not present");
    List<String> rows = Files.readAllLines(shared);
    String[] header = rows.get(0).split(",");
    for (ModelProfile p : ModelProfiles.bundled()) {
      boolean found = false;
      for (String row : rows.subList(1, rows.size())) {
        String[] f = row.split(",");
        if (f[col(header, "task")].equals("lm-arena-chat") && f[col(header, "model_id")].equals(p.modelId())
            && f[col(header, "gpu_model")].equals(p.gpuType()) && Integer.parseInt(f[col(header, "num_gpus")]) == p.gpusPerReplica()
            && f[col(header, "max_num_seqs")].equals("256")) {
          assertEquals(Double.parseDouble(f[col(header, "output_throughput_tokens_per_sec")]), p.outputTokensPerSecond());
          assertEquals(Double.parseDouble(f[col(header, "avg_power_watts")]), p.powerWatts());
          // the source's identity: J per output token = W / (tokens/s)
          assertEquals(p.powerWatts() / p.outputTokensPerSecond(), p.joulesPerOutputToken(), 1e-12);
          assertEquals(Double.parseDouble(f[col(header, "median_itl_ms")]), p.medianInterTokenLatencyMs());
          found = true;
        }
      }
      assertTrue(found, "no shared row for " + p);
    }
  }

  private static int col(String[] header, String name) {
    for (int i = 0; i < header.length; i++) {
      if (header[i].equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException(name);
  }

  private static long tokens(List<NodeSample> samples) {
    return samples.stream().flatMap(s -> s.getUsage().stream()).mapToLong(u -> u.getPromptTokens() + u.getCompletionTokens()).sum();
  }

  @Test
  void h200AndGb200FiguresAreDerivedFromTheMeasuredH100AndB200OnesByTheStatedFactors() {
    ModelProfile h100 = ModelProfiles.find("llama-3.1-8b-instruct", "H100").orElseThrow();
    ModelProfile h200 = ModelProfiles.find("llama-3.1-8b-instruct", "H200").orElseThrow();
    assertEquals(9009.611720077452 * 1.4, h200.outputTokensPerSecond(), 1e-9);   // the ML.ENERGY H100 row x 1.4
    assertEquals(h100.powerWatts(), h200.powerWatts());
    ModelProfile gb200 = ModelProfiles.find("deepseek-v3.1", "GB200").orElseThrow();
    assertEquals(4534.035504454398 * 1.25, gb200.outputTokensPerSecond(), 1e-9);  // the B200 row x 1.25
    assertEquals(5935.4727918451335 * 1.2, gb200.powerWatts(), 1e-9);             // and x 1.2 power
    assertEquals(gb200.powerWatts() / gb200.outputTokensPerSecond(), gb200.joulesPerOutputToken(), 1e-12);
  }

  @Test
  void thousandsOfNodesOverSeveralClustersAndSites() {
    FleetSpec spec = new FleetSpec(5_000, 40, 5, 50, 8, Duration.ofSeconds(60), 1L);
    FleetSimulator sim = new FleetSimulator(spec, START);
    List<NodeSample> samples = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      samples.addAll(sim.step());
    }
    assertTrue(samples.size() > 49_000 && samples.size() <= 50_000, "samples " + samples.size());
    assertEquals(5_000, sim.nodes().size());
    long reporting = samples.stream().map(NodeSample::getNodeId).distinct().count();
    assertTrue(reporting > 4_990 && reporting <= 5_000, "a node that fails in the first step may stay silent for all ten: " + reporting);
    assertEquals(40, samples.stream().map(NodeSample::getClusterId).distinct().count());
    assertEquals(5, samples.stream().map(NodeSample::getSite).distinct().count());
    assertEquals(4, samples.stream().map(NodeSample::getGpuModel).distinct().count());
  }

  @Test
  void failedNodesFallSilentAndComeBack() {
    FleetSimulator sim = new FleetSimulator(new FleetSpec(200, 4, 2, 6, 8, Duration.ofSeconds(10), 5L), START);
    java.util.Map<String, List<Integer>> reportedSteps = new java.util.HashMap<>();
    for (int step = 0; step < 2_000; step++) {
      for (NodeSample s : sim.step()) {
        reportedSteps.computeIfAbsent(s.getNodeId(), k -> new ArrayList<>()).add(step);
      }
    }
    long cameBack = reportedSteps.values().stream().filter(steps -> {
      for (int i = 1; i < steps.size(); i++) {
        int gap = steps.get(i) - steps.get(i - 1);
        if (gap >= 6 && gap <= 61) {   // silent for 1 to 10 minutes of 10 s intervals
          return true;
        }
      }
      return false;
    }).count();
    assertTrue(cameBack > 0, "some node failed and came back");
    assertEquals(200, reportedSteps.size(), "every node reports");
  }
}
