package io.factorymeter.app.state;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Values of a large store that a processor reads and changes for every record, of which it keeps
 * only a bounded part on the heap (unlike {@link WriteBehindStore}, which holds a whole store): a
 * read loads the value from the store once; a change stays on the heap until the task commits,
 * when {@link #writeBack} writes every changed value (run by a {@link CommitHook}, so in the same
 * transaction as the input offsets). After a write-back, when more than {@code maxEntries}
 * values are held, the unchanged ones are all dropped and read again when needed.
 *
 * <p>The values are the objects the processor writes: it must put a value again after changing
 * it. Made per task in the processor's {@code init}, so a task restored after a failure starts
 * empty.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class WriteBehindCache<K, V> {

  /** A key's value and whether it changed since the last write-back. */
  private static final class Slot<K, V> {
    final K key;
    V value;
    boolean changed;

    Slot(K key, V value) {
      this.key = key;
      this.value = value;
    }
  }

  private final int maxEntries;
  private final Map<K, Slot<K, V>> slots = new HashMap<>();
  private final List<Slot<K, V>> changed = new ArrayList<>();

  /** @param maxEntries how many values to keep after a write-back (the changed ones are kept until then whatever their number) */
  public WriteBehindCache(int maxEntries) {
    if (maxEntries < 0) {
      throw new IllegalArgumentException("maxEntries must not be negative, got " + maxEntries);
    }
    this.maxEntries = maxEntries;
  }

  /** The value of {@code key}: the one held, or else what {@code load} reads from the store (null: none). */
  public V get(K key, Function<K, V> load) {
    Slot<K, V> slot = slots.get(key);
    if (slot == null) {
      slot = new Slot<>(key, load.apply(key));
      slots.put(key, slot);
    }
    return slot.value;
  }

  /** Sets the value of {@code key}; the store gets it at the next write-back. */
  public void put(K key, V value) {
    Slot<K, V> slot = slots.get(key);
    if (slot == null) {
      slot = new Slot<>(key, value);
      slots.put(key, slot);
    }
    slot.value = value;
    if (!slot.changed) {
      slot.changed = true;
      changed.add(slot);
    }
  }

  /** Values held now. */
  public int size() {
    return slots.size();
  }

  /** Writes every value changed since the last write-back with {@code write}, then trims the cache. */
  public void writeBack(BiConsumer<K, V> write) {
    for (Slot<K, V> slot : changed) {
      write.accept(slot.key, slot.value);
      slot.changed = false;
    }
    changed.clear();
    if (slots.size() > maxEntries) {
      slots.clear();
    }
  }
}
