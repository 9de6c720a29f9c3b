package io.factorymeter.app.state;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
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

  /** A key's value and where it stands against the store. */
  private static final class Slot<V> {
    final String key;
    V value;
    /** Changed since the last write-back. */
    boolean changed;
    /** The store has a value for the key (written back or loaded). */
    boolean stored;
    /** Changed since the last {@link #takeChanged}. */
    boolean taken;
    /** Deleted: no longer in the store's slots. */
    boolean deleted;

    Slot(String key) {
      this.key = key;
    }
  }

  private final KeyValueStore<String, V> store;
  private final Map<String, Slot<V>> slots = new HashMap<>();
  /** Slots changed since the last write-back (a slot deleted since has changed = false). */
  private final List<Slot<V>> changed = new ArrayList<>();
  /** Slots changed since the last {@link #takeChanged}, in the order of their first change. */
  private final List<Slot<V>> changedSinceTaken = new ArrayList<>();

  /** Loads every entry of {@code store}. */
  public WriteBehindStore(KeyValueStore<String, V> store) {
    this.store = store;
    try (KeyValueIterator<String, V> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, V> kv = it.next();
        Slot<V> slot = new Slot<>(kv.key);
        slot.value = kv.value;
        slot.stored = true;
        slots.put(kv.key, slot);
      }
    }
  }

  /** The value of {@code key}, or null. */
  public V get(String key) {
    Slot<V> slot = slots.get(key);
    return slot == null ? null : slot.value;
  }

  /** Sets the value of {@code key} (written to the store at the next commit). */
  public void put(String key, V value) {
    update(key, old -> value);
  }

  /**
   * Sets the value of {@code key} to what {@code change} makes of its value (null when it has none),
   * with one lookup; written to the store at the next commit.
   */
  public void update(String key, UnaryOperator<V> change) {
    Slot<V> slot = slots.get(key);
    if (slot == null) {
      slot = new Slot<>(key);
      slots.put(key, slot);
    }
    slot.value = change.apply(slot.value);
    if (!slot.changed) {
      slot.changed = true;
      changed.add(slot);
    }
    if (!slot.taken) {
      slot.taken = true;
      changedSinceTaken.add(slot);
    }
  }

  /**
   * The entries changed since the last call (not deleted since), in the order of their first
   * change; for a processor that sends on what changed at its own pace, apart from commits.
   * Kept on the heap only: after a restart nothing counts as changed.
   */
  public List<KeyValue<String, V>> takeChanged() {
    List<KeyValue<String, V>> taken = new ArrayList<>(changedSinceTaken.size());
    for (Slot<V> slot : changedSinceTaken) {
      slot.taken = false;
      if (!slot.deleted) {
        taken.add(KeyValue.pair(slot.key, slot.value));
      }
    }
    changedSinceTaken.clear();
    return taken;
  }

  /** Removes {@code key}: from the heap, and from the store at once when it is there. */
  public void delete(String key) {
    Slot<V> slot = slots.remove(key);
    if (slot != null) {
      slot.changed = false;
      slot.deleted = true;
      if (slot.stored) {
        store.delete(key);
      }
    }
  }

  /** The entries whose key passes {@code filter}, in key order as a range of the store gives them (a copy: the caller may delete them). */
  public List<KeyValue<String, V>> entries(Predicate<String> filter) {
    List<KeyValue<String, V>> found = new ArrayList<>();
    for (Slot<V> slot : slots.values()) {
      if (filter.test(slot.key)) {
        found.add(KeyValue.pair(slot.key, slot.value));
      }
    }
    found.sort((a, b) -> a.key.compareTo(b.key));
    return found;
  }

  /** Whether no key is held. */
  public boolean isEmpty() {
    return slots.isEmpty();
  }

  /** Keys held. */
  public int size() {
    return slots.size();
  }

  /** Writes the values changed since the last write-back to the store. */
  public void writeBack() {
    for (Slot<V> slot : changed) {
      if (slot.changed) {
        store.put(slot.key, slot.value);
        slot.changed = false;
        slot.stored = true;
      }
    }
    changed.clear();
  }
}
