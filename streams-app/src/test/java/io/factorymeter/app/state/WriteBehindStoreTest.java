package io.factorymeter.app.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WriteBehindStoreTest {

  private KeyValueStore<String, Long> store;

  @BeforeEach
  void open() {
    store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("sums"), Serdes.String(), Serdes.Long())
        .withLoggingDisabled().build();
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    store.init(context.getStateStoreContext(), store);
  }

  @Test
  void theStoreSeesChangesOnlyAtTheWriteBack() {
    WriteBehindStore<Long> sums = new WriteBehindStore<>(store);
    sums.update("a", v -> v == null ? 5L : v + 5);
    sums.update("a", v -> v == null ? 7L : v + 7);
    sums.put("b", 1L);
    assertEquals(12L, sums.get("a"));
    assertNull(store.get("a"));
    sums.writeBack();
    assertEquals(12L, store.get("a"));
    assertEquals(1L, store.get("b"));
    sums.update("a", v -> v + 1);
    assertEquals(12L, store.get("a"));
    sums.writeBack();
    assertEquals(13L, store.get("a"));
  }

  @Test
  void aDeleteReachesTheStoreAtOnceOnlyWhenTheStoreHasTheKey() {
    WriteBehindStore<Long> sums = new WriteBehindStore<>(store);
    sums.put("a", 1L);
    sums.writeBack();
    sums.put("b", 2L);
    sums.delete("b");   // never written: nothing to do in the store
    sums.delete("a");
    assertNull(store.get("a"));
    sums.writeBack();
    assertNull(store.get("b"));
    assertNull(sums.get("a"));
    // a key deleted and set again is written with its new value
    sums.put("c", 3L);
    sums.delete("c");
    sums.put("c", 4L);
    sums.writeBack();
    assertEquals(4L, store.get("c"));
  }

  @Test
  void loadsWhatTheStoreHoldsAndListsInKeyOrder() {
    store.put("0002|x", 2L);
    store.put("0001|y", 1L);
    store.put("0003|z", 3L);
    WriteBehindStore<Long> sums = new WriteBehindStore<>(store);
    assertEquals(3, sums.size());
    List<KeyValue<String, Long>> early = sums.entries(k -> k.compareTo("0002|\uffff") <= 0);
    assertEquals(List.of(KeyValue.pair("0001|y", 1L), KeyValue.pair("0002|x", 2L)), early);
    sums.delete("0001|y");   // loaded, so in the store: deleted there at once
    assertNull(store.get("0001|y"));
  }

  @Test
  void takeChangedListsEachChangedKeyOnceInFirstChangeOrderWithoutTheDeleted() {
    WriteBehindStore<Long> sums = new WriteBehindStore<>(store);
    sums.put("b", 1L);
    sums.put("a", 2L);
    sums.update("b", v -> v + 10);
    sums.put("c", 3L);
    sums.delete("c");
    assertEquals(List.of(KeyValue.pair("b", 11L), KeyValue.pair("a", 2L)), sums.takeChanged());
    assertEquals(List.of(), sums.takeChanged());
    sums.writeBack();   // independent of write-backs
    sums.update("a", v -> v + 1);
    assertEquals(List.of(KeyValue.pair("a", 3L)), sums.takeChanged());
  }
}
