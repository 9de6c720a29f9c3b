package io.factorymeter.producers.scrape;

import io.factorymeter.schema.NodeSample;
import java.time.Instant;
import java.util.List;

/**
 * The outcome of one round of scrapes.
 *
 * @param at when the round started: the end of the samples' intervals, and the start of the next ones
 * @param samples one per node whose interval ended now, in nodeId order
 * @param failures one line per endpoint that failed (HTTP error, timeout, unparsable) or node that
 *     could not make a sample; those nodes were skipped and their next sample covers this interval too
 * @param unmapped one line per endpoint that reported a host or model the mapping file does not know
 * @param stale nodeIds whose GPU energy counters had not moved since the last round: their exporter
 *     had not refreshed its values yet (dcgm-exporter refreshes every 30 s by default), so they have
 *     no sample this round and their next one covers this interval too
 */
public record ScrapeRound(Instant at, List<NodeSample> samples, List<String> failures, List<String> unmapped, List<String> stale) {

  public ScrapeRound {
    samples = List.copyOf(samples);
    failures = List.copyOf(failures);
    unmapped = List.copyOf(unmapped);
    stale = List.copyOf(stale);
  }

  /** A round without stale nodes. */
  public ScrapeRound(Instant at, List<NodeSample> samples, List<String> failures, List<String> unmapped) {
    this(at, samples, failures, unmapped, List.of());
  }
}
