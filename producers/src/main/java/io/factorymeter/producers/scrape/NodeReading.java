package io.factorymeter.producers.scrape;

import java.util.Map;
import java.util.TreeMap;

/** What one round of scrapes said about one node: its GPUs and its token counters. */
final class NodeReading {

  /**
   * The current value of one vLLM token counter series.
   *
   * @param prompt true for prompt tokens, false for generated (completion) tokens
   * @param value tokens, cumulative
   */
  record TokenCounter(ScrapeMapping.Usage usage, boolean prompt, double value) {
  }

  final ScrapeMapping.Node node;
  /** dcgm-exporter GPUs by {@code gpu} label. */
  final Map<String, GpuReading> dcgmGpus = new TreeMap<>();
  /** Triton GPUs by {@code gpu_uuid} label. */
  final Map<String, GpuReading> tritonGpus = new TreeMap<>();
  /** Token counters by endpoint and series. */
  final Map<String, TokenCounter> tokens = new TreeMap<>();

  NodeReading(ScrapeMapping.Node node) {
    this.node = node;
  }

  /** Adds what another endpoint said about the same node; GPUs already known keep their readings. */
  void absorb(NodeReading other) {
    other.dcgmGpus.forEach(dcgmGpus::putIfAbsent);
    other.tritonGpus.forEach(tritonGpus::putIfAbsent);
    tokens.putAll(other.tokens);
  }

  /**
   * The node's GPUs, keyed {@code dcgm/<gpu>} or {@code triton/<uuid>}: dcgm-exporter's when it
   * reported any (it has temperatures and model names), else Triton's. Never both, which would
   * count each GPU twice.
   */
  Map<String, GpuReading> gpus() {
    Map<String, GpuReading> out = new TreeMap<>();
    if (!dcgmGpus.isEmpty()) {
      dcgmGpus.forEach((k, g) -> out.put("dcgm/" + k, g));
    } else {
      tritonGpus.forEach((k, g) -> out.put("triton/" + k, g));
    }
    return out;
  }
}
