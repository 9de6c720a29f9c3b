package io.factorymeter.producers.scrape;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A Prometheus endpoint to scrape and the kind of exporter behind it.
 *
 * @param uri an absolute {@code http} or {@code https} URL with a host, e.g. {@code http://gpu-node-1:9400/metrics}
 */
public record Endpoint(Kind kind, URI uri) {

  /** The exporters the scraper understands. */
  public enum Kind {
    /** NVIDIA dcgm-exporter: power (W), energy counter (mJ), temperature (°C), utilization (%) per GPU. */
    DCGM,
    /** vLLM: prompt and generation token counters per served model. */
    VLLM,
    /** NVIDIA Triton Inference Server: power (W), energy counter (J), utilization (ratio) per GPU. */
    TRITON
  }

  public Endpoint {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new IllegalArgumentException("'" + uri + "' is not an http(s) URL with a host, e.g. http://gpu-node-1:9400/metrics");
    }
  }

  /** Parses a URL given by a user; {@link IllegalArgumentException} says what is wrong with it. */
  public static Endpoint parse(Kind kind, String url) {
    try {
      return new Endpoint(kind, new URI(url.trim()));
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("'" + url + "' is not a URL: " + e.getReason());
    }
  }

  /** The host of the URL (the key of a node in the mapping file, when the exporter does not name its host). */
  public String host() {
    return uri.getHost();
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(Locale.ROOT) + " " + uri;
  }
}
