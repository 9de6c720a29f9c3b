package io.factorymeter.app.pricing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The bitemporal price store (SPEC §2a corrections): readers by stream time, billing as of a close, the change log. */
class PriceVersionStoreTest {

  private static final byte[] P20 = {20};
  private static final byte[] P50 = {50};
  private static final byte[] P30 = {30};
  private PriceVersionStore store;

  @BeforeEach
  void open() {
    store = new PriceVersionStore("tariffs", 100, Stores.inMemoryKeyValueStore("tariffs").get());
    store.init(new MockProcessorContext<>().getStateStoreContext(), store);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void aReplacementKeepsTheVersionItReplacesForReadersBeforeItsAnchor() {
    store.put("s1", 0, 0, P20, 0, 0);        // 0.20 from 0, known from 0
    store.put("s1", 0, 500, P50, 0, 1);      // replaced from 0, published at 500: a correction
    assertArrayEquals(P50, store.versionAt("s1", 100).value(), "latest knowledge");
    assertArrayEquals(P20, store.versionAt("s1", 100, store.epochAt(499)).value(), "at stream time 499");
    assertArrayEquals(P50, store.versionAt("s1", 100, store.epochAt(500)).value(), "at stream time 500");
    assertArrayEquals(P20, store.versionAt("s1", 100, (effectiveFrom, anchor) -> anchor < 500).value());
    assertArrayEquals(P50, store.versionAt("s1", 100, (effectiveFrom, anchor) -> anchor <= 500).value());
    assertEquals(Long.MIN_VALUE, store.epochAt(499));
    assertEquals(500, store.epochAt(10_000));
  }

  @Test
  void aSplitLeavesTheOlderVersionInEffectForReadersBeforeItsAnchor() {
    store.put("s1", 0, 0, P20, 0, 0);
    store.put("s1", 1_000, 1_000, P30, 0, 1);      // known when it takes effect: no correction
    store.put("s1", 300, 700, P50, 0, 2);          // splits [0, 1000) at 300, published 700
    PriceVersionStore.Version early = store.versionAt("s1", 400, store.epochAt(600));
    assertArrayEquals(P20, early.value());
    assertEquals(0, early.from());
    assertEquals(1_000, early.until(), "the next effectiveFrom after 400 of any version");
    PriceVersionStore.Version late = store.versionAt("s1", 400, store.epochAt(700));
    assertArrayEquals(P50, late.value());
    assertEquals(300, late.from());
    assertArrayEquals(P30, store.versionAt("s1", 1_200, store.epochAt(0)).value(), "a version known in advance is always visible");
    assertNull(store.versionAt("s1", -1).value(), "before the first version");
  }

  @Test
  void theChangeLogGivesWhatWasStoredSinceTheOffsetsSeen() {
    store.put("s1", 0, 0, P20, 0, 5);
    store.put("s2", 0, 0, P20, 1, 3);
    store.put("s1", 0, 500, P50, 0, 6);
    store.put("s3", 10, 10, PriceVersionStore.ENDED, 2, 0);
    assertEquals(List.of(new PriceVersionStore.Published(0, 5, "s1", 0, 0), new PriceVersionStore.Published(0, 6, "s1", 0, 500),
        new PriceVersionStore.Published(1, 3, "s2", 0, 0), new PriceVersionStore.Published(2, 0, "s3", 10, 10)),
        store.publishedAfter(Map.of()));
    assertEquals(List.of(new PriceVersionStore.Published(0, 6, "s1", 0, 500), new PriceVersionStore.Published(2, 0, "s3", 10, 10)),
        store.publishedAfter(Map.of(0, 5L, 1, 3L)));
    assertEquals(List.of(), store.publishedAfter(Map.of(0, 6L, 1, 3L, 2, 0L)));
    assertEquals(1, store.versionCount("s3"));
    assertNull(store.versionAt("s3", 20).value(), "a tombstone ends the price");
  }

  @Test
  void aTombstoneEndsEveryVersionOfItsInstantKnownSoFarCorrectionsIncluded() {
    store.put("s1", 0, 0, P20, 0, 0);
    store.put("s1", 0, 500, P50, 0, 1);                  // a correction of the version from 0
    long anchor = store.latestAnchor("s1", 0);
    assertEquals(500, anchor);
    store.put("s1", 0, anchor, PriceVersionStore.ENDED, 0, 2);
    assertNull(store.versionAt("s1", 100).value(), "ended, as far as anything is known");
    assertArrayEquals(P20, store.versionAt("s1", 100, store.epochAt(499)).value(), "before 500 the first version stood");
    assertEquals(0, store.latestAnchor("s2", 0), "no version: its own instant");
  }

  @Test
  void versionsDroppedBeyondTheBoundLeaveTheChangeLog() {
    PriceVersionStore two = new PriceVersionStore("two", 2, Stores.inMemoryKeyValueStore("two").get());
    two.init(new MockProcessorContext<>().getStateStoreContext(), two);
    two.put("s1", 0, 0, P20, 0, 0);
    two.put("s1", 100, 100, P30, 0, 1);
    assertEquals(List.of(0L), two.put("s1", 200, 300, P50, 0, 2));   // the oldest dropped
    assertEquals(List.of(new PriceVersionStore.Published(0, 1, "s1", 100, 100), new PriceVersionStore.Published(0, 2, "s1", 200, 300)),
        two.publishedAfter(Map.of()));
  }

  @Test
  void correctionAnchorsAreReadBackFromTheLogWhenTheStoreOpensAgain() {
    org.apache.kafka.streams.state.KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]> rocks =
        Stores.inMemoryKeyValueStore("kept").get();
    PriceVersionStore first = new PriceVersionStore("kept", 100, rocks);
    first.init(new MockProcessorContext<>().getStateStoreContext(), first);
    first.put("s1", 0, 0, P20, 0, 0);
    first.put("s1", 0, 500, P50, 0, 1);
    PriceVersionStore again = new PriceVersionStore("kept", 100, rocks);   // a restart on the same local state
    again.init(new MockProcessorContext<>().getStateStoreContext(), again);
    assertEquals(500, again.epochAt(600));
    assertArrayEquals(P20, again.versionAt("s1", 100, again.epochAt(499)).value());
  }
}
