package io.factorymeter.producers.scrape;

import io.factorymeter.schema.NodeSample;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scrapes dcgm-exporter, vLLM and Triton endpoints, all at once, and turns each round into one
 * NodeSample per node: timestamp = the node's previous successful round, intervalMs = the time
 * since then (see {@link NodeState} for the fields and their units). GPUs of a node come from
 * dcgm-exporter when it reports them, else from Triton; tokens come from vLLM.
 *
 * <p>A round is all or nothing per node: when an endpoint that feeds a node fails (HTTP error,
 * timeout, unparsable text, impossible value) or names a host or model the mapping does not
 * know, the node is skipped, one line is logged and counted, and nothing of the node is
 * forgotten, so its next sample covers the skipped interval too. A dcgm-exporter endpoint feeds
 * the nodes it reported in its last successful scrape. The other nodes go on.
 */
public final class NodeScraper {

  private static final Logger LOG = LoggerFactory.getLogger(NodeScraper.class);

  private final List<Endpoint> endpoints;
  private final ScrapeMapping mapping;
  private final MetricsFetcher fetcher;
  private final Clock clock;
  private final Map<String, NodeState> states = new HashMap<>();
  private final Map<Endpoint, Set<String>> lastFed = new HashMap<>();
  private final AtomicLong failures = new AtomicLong();

  /** @param clock the time of each round (truncated to milliseconds): the samples' timestamps come from it */
  public NodeScraper(List<Endpoint> endpoints, ScrapeMapping mapping, MetricsFetcher fetcher, Clock clock) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("no endpoints to scrape");
    }
    this.endpoints = List.copyOf(endpoints);
    this.mapping = mapping;
    this.fetcher = fetcher;
    this.clock = clock;
  }

  /** Scrapes every endpoint once and returns the samples of the intervals that end now. */
  public ScrapeRound scrape() {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    Map<Endpoint, CompletableFuture<String>> bodies = new LinkedHashMap<>();
    for (Endpoint e : endpoints) {
      CompletableFuture<String> f;
      try {
        f = fetcher.fetch(e.uri());
      } catch (RuntimeException x) {
        f = CompletableFuture.failedFuture(x);
      }
      bodies.put(e, f);
    }
    Map<String, NodeReading> readings = new TreeMap<>();
    Set<String> skipped = new TreeSet<>();
    List<String> failed = new ArrayList<>();
    List<String> unmapped = new ArrayList<>();
    bodies.forEach((e, body) -> {
      try {
        Map<String, NodeReading> r = read(e, PrometheusText.parse(body.join()));
        lastFed.put(e, r.keySet());
        r.forEach((nodeId, reading) -> readings.merge(nodeId, reading, (a, b) -> {
          a.absorb(b);
          return a;
        }));
      } catch (ScrapeMapping.UnmappedException x) {
        unmapped.add(e + ": " + x.getMessage());
        skipped.addAll(nodesOf(e));
      } catch (CompletionException | IllegalArgumentException x) {
        Set<String> nodes = nodesOf(e);
        failed.add(e + " failed: " + describe(x) + (nodes.isEmpty() ? "" : "; skipping node(s) " + String.join(", ", nodes)));
        skipped.addAll(nodes);
      }
    });
    List<NodeSample> samples = new ArrayList<>();
    List<String> stale = new ArrayList<>();
    readings.forEach((nodeId, reading) -> {
      if (skipped.contains(nodeId)) {
        return;
      }
      try {
        NodeState state = states.computeIfAbsent(nodeId, NodeState::new);
        NodeSample s = state.advance(now, reading);
        if (s != null) {
          samples.add(s);
        } else if (state.stale()) {
          stale.add(nodeId);
        }
      } catch (IllegalStateException x) {
        failed.add("node " + nodeId + " skipped: " + x.getMessage());
      }
    });
    failed.forEach(line -> LOG.warn("{}", line));
    failures.addAndGet(failed.size() + unmapped.size());
    return new ScrapeRound(now, samples, failed, unmapped, stale);
  }

  /** Failures so far: endpoints that failed or named an unknown host or model, and nodes that could not make a sample. */
  public long failures() {
    return failures.get();
  }

  private Map<String, NodeReading> read(Endpoint e, List<PrometheusSample> samples) {
    return switch (e.kind()) {
      case DCGM -> DcgmMetrics.read(e, samples, mapping);
      case VLLM -> VllmMetrics.read(e, samples, mapping);
      case TRITON -> TritonMetrics.read(e, samples, mapping);
    };
  }

  /**
   * The nodes an endpoint feeds: the nodes of its last good scrape (dcgm-exporter names them by
   * its Hostname label), else its host's node.
   */
  private Set<String> nodesOf(Endpoint e) {
    Set<String> fed = lastFed.get(e);
    if (fed != null) {
      return new TreeSet<>(fed);
    }
    try {
      return new TreeSet<>(Set.of(mapping.node(e.host()).nodeId()));
    } catch (ScrapeMapping.UnmappedException x) {
      return new TreeSet<>(); // a dcgm-exporter reached by an address the mapping does not list, never scraped yet
    }
  }

  private static String describe(Throwable x) {
    Throwable t = x instanceof CompletionException && x.getCause() != null ? x.getCause() : x;
    if (t instanceof HttpTimeoutException) {
      return "timed out";
    }
    if (t instanceof ConnectException && (t.getMessage() == null || t.getMessage().isBlank())) {
      return "could not connect";
    }
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m.replace('\n', ' ');
  }
}
