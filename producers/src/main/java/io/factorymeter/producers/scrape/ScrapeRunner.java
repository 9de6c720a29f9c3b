package io.factorymeter.producers.scrape;

import io.factorymeter.producers.Pacing;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link NodeScraper} every interval on the wall clock until stopped or until a number of
 * rounds, handing each round to a listener. The first round only primes the counters; an unknown
 * host or model in it is a configuration error and stops the run, in later rounds it is logged,
 * counted and the node skipped (see {@link NodeScraper}). Rounds are due every interval from the
 * first; a round that overruns is followed at once by the next, and ticks missed entirely are skipped.
 */
public final class ScrapeRunner {

  /** Unknown hosts and models are logged under the scraper's name, with its other warnings. */
  private static final Logger SCRAPER_LOG = LoggerFactory.getLogger(NodeScraper.class);

  private final NodeScraper scraper;
  private final long intervalNanos;
  private final long maxRounds;
  private final Consumer<ScrapeRound> afterRound;
  private final AtomicBoolean stopRequested = new AtomicBoolean();
  private volatile long rounds;
  private volatile long emitted;

  /**
   * @param interval time between rounds, positive
   * @param maxRounds rounds to run, 0 for until {@link #stop()} (2 = prime, wait one interval, emit)
   * @param afterRound told every round, after it is scraped
   */
  public ScrapeRunner(NodeScraper scraper, Duration interval, long maxRounds, Consumer<ScrapeRound> afterRound) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive, got " + interval);
    }
    if (maxRounds < 0) {
      throw new IllegalArgumentException("maxRounds must be 0 (no limit) or positive, got " + maxRounds);
    }
    this.scraper = scraper;
    this.intervalNanos = interval.toNanos();
    this.maxRounds = maxRounds;
    this.afterRound = afterRound;
  }

  /**
   * Runs in the calling thread; returns the samples emitted.
   *
   * @throws ScrapeMapping.UnmappedException when the first round finds a host or model the mapping does not know
   */
  public long run() throws InterruptedException {
    long start = System.nanoTime();
    long tick = 0;
    while (!stopRequested.get() && (maxRounds == 0 || rounds < maxRounds)) {
      if (rounds > 0) {
        tick++;
        long now = System.nanoTime();
        if (now - (start + tick * intervalNanos) > intervalNanos) {
          tick = (now - start) / intervalNanos; // more than a whole interval late: skip the missed ticks
        }
        if (!Pacing.sleepUntil(start + tick * intervalNanos, stopRequested::get)) {
          break;
        }
      }
      ScrapeRound round = scraper.scrape();
      if (rounds == 0 && !round.unmapped().isEmpty()) {
        throw new ScrapeMapping.UnmappedException(round.unmapped().get(0));
      }
      round.unmapped().forEach(line -> SCRAPER_LOG.warn("{}", line));
      rounds++;
      emitted += round.samples().size();
      afterRound.accept(round);
    }
    return emitted;
  }

  /** Asks {@link #run()} to return after the round in progress (at once if it is waiting). */
  public void stop() {
    stopRequested.set(true);
  }

  /** Rounds completed. */
  public long rounds() {
    return rounds;
  }

  /** Samples emitted so far. */
  public long emitted() {
    return emitted;
  }
}
