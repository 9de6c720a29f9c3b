package io.factorymeter.app.pricing;

import io.factorymeter.app.serde.InternalAvroSerde;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongPredicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * "The price of a key in effect at t" for one stream task (SPEC §2), read from a
 * {@link PriceVersionStore} and cached: per key, the version last found and the interval
 * {@code [from, until)} it is valid for, so that the samples of a node, which mostly follow each
 * other in time, are priced without a store read. The cache is dropped whenever the store was
 * written since (a new, back-dated or ended version may change any interval).
 *
 * <p>Not thread-safe: one per task. Holds at most {@link #MAX_CACHED_KEYS} keys, the least
 * recently used going first.
 *
 * @param <V> Tariff, GpuRate, GridIntensity or GpuEmbodied
 */
final class PriceLookup<V extends SpecificRecord> {

  /** Keys cached at most (sites or GPU models: a fleet has a handful). */
  static final int MAX_CACHED_KEYS = 10_000;

  private record Cached<V>(long from, long until, long epoch, V price) implements Found<V> {
  }

  private final PriceKind<V> kind;
  private final PriceVersionStore store;
  private final Deserializer<V> values;
  private final Map<String, Cached<V>> cache = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Cached<V>> eldest) {
      return size() > MAX_CACHED_KEYS;
    }
  };
  private long generation = Long.MIN_VALUE;

  /** Looks up {@code kind}'s versions in {@code store}. */
  PriceLookup(PriceKind<V> kind, PriceVersionStore store) {
    this.kind = kind;
    this.store = store;
    this.values = new InternalAvroSerde<>(kind.type()).deserializer();
  }

  PriceKind<V> kind() {
    return kind;
  }

  PriceVersionStore store() {
    return store;
  }

  /** A version found: its price (null when none is in effect) and when it took effect. */
  interface Found<V> {
    V price();

    long from();
  }

  /** The price of {@code key} at {@code epochMs} as known to a reader who sees the anchors {@code visible} accepts; not cached. */
  V asOf(String key, long epochMs, LongPredicate visible) {
    byte[] value = store.versionAt(key, epochMs, (effectiveFrom, anchor) -> visible.test(anchor)).value();
    return value == null ? null : values.deserialize(store.name(), value);
  }

  /**
   * The version of {@code key} in effect at {@code epochMs} as known at {@code streamTime}
   * ({@link PriceVersionStore#versionAt(String, long, long)}): its price ({@link Found#price},
   * null when none) and when it took effect ({@link Found#from}, Long.MIN_VALUE before the key's
   * first version).
   */
  Found<V> found(String key, long epochMs, long streamTime) {
    long current = store.generation();   // read before the store: a write after it is seen next time
    if (current != generation) {
      cache.clear();
      generation = current;
    }
    long epoch = store.epochAt(streamTime);
    Cached<V> c = cache.get(key);
    if (c != null && c.epoch() == epoch && c.from() <= epochMs && epochMs < c.until()) {
      return c;
    }
    PriceVersionStore.Version v = store.versionAt(key, epochMs, epoch);
    V price = v.value() == null ? null : values.deserialize(store.name(), v.value());
    Cached<V> found = new Cached<>(v.from(), v.until(), epoch, price);
    cache.put(key, found);
    return found;
  }
}
