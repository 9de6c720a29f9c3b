package io.factorymeter.app.pricing;

import io.factorymeter.app.state.UnloggedStoreBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Every version of one kind of price (SPEC §2: tariffs by site, GPU rates by GPU model), each
 * valid from its effectiveFrom until the next version of the same key: a persistent (RocksDB)
 * key-value store keyed by {@link PriceVersionKey} (key, then effectiveFrom), so "the version in
 * effect at t" is the last entry of the key at or before t.
 *
 * <p>History is bounded by the number of versions per key ({@code maxVersions}), never by time:
 * when a key has more, its oldest versions are dropped and {@link #put} says which. A version that
 * ends a key's price (a tombstone on the price topic) is an entry with an empty value and counts
 * as a version.
 *
 * <p>Written by the global stream thread only (through {@link PriceUpdate}); read by every stream
 * thread. {@link #generation()} changes with every write, so readers can keep a cache (see
 * {@link PriceLookup}) and drop it when the history changed.
 */
public final class PriceVersionStore implements StateStore {

  /** The value of a version that ends the key's price. */
  static final byte[] ENDED = new byte[0];

  /**
   * The version in effect at an instant: valid for {@code [from, until)}, with the price's bytes,
   * or null when no price is in effect (before the key's first version, or after a version that
   * ended its price). {@code from} is {@link Long#MIN_VALUE} before the first version and
   * {@code until} is {@link Long#MAX_VALUE} after the last.
   */
  public record Version(long from, long until, byte[] value) {
    /** Whether {@code epochMs} lies in {@code [from, until)}. */
    public boolean covers(long epochMs) {
      return from <= epochMs && epochMs < until;
    }
  }

  private final String name;
  private final int maxVersions;
  private final KeyValueStore<Bytes, byte[]> versions;
  /** Versions per key, counted on the first write of the key (writer thread only). */
  private final Map<String, Integer> counts = new HashMap<>();
  private final AtomicLong generation = new AtomicLong();

  PriceVersionStore(String name, int maxVersions, KeyValueStore<Bytes, byte[]> versions) {
    if (maxVersions < 1) {
      throw new IllegalArgumentException("maxVersions must be at least 1, got " + maxVersions);
    }
    this.name = name;
    this.maxVersions = maxVersions;
    this.versions = versions;
  }

  /** A builder of the store for {@code StreamsBuilder#addGlobalStore}: persistent, never logged (the price topic is its source). */
  public static StoreBuilder<PriceVersionStore> builder(String name, int maxVersions) {
    return new Builder(name, maxVersions);
  }

  /**
   * Stores {@code value} as {@code key}'s version from {@code effectiveFromMs}, replacing a version
   * from the same instant; then, if the key has more than {@code maxVersions} versions, drops the
   * oldest.
   *
   * @param value the price's bytes, or {@link #ENDED} for a version that ends the key's price
   * @return the effectiveFrom of each version dropped, oldest first (possibly the one just stored,
   *     when it is older than all others); empty when none was
   */
  public List<Long> put(String key, long effectiveFromMs, byte[] value) {
    Bytes storeKey = PriceVersionKey.of(key, effectiveFromMs);
    int count = count(key);
    boolean added = versions.get(storeKey) == null;
    versions.put(storeKey, value);
    List<Long> dropped = new ArrayList<>();
    if (added) {
      count++;
      while (count > maxVersions) {
        dropped.add(dropOldest(key));
        count--;
      }
      counts.put(key, count);
    }
    generation.incrementAndGet();
    return dropped;
  }

  /** The version of {@code key} in effect at {@code epochMs} (see {@link Version}); never null. */
  public Version versionAt(String key, long epochMs) {
    long from = Long.MIN_VALUE;
    byte[] value = null;
    try (KeyValueIterator<Bytes, byte[]> before = versions.reverseRange(PriceVersionKey.first(key),
        PriceVersionKey.of(key, epochMs))) {
      if (before.hasNext()) {
        KeyValue<Bytes, byte[]> v = before.next();
        from = PriceVersionKey.effectiveFrom(v.key);
        value = v.value.length == 0 ? null : v.value;
      }
    }
    long until = Long.MAX_VALUE;
    if (epochMs < Long.MAX_VALUE) {
      try (KeyValueIterator<Bytes, byte[]> after = versions.range(PriceVersionKey.of(key, epochMs + 1),
          PriceVersionKey.last(key))) {
        if (after.hasNext()) {
          until = PriceVersionKey.effectiveFrom(after.next().key);
        }
      }
    }
    return new Version(from, until, value);
  }

  /** How many versions {@code key} has. */
  public int versionCount(String key) {
    return count(key);
  }

  /** The most versions kept per key. */
  public int maxVersions() {
    return maxVersions;
  }

  /** A number that changes whenever the store is written. */
  public long generation() {
    return generation.get();
  }

  private int count(String key) {
    Integer known = counts.get(key);
    if (known != null) {
      return known;
    }
    int n = 0;
    try (KeyValueIterator<Bytes, byte[]> all = versions.range(PriceVersionKey.first(key), PriceVersionKey.last(key))) {
      while (all.hasNext()) {
        all.next();
        n++;
      }
    }
    counts.put(key, n);
    return n;
  }

  private long dropOldest(String key) {
    Bytes oldest;
    try (KeyValueIterator<Bytes, byte[]> all = versions.range(PriceVersionKey.first(key), PriceVersionKey.last(key))) {
      oldest = all.next().key;
    }
    versions.delete(oldest);
    return PriceVersionKey.effectiveFrom(oldest);
  }

  // --- StateStore: everything else is the RocksDB store's ------------------------------------------

  @Override
  public String name() {
    return name;
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    versions.init(context, root);
  }

  @Override
  @SuppressWarnings("deprecation")
  public void flush() {
    versions.flush();
  }

  @Override
  public void commit(Map<TopicPartition, Long> changelogOffsets) {
    versions.commit(changelogOffsets);
  }

  @Override
  public Long committedOffset(TopicPartition partition) {
    return versions.committedOffset(partition);
  }

  @Override
  public boolean managesOffsets() {
    return versions.managesOffsets();
  }

  @Override
  public void close() {
    counts.clear();
    versions.close();
  }

  @Override
  public boolean persistent() {
    return versions.persistent();
  }

  @Override
  public boolean isOpen() {
    return versions.isOpen();
  }

  @Override
  public Position getPosition() {
    return versions.getPosition();
  }

  /** Builds a {@link PriceVersionStore} on a RocksDB key-value store of the same name. */
  private static final class Builder extends UnloggedStoreBuilder<PriceVersionStore> {
    private final String name;
    private final int maxVersions;

    Builder(String name, int maxVersions) {
      super(name, "A price version store is restored from its price topic, never from a changelog");
      this.name = name;
      this.maxVersions = maxVersions;
    }

    @Override
    public PriceVersionStore build() {
      return new PriceVersionStore(name, maxVersions, Stores.persistentKeyValueStore(name).get());
    }
  }
}
