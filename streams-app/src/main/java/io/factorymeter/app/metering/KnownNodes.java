package io.factorymeter.app.metering;

import io.factorymeter.app.state.WriteBehindStore;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * SPEC §4 {@code nodesKnown} of one input partition: for a window [s, e), the distinct nodes that
 * reported within the trailing horizon H ({@code factory.meter.nodes.known.horizon}, 1 h), that is
 * with a sample on time for metrics in [e − H, e), each counted in the cluster of its latest
 * sample. H is a whole number of windows, so a node is known in a window exactly when it reported
 * in one of the H / window windows ending with it.
 *
 * <p>{@link PartitionSums} tells this class each node window it settles ({@link #reported}): a
 * window is settled once, when the partition's stream time passes its end + grace, and no sample
 * on time for metrics comes for it after that. When it settles windows up to some start, it asks
 * for the counts of every window not counted yet up to there ({@link #countUpTo}): each window's
 * counts are taken once, when every report they depend on is in, so they depend only on the
 * partition's records and never on flush timing. A node is on one input partition (key nodeId), so
 * the partitions' counts add up to the cluster's and the fleet's.
 *
 * <p>Kept per node: the windows it reported in that a window still to be counted needs
 * ({@link NodeReports}; at most H / window of them), and the last window counted; both in logged
 * stores written at each commit ({@link WriteBehindStore}), so a restart neither counts a window
 * twice nor skips one.
 */
final class KnownNodes {

  static final String NODE_STORE = "known-nodes";
  static final String PROGRESS_STORE = "known-nodes-counted";
  private static final String COUNTED_UP_TO = "counted-up-to";

  private final long windowMs;
  private final long horizonMs;
  /** Per nodeId. */
  private final WriteBehindStore<NodeReports> nodes;
  /** {@link #COUNTED_UP_TO}: windows starting at or before it are counted. */
  private final WriteBehindStore<Long> progress;

  /**
   * @param windowMs metric window length, ms
   * @param horizonMs the trailing horizon H, ms, a whole number of windows
   */
  KnownNodes(KeyValueStore<String, NodeReports> nodeStore, KeyValueStore<String, Long> progressStore, long windowMs,
      long horizonMs) {
    this.windowMs = windowMs;
    this.horizonMs = horizonMs;
    this.nodes = new WriteBehindStore<>(nodeStore);
    this.progress = new WriteBehindStore<>(progressStore);
  }

  /** The stores, logged, without Kafka Streams' record cache: {@link #writeBack} writes them at each commit. */
  static List<StoreBuilder<?>> stores() {
    return List.of(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(NODE_STORE), Serdes.String(), new NodeReports.Serde())
            .withCachingDisabled(),
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PROGRESS_STORE), Serdes.String(), Serdes.Long())
            .withCachingDisabled());
  }

  /** Writes what changed since the last commit to the stores: the task is about to commit. */
  void writeBack() {
    nodes.writeBack();
    progress.writeBack();
  }

  /**
   * Node {@code nodeId} reported in the window starting at {@code windowStart} (a node window the
   * partition has just settled), its latest sample there of cluster {@code clusterId}.
   */
  void reported(String nodeId, long windowStart, String clusterId) {
    nodes.update(nodeId, r -> r == null ? NodeReports.of(windowStart, clusterId) : r.with(windowStart, clusterId));
  }

  /** Start of the last window counted, epoch ms; Long.MIN_VALUE before the first count. */
  long countedUpTo() {
    Long counted = progress.get(COUNTED_UP_TO);
    return counted == null ? Long.MIN_VALUE : counted;
  }

  /**
   * The nodes known per window and cluster, for every window after the last one counted up to the
   * one starting at {@code upTo} (windows that know no node left out); then forgets the reports no
   * later window needs. Each window is counted once, also across restarts.
   *
   * @param upTo start of the last window the partition has settled, epoch ms
   * @return window start → clusterId → nodes known, sorted
   */
  SortedMap<Long, SortedMap<String, Integer>> countUpTo(long upTo) {
    long after = countedUpTo();
    if (upTo <= after) {
      return new TreeMap<>();
    }
    List<NodeReports> all = new ArrayList<>(nodes.size());
    for (KeyValue<String, NodeReports> kv : nodes.entries(key -> true)) {
      all.add(kv.value);
    }
    SortedMap<Long, SortedMap<String, Integer>> counts = count(all, after, upTo, windowMs, horizonMs);
    progress.put(COUNTED_UP_TO, upTo);
    // a report in window w counts in the windows starting in [w, w + H − window]: those after upTo still need it
    long oldestNeeded = upTo + 2 * windowMs - horizonMs;
    for (KeyValue<String, NodeReports> kv : nodes.entries(key -> true)) {
      NodeReports kept = kv.value.since(oldestNeeded);
      if (kept == null) {
        nodes.delete(kv.key);
      } else if (kept != kv.value) {
        nodes.put(kv.key, kept);
      }
    }
    return counts;
  }

  /**
   * Counts, for each window starting after {@code after} and at or before {@code upTo}, the nodes
   * with a report in one of the H / window windows ending with it, per cluster: a report in the
   * window starting at w counts in the windows starting in [w, w + H − window]. Work in proportion
   * to the windows counted per node, never to an idle stretch of event time.
   *
   * @param after start of the last window counted before, epoch ms (Long.MIN_VALUE: none)
   * @param upTo start of the last window to count, epoch ms
   * @return window start → clusterId → nodes known, sorted; windows without a known node left out
   */
  static SortedMap<Long, SortedMap<String, Integer>> count(Iterable<NodeReports> reports, long after, long upTo,
      long windowMs, long horizonMs) {
    SortedMap<Long, SortedMap<String, Integer>> counts = new TreeMap<>();
    for (NodeReports node : reports) {
      // the first window not counted for this node yet: a node counts once per window
      long next = after == Long.MIN_VALUE ? Long.MIN_VALUE : after + windowMs;
      for (long reportedIn : node.windowStarts()) {
        long last = Math.min(reportedIn + horizonMs - windowMs, upTo);
        for (long window = Math.max(reportedIn, next); window <= last; window += windowMs) {
          counts.computeIfAbsent(window, w -> new TreeMap<>()).merge(node.clusterId(), 1, Integer::sum);
        }
        next = Math.max(next, last + windowMs);
      }
    }
    return counts;
  }
}
