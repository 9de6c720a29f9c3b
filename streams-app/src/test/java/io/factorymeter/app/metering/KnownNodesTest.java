package io.factorymeter.app.metering;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SPEC §4 nodesKnown per input partition: the per-node reports and the count per window, with expected counts worked out by hand. */
class KnownNodesTest {

  private static final long MINUTE = 60_000;
  /** A horizon of 10 windows of 1 min: a report in window w counts in the windows w .. w + 9 min. */
  private static final long HORIZON = 10 * MINUTE;

  private KeyValueStore<String, NodeReports> nodeStore;
  private KeyValueStore<String, Long> progressStore;

  private static long at(String hhmm) {
    return Instant.parse("2026-11-26T" + hhmm + ":00Z").toEpochMilli();
  }

  @BeforeEach
  void open() {
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    nodeStore = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(KnownNodes.NODE_STORE), Serdes.String(),
        new NodeReports.Serde()).withLoggingDisabled().build();
    nodeStore.init(context.getStateStoreContext(), nodeStore);
    progressStore = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(KnownNodes.PROGRESS_STORE), Serdes.String(),
        Serdes.Long()).withLoggingDisabled().build();
    progressStore.init(context.getStateStoreContext(), progressStore);
  }

  /** {window → {cluster → count}} for windows from .. to (inclusive) with the same counts. */
  private static void expect(SortedMap<Long, SortedMap<String, Integer>> into, String from, String to, Map<String, Integer> counts) {
    for (long w = at(from); w <= at(to); w += MINUTE) {
      into.put(w, new TreeMap<>(counts));
    }
  }

  /**
   * a (c1) reported in 10:00 and 10:05, b (c1) in 10:00, c (c2) in 10:30. Horizon 10 min:
   * a is known in 10:00 .. 10:14 (the union of 10:00 .. 10:09 and 10:05 .. 10:14, once per window),
   * b in 10:00 .. 10:09, c from 10:30, after the windows counted (up to 10:20).
   */
  @Test
  void aNodeIsKnownInTheWindowsOfTheHorizonAfterEachReportOncePerWindow() {
    NodeReports a = NodeReports.of(at("10:00"), "c1").with(at("10:05"), "c1");
    NodeReports b = NodeReports.of(at("10:00"), "c1");
    NodeReports c = NodeReports.of(at("10:30"), "c2");
    SortedMap<Long, SortedMap<String, Integer>> expected = new TreeMap<>();
    expect(expected, "10:00", "10:09", Map.of("c1", 2));
    expect(expected, "10:10", "10:14", Map.of("c1", 1));
    assertEquals(expected, KnownNodes.count(List.of(a, b, c), at("09:59"), at("10:20"), MINUTE, HORIZON));

    // only the windows after the last counted (10:07): 10:08, 10:09 with both, 10:10 .. 10:14 with a
    SortedMap<Long, SortedMap<String, Integer>> rest = new TreeMap<>();
    expect(rest, "10:08", "10:09", Map.of("c1", 2));
    expect(rest, "10:10", "10:14", Map.of("c1", 1));
    assertEquals(rest, KnownNodes.count(List.of(a, b, c), at("10:07"), at("10:20"), MINUTE, HORIZON));
    // nothing counted before any count (Long.MIN_VALUE): from each node's first report
    assertEquals(expected, KnownNodes.count(List.of(a, b, c), Long.MIN_VALUE, at("10:20"), MINUTE, HORIZON));
    // a horizon of one window: a node is known only where it reported
    SortedMap<Long, SortedMap<String, Integer>> own = new TreeMap<>();
    expect(own, "10:00", "10:00", Map.of("c1", 2));
    expect(own, "10:05", "10:05", Map.of("c1", 1));
    expect(own, "10:30", "10:30", Map.of("c2", 1));
    assertEquals(own, KnownNodes.count(List.of(a, b, c), Long.MIN_VALUE, at("10:40"), MINUTE, MINUTE));
  }

  /** A node is counted in the cluster of its latest report, in every window. */
  @Test
  void aNodeCountsInTheClusterOfItsLatestReport() {
    NodeReports moved = NodeReports.of(at("10:00"), "c1").with(at("10:02"), "c2");
    assertEquals("c2", moved.clusterId());
    assertEquals("c2", moved.with(at("10:01"), "c3").clusterId(), "an earlier window does not change the cluster");
    SortedMap<Long, SortedMap<String, Integer>> expected = new TreeMap<>();
    expect(expected, "10:00", "10:11", Map.of("c2", 1));
    assertEquals(expected, KnownNodes.count(List.of(moved), Long.MIN_VALUE, at("10:30"), MINUTE, HORIZON));
  }

  /**
   * Counts once per window across a restart: what {@link KnownNodes} wrote back at the commit is
   * what a new instance (after a restart) reads; it counts only the windows after the last one
   * counted, and forgets the reports no later window needs.
   */
  @Test
  void eachWindowIsCountedOnceAlsoAfterARestart() {
    KnownNodes known = new KnownNodes(nodeStore, progressStore, MINUTE, HORIZON);
    known.reported("a", at("10:00"), "c1");
    known.reported("b", at("10:00"), "c1");
    SortedMap<Long, SortedMap<String, Integer>> first = new TreeMap<>();
    expect(first, "10:00", "10:02", Map.of("c1", 2));
    assertEquals(first, known.countUpTo(at("10:02")));
    known.writeBack();   // the commit

    KnownNodes restarted = new KnownNodes(nodeStore, progressStore, MINUTE, HORIZON);
    assertEquals(at("10:02"), restarted.countedUpTo());
    assertTrue(restarted.countUpTo(at("10:02")).isEmpty(), "10:00 .. 10:02 are counted already");
    restarted.reported("a", at("10:05"), "c1");
    SortedMap<Long, SortedMap<String, Integer>> next = new TreeMap<>();
    expect(next, "10:03", "10:09", Map.of("c1", 2));
    expect(next, "10:10", "10:14", Map.of("c1", 1));
    assertEquals(next, restarted.countUpTo(at("10:30")));
    restarted.writeBack();
    // windows after 10:30 need reports from 10:22 on (10:31 − 10 min + 1): none is left
    assertNull(nodeStore.get("a"));
    assertNull(nodeStore.get("b"));
    assertEquals(at("10:30"), progressStore.get("counted-up-to"));
    assertTrue(new KnownNodes(nodeStore, progressStore, MINUTE, HORIZON).countUpTo(at("11:00")).isEmpty());
  }

  /** A report is kept while a window still to be counted needs it: up to H − window after it. */
  @Test
  void reportsAreKeptWhileAWindowStillNeedsThem() {
    KnownNodes known = new KnownNodes(nodeStore, progressStore, MINUTE, HORIZON);
    known.reported("a", at("10:00"), "c1");
    known.reported("a", at("10:04"), "c1");
    known.countUpTo(at("10:08"));   // 10:09 still needs 10:00, and 10:13 needs 10:04
    known.writeBack();
    assertArrayEquals(new long[] {at("10:00"), at("10:04")}, nodeStore.get("a").windowStarts());
    known.countUpTo(at("10:09"));   // 10:00 is needed no more
    known.writeBack();
    assertArrayEquals(new long[] {at("10:04")}, nodeStore.get("a").windowStarts());
  }

  @Test
  void nodeReportsKeepTheirWindowsSortedAndRoundTripThroughTheirSerde() {
    NodeReports r = NodeReports.of(at("10:05"), "c1").with(at("10:00"), "c0").with(at("10:07"), "c2");
    assertArrayEquals(new long[] {at("10:00"), at("10:05"), at("10:07")}, r.windowStarts());
    assertEquals("c2", r.clusterId());
    assertSame(r, r.with(at("10:05"), "c1"), "a window already held, not the latest: unchanged");
    assertSame(r, r.since(at("09:00")));
    assertArrayEquals(new long[] {at("10:07")}, r.since(at("10:06")).windowStarts());
    assertNull(r.since(at("10:08")));

    NodeReports.Serde serde = new NodeReports.Serde();
    byte[] bytes = serde.serialize("t", r);
    // version 1 + cluster (2 + 2) + count 4 + first start 8 + two gaps of 4 (300 s, 120 s)
    assertEquals(1 + 4 + 4 + 8 + 4 + 4, bytes.length);
    assertEquals(r, serde.deserialize("t", bytes));
  }
}
