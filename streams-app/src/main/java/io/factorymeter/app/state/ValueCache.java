package io.factorymeter.app.state;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Decoded values of a state store that a processor reads for every record, kept on the heap so
 * that a read does not decode bytes again: at most {@code maxEntries} of them, the least recently
 * used dropped first. A read-through cache only: the processor still writes every value to its
 * store at once (Kafka Streams' record cache, the changelog and exactly-once stay as they are) and
 * tells this cache the same value, so the two never differ. Absent values are remembered too.
 *
 * <p>The values are the objects the processor writes: it must not change one after {@link #put}
 * without putting it again, nor put one object under two keys. Made per task in the processor's
 * {@code init}, so a task restored after a failure starts with an empty cache.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class ValueCache<K, V> {

  private final int maxEntries;
  private final LinkedHashMap<K, V> values;

  /** @param maxEntries the most values kept; 0 keeps none (every read goes to the store) */
  public ValueCache(int maxEntries) {
    if (maxEntries < 0) {
      throw new IllegalArgumentException("maxEntries must not be negative, got " + maxEntries);
    }
    this.maxEntries = maxEntries;
    this.values = new LinkedHashMap<>(Math.min(maxEntries, 1 << 16) * 4 / 3 + 1, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > ValueCache.this.maxEntries;
      }
    };
  }

  /** The value of {@code key}: the one kept, or else what {@code load} reads from the store (then kept). */
  public V get(K key, Function<K, V> load) {
    if (maxEntries == 0) {
      return load.apply(key);
    }
    V value = values.get(key);
    if (value == null && !values.containsKey(key)) {
      value = load.apply(key);
      values.put(key, value);
    }
    return value;
  }

  /** {@code key} now has {@code value} in the store (null: deleted). */
  public void put(K key, V value) {
    if (maxEntries > 0) {
      values.put(key, value);
    }
  }

  /** Forgets {@code key} (the next read goes to the store). */
  public void remove(K key) {
    values.remove(key);
  }

  /** Values kept now. */
  public int size() {
    return values.size();
  }
}
