package io.factorymeter.app.rollup;

import java.util.Arrays;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The stream time each input partition last reported to a rollup task, and the watermark: the
 * smallest of them. Events of one input partition reach a rollup partition in the order they were
 * sent, so once the watermark has passed a time, every event stamped before it by any partition
 * has arrived. Kept in a state store (changelogged), read once into memory.
 */
public final class PartitionWatermarks {

  private static final String PARTITION = "partition-";

  private final KeyValueStore<String, Long> store;
  private final long[] times;

  /**
   * @param store the task's store (see {@link #storeBuilder})
   * @param inputPartitions partitions of the input topic
   */
  public PartitionWatermarks(KeyValueStore<String, Long> store, int inputPartitions) {
    this.store = store;
    this.times = new long[inputPartitions];
    Arrays.fill(times, Long.MIN_VALUE);
    for (int p = 0; p < inputPartitions; p++) {
      Long t = store.get(PARTITION + p);
      if (t != null) {
        times[p] = t;
      }
    }
  }

  /** A key-value store for the stream times (and other longs the task keeps). */
  public static StoreBuilder<KeyValueStore<String, Long>> storeBuilder(String name) {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.Long()).withCachingEnabled();
  }

  /** Takes the event's stream time into account; returns whether the watermark may have moved. */
  public boolean observe(RollupEvent event) {
    int p = event.sourcePartition();
    if (p < 0 || p >= times.length || event.sourceStreamTime() <= times[p]) {
      return false;
    }
    times[p] = event.sourceStreamTime();
    store.put(PARTITION + p, event.sourceStreamTime());
    return true;
  }

  /** The smallest stream time over all input partitions, epoch ms; Long.MIN_VALUE while one has not reported. */
  public long watermark() {
    long min = Long.MAX_VALUE;
    for (long t : times) {
      if (t == Long.MIN_VALUE) {
        return Long.MIN_VALUE;
      }
      min = Math.min(min, t);
    }
    return min;
  }

  /** The largest stream time any input partition reported, epoch ms; Long.MIN_VALUE while none has. */
  public long latest() {
    long max = Long.MIN_VALUE;
    for (long t : times) {
      max = Math.max(max, t);
    }
    return max;
  }

  /** Another long the task keeps in the same store, or Long.MIN_VALUE. */
  public long stored(String key) {
    Long v = store.get(key);
    return v == null ? Long.MIN_VALUE : v;
  }

  public void store(String key, long value) {
    store.put(key, value);
  }

  /** The other longs kept with keys from {@code from} to {@code to} (inclusive), in key order; close it. */
  public KeyValueIterator<String, Long> range(String from, String to) {
    return store.range(from, to);
  }
}
