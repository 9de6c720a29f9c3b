package io.factorymeter.app.pricing;

import io.factorymeter.app.state.UnloggedStoreBuilder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListSet;
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
 * key-value store keyed by {@link PriceVersionKey} (key, then effectiveFrom, then anchor), so "the
 * version in effect at t" is the last entry of the key at or before t.
 *
 * <p>Bitemporal (SPEC §2a corrections): a version's anchor is when it became known (publishedAt,
 * else effectiveFrom). A correction that replaces a version (same effectiveFrom) is stored beside
 * it, not over it, so billing can still price as of a batch close before the correction's anchor
 * ({@link #versionAt(String, long, Visible)}); the intake reads what was known at its stream time. Every stored version also gets a change log entry, keyed by its
 * topic partition and offset, so billing finds the versions that arrived since it last looked
 * ({@link #publishedAfter}); rebuilt identically when the store is rebuilt from its topic.
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
  /** The anchors of the corrections stored (anchor after effectiveFrom); read by every stream thread. */
  private final NavigableSet<Long> correctionAnchors = new ConcurrentSkipListSet<>();

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
   * A version as published on the topic at {@code partition}/{@code offset}: the change log entry
   * that tells billing a version arrived (see {@link #publishedAfter}).
   *
   * @param anchor when the version became known, epoch ms: its publishedAt, else its effectiveFrom
   */
  public record Published(int partition, long offset, String key, long effectiveFrom, long anchor) {
  }

  /**
   * Stores {@code value} as {@code key}'s version from {@code effectiveFromMs}, known from
   * {@code anchorMs} (replacing a version with the same effectiveFrom and anchor, and keeping those
   * with other anchors: the store is bitemporal, see {@link #versionAt(String, long, Visible)}),
   * and a change log entry under {@code partition}/{@code offset} (none when partition &lt; 0); then,
   * if the key has more than {@code maxVersions} versions, drops the oldest.
   *
   * @param value the price's bytes, or {@link #ENDED} for a version that ends the key's price
   * @return the effectiveFrom of each version dropped, oldest first (possibly the one just stored,
   *     when it is older than all others); empty when none was
   */
  public List<Long> put(String key, long effectiveFromMs, long anchorMs, byte[] value, int partition, long offset) {
    Bytes storeKey = PriceVersionKey.of(key, effectiveFromMs, anchorMs);
    int count = count(key);
    boolean added = versions.get(storeKey) == null;
    versions.put(storeKey, value);
    if (anchorMs > effectiveFromMs) {
      correctionAnchors.add(anchorMs);
    }
    if (partition >= 0) {
      byte[] k = key.getBytes(StandardCharsets.UTF_8);
      versions.put(logKey(partition, offset), ByteBuffer.allocate(2 * Long.BYTES + k.length)
          .putLong(effectiveFromMs).putLong(anchorMs).put(k).array());
    }
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

  /** Which versions a reader sees, by their effectiveFrom and anchor (epoch ms). */
  @FunctionalInterface
  public interface Visible {
    boolean test(long effectiveFrom, long anchor);
  }

  /**
   * The version of {@code key} in effect at {@code epochMs} as far as anything is known (see
   * {@link Version}): of the versions with the latest effectiveFrom at or before it, the one with
   * the latest anchor. Never null.
   */
  public Version versionAt(String key, long epochMs) {
    return versionAt(key, epochMs, (effectiveFrom, anchor) -> true);
  }

  /**
   * The version of {@code key} in effect at {@code epochMs} as known at a stream time whose
   * {@link #epochAt epoch} is {@code epoch}: every version known before it took effect (anchor ≤
   * effectiveFrom), and the corrections (anchor &gt; effectiveFrom) with an anchor at or before the
   * epoch. For a sample at or before that stream time this is exactly "the versions whose anchor is
   * at or before the stream time": a version in effect at the sample's timestamp that was known
   * before it took effect was known by then. Never null.
   */
  public Version versionAt(String key, long epochMs, long epoch) {
    return versionAt(key, epochMs, (effectiveFrom, anchor) -> anchor <= effectiveFrom || anchor <= epoch);
  }

  /**
   * The version of {@code key} in effect at {@code epochMs} for a reader who sees the versions
   * {@code visible} accepts (the intake at a stream time, billing as of a batch close: SPEC §2a
   * corrections): of those with the latest effectiveFrom at or before it, the one with the latest
   * anchor. A version not visible that splits an older one leaves the older in effect; one that
   * replaces a version (same effectiveFrom) leaves the replaced one in effect. {@code until} is the
   * next effectiveFrom of any version (the answer is the same up to it). Never null.
   */
  public Version versionAt(String key, long epochMs, Visible visible) {
    long from = Long.MIN_VALUE;
    byte[] value = null;
    try (KeyValueIterator<Bytes, byte[]> before = versions.reverseRange(PriceVersionKey.first(key),
        PriceVersionKey.lastOf(key, epochMs))) {
      while (before.hasNext()) {
        KeyValue<Bytes, byte[]> v = before.next();
        long effectiveFrom = PriceVersionKey.effectiveFrom(v.key);
        if (visible.test(effectiveFrom, PriceVersionKey.anchor(v.key))) {
          from = effectiveFrom;
          value = v.value.length == 0 ? null : v.value;
          break;
        }
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

  /**
   * The latest anchor of a correction (a version whose anchor is after its effectiveFrom) at or
   * before {@code streamTime}, or Long.MIN_VALUE: two stream times with the same epoch see the same
   * versions ({@link #versionAt(String, long, long)}).
   */
  public long epochAt(long streamTime) {
    if (correctionAnchors.isEmpty()) {
      return Long.MIN_VALUE;
    }
    Long floor = correctionAnchors.floor(streamTime);
    return floor == null ? Long.MIN_VALUE : floor;
  }

  /**
   * The latest anchor of {@code key}'s versions taking effect at {@code effectiveFromMs}, or
   * {@code effectiveFromMs} when there is none later: a tombstone takes it, so that it ends every
   * version of that instant known so far, corrections included.
   */
  public long latestAnchor(String key, long effectiveFromMs) {
    try (KeyValueIterator<Bytes, byte[]> same = versions.reverseRange(PriceVersionKey.of(key, effectiveFromMs),
        PriceVersionKey.lastOf(key, effectiveFromMs))) {
      return same.hasNext() ? Math.max(effectiveFromMs, PriceVersionKey.anchor(same.next().key)) : effectiveFromMs;
    }
  }

  /**
   * The change log entries of versions stored after those {@code seen} names (per topic partition,
   * the last offset seen; a partition not named: none seen), in order of partition and offset;
   * versions dropped since (beyond {@code maxVersions}) are left out. The log keeps an entry per
   * record of the topic, as the topic does (10 years of history).
   */
  public List<Published> publishedAfter(Map<Integer, Long> seen) {
    List<Published> found = new ArrayList<>();
    Bytes from = logKey(0, seen.getOrDefault(0, -1L) + 1);
    boolean more = true;
    while (more) {
      more = false;
      try (KeyValueIterator<Bytes, byte[]> log = versions.range(from, LOG_END)) {
        while (log.hasNext()) {
          KeyValue<Bytes, byte[]> e = log.next();
          ByteBuffer k = ByteBuffer.wrap(e.key.get(), 1, Integer.BYTES + Long.BYTES);
          int partition = k.getInt();
          long offset = k.getLong() ^ Long.MIN_VALUE;
          long next = seen.getOrDefault(partition, -1L) + 1;
          if (offset < next) {
            from = logKey(partition, next);   // skip what was seen of this partition
            more = true;
            break;
          }
          Published p = published(partition, offset, e.value);
          if (versions.get(PriceVersionKey.of(p.key(), p.effectiveFrom(), p.anchor())) != null) {   // not dropped since (maxVersions)
            found.add(p);
          }
        }
      }
    }
    return found;
  }

  /** Change log keys sort after every version key, whose first byte (of the key's length) is 0. */
  private static final byte LOG = (byte) 0xFF;
  private static final Bytes LOG_END = logKey(Integer.MAX_VALUE, Long.MAX_VALUE);

  /** A change log entry from its value: effectiveFrom, anchor (8 bytes each), then the key in UTF-8. */
  private static Published published(int partition, long offset, byte[] value) {
    ByteBuffer v = ByteBuffer.wrap(value);
    return new Published(partition, offset, new String(value, 2 * Long.BYTES, value.length - 2 * Long.BYTES,
        StandardCharsets.UTF_8), v.getLong(), v.getLong());
  }

  private static Bytes logKey(int partition, long offset) {
    return Bytes.wrap(ByteBuffer.allocate(1 + Integer.BYTES + Long.BYTES).put(LOG).putInt(partition)
        .putLong(offset ^ Long.MIN_VALUE).array());
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
    try (KeyValueIterator<Bytes, byte[]> log = versions.range(logKey(0, Long.MIN_VALUE), LOG_END)) {
      while (log.hasNext()) {
        Published p = published(-1, -1, log.next().value);
        if (p.anchor() > p.effectiveFrom()) {
          correctionAnchors.add(p.anchor());
        }
      }
    }
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
    correctionAnchors.clear();
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
