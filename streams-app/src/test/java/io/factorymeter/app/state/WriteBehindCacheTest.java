package io.factorymeter.app.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WriteBehindCacheTest {

  /** A store that counts its reads and writes. */
  private static final class CountingStore {
    final Map<String, Integer> values = new HashMap<>();
    int reads;
    int writes;

    Integer get(String key) {
      reads++;
      return values.get(key);
    }

    void put(String key, Integer value) {
      writes++;
      values.put(key, value);
    }
  }

  @Test
  void readsOnceAndWritesTheLastValueOfEachChangedKeyAtTheWriteBack() {
    CountingStore store = new CountingStore();
    store.values.put("a", 1);
    WriteBehindCache<String, Integer> cache = new WriteBehindCache<>(10);
    assertEquals(1, cache.get("a", store::get));
    cache.put("a", 2);
    assertEquals(2, cache.get("a", store::get));
    cache.put("a", 3);
    assertNull(cache.get("b", store::get));
    assertNull(cache.get("b", store::get));   // an absent key is remembered too
    cache.put("b", 7);
    assertEquals(2, store.reads);
    assertEquals(1, store.values.get("a"));   // nothing written yet
    cache.writeBack(store::put);
    assertEquals(2, store.writes);
    assertEquals(3, store.values.get("a"));
    assertEquals(7, store.values.get("b"));
    cache.writeBack(store::put);   // nothing changed since
    assertEquals(2, store.writes);
  }

  @Test
  void beyondItsSizeTheUnchangedValuesAreDroppedAfterAWriteBack() {
    CountingStore store = new CountingStore();
    WriteBehindCache<String, Integer> cache = new WriteBehindCache<>(2);
    cache.put("a", 1);
    cache.put("b", 2);
    cache.put("c", 3);
    assertEquals(3, cache.size());   // changed values stay until written
    cache.writeBack(store::put);
    assertEquals(0, cache.size());
    assertEquals(3, cache.get("c", store::get));   // read again from the store
    assertEquals(1, store.reads);
  }
}
