package io.factorymeter.app.state;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The whole content of a logged key-value store on the heap, for sums that a processor changes for
 * every record: reads and writes touch only the heap; the values changed since the last commit are
 * written to the store when the task commits ({@link #writeBack}, run by a {@link CommitHook}), so
 * the store and its changelog hold, at every commit, exactly what the heap holds. A key changed by
 * a thousand records between two commits costs one store write instead of a thousand (each
 * encoding the value, filling Kafka Streams' record cache and, at commit, a changelog record).
 *
 * <p>Loaded from the store when the processor is initialised, that is after a restart or a
 * rebalance restored the store, so nothing held before is lost. Memory: every key of the store
 * is on the heap, so it suits stores whose keys are few or short-lived (the open windows of a
 * partition's nodes, the deltas between two flushes), not long histories.
 *
 * <p>The values are the objects the processor writes: it must put a value again after changing
 * it, and must not put one object under two keys.
 *
 * @param <V> the value type
 */
public final class WriteBehindStore<V> {

  private final KeyValueStore<String, V> store;
  private final Map<String, V> values = new HashMap<>();
  /** Keys whose value changed since the last write-back. */
  private final Set<String> dirty = new HashSet<>();
  /** Keys that have a value in the store (written back or loaded). */
  private final Set<String> stored = new HashSet<>();

  /** Loads every entry of {@code store}. */
  public WriteBehindStore(KeyValueStore<String, V> store) {
    this.store = store;
    try (KeyValueIterator<String, V> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, V> kv = it.next();
        values.put(kv.key, kv.value);
        stored.add(kv.key);
      }
    }
  }

  /** The value of {@code key}, or null. */
  public V get(String key) {
    return values.get(key);
  }

  /** Sets the value of {@code key} (written to the store at the next commit). */
  public void put(String key, V value) {
    values.put(key, value);
    dirty.add(key);
  }

  /** Removes {@code key}: from the heap, and from the store at once when it is there. */
  public void delete(String key) {
    values.remove(key);
    dirty.remove(key);
    if (stored.remove(key)) {
      store.delete(key);
    }
  }

  /** The entries whose key passes {@code filter}, in key order as a range of the store gives them (a copy: the caller may delete them). */
  public List<KeyValue<String, V>> entries(Predicate<String> filter) {
    List<KeyValue<String, V>> found = new ArrayList<>();
    for (Map.Entry<String, V> e : values.entrySet()) {
      if (filter.test(e.getKey())) {
        found.add(KeyValue.pair(e.getKey(), e.getValue()));
      }
    }
    found.sort((a, b) -> a.key.compareTo(b.key));
    return found;
  }

  /** Whether the store holds no key. */
  public boolean isEmpty() {
    return values.isEmpty();
  }

  /** Keys held. */
  public int size() {
    return values.size();
  }

  /** Writes the values changed since the last write-back to the store. */
  public void writeBack() {
    for (String key : dirty) {
      store.put(key, values.get(key));
      stored.add(key);
    }
    dirty.clear();
  }
}
