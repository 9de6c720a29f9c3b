package io.factorymeter.producers.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.factorymeter.producers.replay.RejectedLine;
import io.factorymeter.producers.simulate.ModelProfile;
import io.factorymeter.producers.simulate.ModelProfiles;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.UsageEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceToSamplesTest {

  private static final ModelProfile LLAMA_8B_H100 = ModelProfiles.find("llama-3.1-8b-instruct", "H100").orElseThrow();
  private static final Path SHARED = Path.of("").toAbsolutePath().getParent().getParent().resolve("shared/data/azure-llm-inference-2023");

  private static List<NodeSample> convert(List<TraceRequest> trace, TraceFleet fleet) {
    List<NodeSample> out = new ArrayList<>();
    TraceToSamples.convert(trace, fleet, 0, out::addAll);
    return out;
  }

  private static long ms(String instant) {
    return Instant.parse(instant).toEpochMilli();
  }

  @Test
  void promptTokensAtArrivalAndGeneratedTokensSpreadOverTheGenerationTime() {
    double itl = LLAMA_8B_H100.medianInterTokenLatencyMs();
    // 1,000 generated tokens take 1,000 x ITL ms from the arrival at 10:00:05
    TraceRequest r = new TraceRequest(ms("2026-11-26T10:00:05Z"), 700, 1_000);
    TraceFleet fleet = new TraceFleet(1, 1, 1, 8, LLAMA_8B_H100, 1, Duration.ofSeconds(10), 1L);
    List<NodeSample> samples = convert(List.of(r), fleet);
    double generationMs = 1_000 * itl;
    int intervals = (int) Math.ceil((5_000 + generationMs) / 10_000);
    assertEquals(intervals, samples.size());
    assertEquals(Instant.parse("2026-11-26T10:00:00Z"), samples.get(0).getTimestamp());
    long prompt = 0;
    long completion = 0;
    for (int k = 0; k < samples.size(); k++) {
      NodeSample s = samples.get(k);
      long p = s.getUsage().stream().mapToLong(UsageEntry::getPromptTokens).sum();
      long c = s.getUsage().stream().mapToLong(UsageEntry::getCompletionTokens).sum();
      assertEquals(k == 0 ? 700 : 0, p, "prompt tokens only where the request arrived");
      // the share of the generation time this interval holds, within one whole token
      double from = Math.max(5_000, k * 10_000.0);
      double to = Math.min(5_000 + generationMs, (k + 1) * 10_000.0);
      assertEquals(1_000 * (to - from) / generationMs, c, 1.0, "interval " + k);
      prompt += p;
      completion += c;
    }
    assertEquals(700, prompt);
    assertEquals(1_000, completion);
  }

  @Test
  void requestsGoRoundRobinToNodesAndEveryNodeReportsEveryInterval() {
    List<TraceRequest> trace = List.of(
        new TraceRequest(ms("2026-11-26T10:00:00.100Z"), 10, 0),
        new TraceRequest(ms("2026-11-26T10:00:00.200Z"), 20, 0),
        new TraceRequest(ms("2026-11-26T10:00:00.300Z"), 30, 0),
        new TraceRequest(ms("2026-11-26T10:00:25Z"), 40, 0));
    List<NodeSample> samples = convert(trace, new TraceFleet(3, 1, 1, 8, LLAMA_8B_H100, 2, Duration.ofSeconds(10), 1L));
    assertEquals(3 * 3, samples.size(), "three nodes x intervals 10:00:00, :10, :20");
    long[] promptPerNode = new long[3];
    for (NodeSample s : samples) {
      int node = Integer.parseInt(s.getNodeId().substring("trace-node-".length())) - 1;
      promptPerNode[node] += s.getUsage().stream().mapToLong(UsageEntry::getPromptTokens).sum();
    }
    assertEquals(10 + 40, promptPerNode[0]);
    assertEquals(20, promptPerNode[1]);
    assertEquals(30, promptPerNode[2]);
    NodeSample idle = samples.stream().filter(s -> s.getTimestamp().equals(Instant.parse("2026-11-26T10:00:10Z"))).findFirst().orElseThrow();
    assertTrue(idle.getUsage().isEmpty());
    assertEquals(8 * io.factorymeter.producers.simulate.GpuType.H100.idleWattsPerGpu(), idle.getPowerWatts(), 1e-9);
  }

  /** The Azure 2023 conversation trace: every token in the samples, and power as the ML.ENERGY-calibrated model says. */
  @Test
  void everyTokenOfTheAzureConversationTraceIsInTheSamples() throws IOException {
    Path conv = SHARED.resolve("AzureLLMInferenceTrace_conv.csv");
    assumeTrue(Files.exists(conv), "shared data not present: " + conv);
    List<RejectedLine> rejected = new ArrayList<>();
    List<TraceRequest> trace = AzureTrace.read(conv, rejected::add);
    assertEquals(List.of(), rejected);
    assertEquals(19_366, trace.size());
    long prompt = trace.stream().mapToLong(TraceRequest::promptTokens).sum();
    long completion = trace.stream().mapToLong(TraceRequest::completionTokens).sum();
    TraceFleet fleet = new TraceFleet(4, 2, 1, 8, LLAMA_8B_H100, 5, Duration.ofSeconds(10), 7L);
    List<NodeSample> samples = convert(trace, fleet);
    long samplePrompt = 0;
    long sampleCompletion = 0;
    for (NodeSample s : samples) {
      long c = s.getUsage().stream().mapToLong(UsageEntry::getCompletionTokens).sum();
      samplePrompt += s.getUsage().stream().mapToLong(UsageEntry::getPromptTokens).sum();
      sampleCompletion += c;
      double load = Math.min(1.0, c / (LLAMA_8B_H100.outputTokensPerSecond() / LLAMA_8B_H100.gpusPerReplica() * 8 * 10));
      double idle = io.factorymeter.producers.simulate.GpuType.H100.idleWattsPerGpu();
      assertEquals(8 * (idle + load * (LLAMA_8B_H100.powerWatts() / LLAMA_8B_H100.gpusPerReplica() - idle)), s.getPowerWatts(), 1e-6);
    }
    assertEquals(prompt, samplePrompt);
    assertEquals(completion, sampleCompletion);
    assertEquals(Instant.parse("2023-11-16T18:15:40Z"), samples.get(0).getTimestamp());
  }

  @Test
  void linesThatAreNotRequestsAreReportedWithTheirNumbers(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("t.csv");
    Files.write(file, List.of(AzureTrace.HEADER, "2023-11-16 18:15:46.6805900,374,44", "2023-11-16 18:15,1,1", "2023-11-16 18:15:50.9951690,-3,109"));
    List<RejectedLine> rejected = new ArrayList<>();
    List<TraceRequest> trace = AzureTrace.read(file, rejected::add);
    assertEquals(1, trace.size());
    assertEquals(Instant.parse("2023-11-16T18:15:46.680Z").toEpochMilli(), trace.get(0).arrivalMs());
    assertEquals(List.of(3L, 4L), rejected.stream().map(RejectedLine::lineNumber).toList());
  }
}
