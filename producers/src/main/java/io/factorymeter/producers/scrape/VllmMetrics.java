package io.factorymeter.producers.scrape;

import java.util.List;
import java.util.Map;

/**
 * Reads vLLM: the counters {@code vllm:prompt_tokens_total} and {@code vllm:generation_tokens_total}
 * (tokens, cumulative) per {@code model_name}, one series per engine. The node is the endpoint's
 * host; the tenant and model come from the mapping.
 */
final class VllmMetrics {

  static final String PROMPT = "vllm:prompt_tokens_total";
  static final String GENERATION = "vllm:generation_tokens_total";

  private VllmMetrics() {
  }

  /** The reading of the endpoint's node, by nodeId. */
  static Map<String, NodeReading> read(Endpoint endpoint, List<PrometheusSample> samples, ScrapeMapping mapping) {
    ScrapeMapping.Node node = mapping.node(endpoint.host());
    NodeReading reading = new NodeReading(node);
    for (PrometheusSample s : samples) {
      boolean prompt = s.name().equals(PROMPT);
      if (!prompt && !s.name().equals(GENERATION)) {
        continue;
      }
      double v = s.value();
      if (!Double.isFinite(v) || v < 0) {
        throw new IllegalArgumentException(s.series() + " is " + v);
      }
      String model = s.label("model_name");
      if (model == null) {
        throw new IllegalArgumentException(s.series() + " has no model_name label");
      }
      reading.tokens.put(endpoint.uri() + " " + s.series(), new NodeReading.TokenCounter(mapping.model(model), prompt, v));
    }
    return Map.of(node.nodeId(), reading);
  }
}
