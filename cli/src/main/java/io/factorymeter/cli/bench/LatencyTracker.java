package io.factorymeter.cli.bench;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Which sent samples a node metric record includes, and the latency of each: the time from its
 * send to the first node-metric record that includes it.
 *
 * <p>A node metric record for key {@code nodeId|windowStart} carries {@code samples}, the count of
 * distinct samples of that node-window so far. Samples of one node go to one partition from one
 * producer, in order, so the k-th sample sent for a key is the k-th the pipeline counts: it is
 * included once a record for that key with {@code samples ≥ k} is read. Thread-safe (a sending
 * thread and a reading thread).
 */
public final class LatencyTracker {

  /** The samples sent for one key and how many of them a record has included. */
  private static final class Key {
    long[] sentNanos = new long[8];
    int sent;
    int included;
  }

  private final Map<String, Key> keys = new HashMap<>();
  private long[] latencies = new long[1024];
  private int measured;
  private long sent;

  /**
   * Records that a sample for {@code key} is being sent now.
   *
   * @param sendNanos {@link System#nanoTime()} at sending
   * @return k, the sample's position among those sent for the key (from 1)
   */
  public synchronized int sent(String key, long sendNanos) {
    Key k = keys.computeIfAbsent(key, x -> new Key());
    if (k.sent == k.sentNanos.length) {
      k.sentNanos = Arrays.copyOf(k.sentNanos, k.sent * 2);
    }
    k.sentNanos[k.sent++] = sendNanos;
    sent++;
    return k.sent;
  }

  /**
   * Records a node metric record read now: every sample of the key not included before, up to the
   * {@code samples}-th, is included now (samples beyond those sent are ignored: not ours).
   *
   * @param readNanos {@link System#nanoTime()} when the record was read
   * @return how many samples this record included for the first time
   */
  public synchronized int seen(String key, long samples, long readNanos) {
    Key k = keys.get(key);
    if (k == null) {
      return 0;
    }
    int upTo = (int) Math.min(samples, k.sent);
    int newly = 0;
    for (int j = k.included; j < upTo; j++) {
      add(readNanos - k.sentNanos[j]);
      newly++;
    }
    k.included = Math.max(k.included, upTo);
    return newly;
  }

  private void add(long latencyNanos) {
    if (measured == latencies.length) {
      latencies = Arrays.copyOf(latencies, measured * 2);
    }
    latencies[measured++] = latencyNanos;
  }

  /** Samples sent so far. */
  public synchronized long sentCount() {
    return sent;
  }

  /** Samples included in a record so far. */
  public synchronized long measuredCount() {
    return measured;
  }

  /** The latencies so far: p50, p99 and max over the samples included, and how many were not. */
  public synchronized Summary summary() {
    long[] sorted = Arrays.copyOf(latencies, measured);
    Arrays.sort(sorted);
    return new Summary(sent, measured, sent - measured,
        measured == 0 ? null : Percentiles.nearestRank(sorted, 50) / 1e6,
        measured == 0 ? null : Percentiles.nearestRank(sorted, 99) / 1e6,
        measured == 0 ? null : sorted[measured - 1] / 1e6);
  }

  /**
   * Latencies from send to the first node-metric record that includes the sample.
   *
   * @param sent samples sent
   * @param measured samples included in a record read
   * @param missing samples no record included (within the wait after sending ended)
   * @param p50Ms median latency of the measured samples, milliseconds (nearest rank); null if none
   * @param p99Ms 99th percentile, milliseconds (nearest rank); null if none
   * @param maxMs largest latency measured, milliseconds; null if none
   */
  public record Summary(long sent, long measured, long missing, Double p50Ms, Double p99Ms, Double maxMs) {
  }
}
