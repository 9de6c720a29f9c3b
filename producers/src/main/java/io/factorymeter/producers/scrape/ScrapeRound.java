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
 */
public record ScrapeRound(Instant at, List<NodeSample> samples, List<String> failures, List<String> unmapped) {

  public ScrapeRound {
    samples = List.copyOf(samples);
    failures = List.copyOf(failures);
    unmapped = List.copyOf(unmapped);
  }
}
