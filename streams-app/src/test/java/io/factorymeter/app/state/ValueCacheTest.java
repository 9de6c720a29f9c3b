package io.factorymeter.app.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValueCacheTest {

  /** A store that counts its reads. */
  private static final class CountingStore {
    final Map<String, String> values = new HashMap<>();
    int reads;

    String get(String key) {
      reads++;
      return values.get(key);
    }
  }

  @Test
  void readsTheStoreOncePerKeyAndRemembersAbsentKeys() {
    CountingStore store = new CountingStore();
    store.values.put("a", "1");
    ValueCache<String, String> cache = new ValueCache<>(10);
    assertEquals("1", cache.get("a", store::get));
    assertEquals("1", cache.get("a", store::get));
    assertNull(cache.get("b", store::get));
    assertNull(cache.get("b", store::get));
    assertEquals(2, store.reads);
    cache.put("b", "2");
    assertEquals("2", cache.get("b", store::get));
    assertEquals(2, store.reads);
  }

  @Test
  void dropsTheLeastRecentlyUsedBeyondItsSize() {
    CountingStore store = new CountingStore();
    store.values.put("a", "1");
    store.values.put("b", "2");
    store.values.put("c", "3");
    ValueCache<String, String> cache = new ValueCache<>(2);
    cache.get("a", store::get);
    cache.get("b", store::get);
    cache.get("a", store::get);   // a is now more recent than b
    cache.get("c", store::get);   // b goes
    assertEquals(2, cache.size());
    assertEquals(3, store.reads);
    cache.get("a", store::get);
    assertEquals(3, store.reads);
    cache.get("b", store::get);
    assertEquals(4, store.reads);
  }

  @Test
  void removedOrZeroSizedReadsTheStore() {
    CountingStore store = new CountingStore();
    store.values.put("a", "1");
    ValueCache<String, String> cache = new ValueCache<>(5);
    cache.get("a", store::get);
    cache.remove("a");
    store.values.put("a", "9");
    assertEquals("9", cache.get("a", store::get));
    ValueCache<String, String> none = new ValueCache<>(0);
    none.put("a", "stale");
    assertEquals("9", none.get("a", store::get));
    assertEquals(0, none.size());
  }
}
