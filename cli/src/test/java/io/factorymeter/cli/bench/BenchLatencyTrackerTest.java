package io.factorymeter.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The "sample included" bookkeeping: the k-th sample of a node-window is included by a record with samples ≥ k. */
class BenchLatencyTrackerTest {

  private static final long MS = 1_000_000;
  private static final String A = "node-0001|2026-11-26T01:12:00Z";
  private static final String B = "node-0002|2026-11-26T01:12:00Z";

  @Test
  void eachSampleIsMeasuredOnceAtTheFirstRecordThatCountsIt() {
    LatencyTracker t = new LatencyTracker();
    assertEquals(1, t.sent(A, 0));
    assertEquals(2, t.sent(A, 10 * MS));
    assertEquals(1, t.sent(B, 15 * MS));
    assertEquals(3, t.sent(A, 20 * MS));

    assertEquals(2, t.seen(A, 2, 100 * MS)); // samples 1 and 2 of A: 100 ms and 90 ms
    assertEquals(0, t.seen(A, 1, 150 * MS)); // an older record (fewer samples) includes nothing new
    assertEquals(0, t.seen(A, 2, 160 * MS)); // the same count again: nothing new
    assertEquals(1, t.seen(A, 3, 220 * MS)); // sample 3: 200 ms
    assertEquals(0, t.seen("node-0003|2026-11-26T01:12:00Z", 5, 230 * MS)); // not ours
    assertEquals(4, t.sentCount());
    assertEquals(3, t.measuredCount());

    LatencyTracker.Summary s = t.summary();
    assertEquals(4, s.sent());
    assertEquals(3, s.measured());
    assertEquals(1, s.missing()); // B never appeared
    assertEquals(100.0, s.p50Ms()); // sorted 90, 100, 200: rank ceil(1.5) = 2
    assertEquals(200.0, s.p99Ms()); // rank ceil(2.97) = 3
    assertEquals(200.0, s.maxMs());
  }

  @Test
  void aCountBeyondTheSamplesSentIncludesOnlyThoseSent() {
    LatencyTracker t = new LatencyTracker();
    for (int k = 0; k < 20; k++) {
      t.sent(A, k * MS);
    }
    assertEquals(20, t.seen(A, 60, 50 * MS)); // e.g. samples of the key sent before tracking began
    assertEquals(0, t.seen(A, 61, 60 * MS));
    t.sent(A, 55 * MS);
    assertEquals(1, t.seen(A, 61, 70 * MS)); // the 21st sample: 15 ms
    LatencyTracker.Summary s = t.summary();
    assertEquals(0, s.missing());
    assertEquals(50.0 - 10, s.p50Ms()); // 50 - k for k = 0..19 and 15: sorted 15, 31..50; rank 11 = 40
    assertEquals(50.0, s.maxMs());
  }

  @Test
  void nothingMeasuredHasNoPercentiles() {
    LatencyTracker t = new LatencyTracker();
    t.sent(A, 0);
    LatencyTracker.Summary s = t.summary();
    assertEquals(1, s.missing());
    assertNull(s.p50Ms());
    assertNull(s.p99Ms());
  }
}
