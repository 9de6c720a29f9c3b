package io.factorymeter.app.ledger;

import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.state.SortableTime;
import io.factorymeter.app.state.WriteBehindStore;
import io.factorymeter.schema.LedgerHour;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The intake ledger of one input partition (issue 11; topic {@code factory.ledger.hourly}, key
 * {@code partition|periodStart}): per hour, the records read and what became of each, emitted when
 * the hour closes and restated like billing lines.
 *
 * <p><b>Which hour a record counts in</b> (a function of the partition's records alone, so a replay
 * counts the same):
 * <ul>
 *   <li>a valid sample that is not too late (metered, late for metrics, or a duplicate): the hour
 *       of its own timestamp;</li>
 *   <li>a dead letter, a too-late sample, a heartbeat: the hour of the partition's stream time when
 *       it was read (before the partition has a stream time, the hour of the record's timestamp).
 *       That hour is always still open, and a too-late sample's own hour may be long gone.</li>
 * </ul>
 *
 * <p><b>When an hour is emitted</b>, against the partition's stream time {@code t}:
 * <ol>
 *   <li>close: when {@code t ≥ hour end + billing grace} (SPEC §4, as billing periods), revision 1;</li>
 *   <li>restate: a record counted in an emitted hour is emitted, with everything else counted
 *       there meanwhile, as revision + 1 once {@code t} reaches the end of the metric window
 *       ({@code factory.meter.window}) its stamp, the stream time right after it, falls in: at most
 *       one restatement per hour and window of stream time, whatever the late volume (the batch
 *       rule of {@code BillingPeriods});</li>
 *   <li>forget: once {@code hour end ≤ t − restatement horizon}, no record can count there any more
 *       (a sample for it is too late and counts in the stream-time hour), so it leaves the state.</li>
 * </ol>
 *
 * <p>The counts live on the heap and are written to a logged store at every commit of the task
 * ({@link WriteBehindStore}), in the same transaction as the results they count.
 */
public final class IntakeLedger {

  public static final String STORE = "intake-ledger";
  private static final long HOUR_MS = MeteringConfig.BILLING_PERIOD.toMillis();

  private final String topic;
  private final int partition;
  private final long windowMs;
  private final long closeAfterMs;
  private final long horizonMs;
  private final Consumer<LedgerHour> emit;
  private final WriteBehindStore<LedgerCounts> hours;
  private final SortableTime.Recent keys = new SortableTime.Recent();
  /** Stream time at or after which {@link #advanced} has something to do (close, restate or forget). */
  private long nextDue;
  private long outcomes;

  /**
   * @param store this partition's store ({@link #STORE})
   * @param emit where emitted hours go (the ledger topic)
   */
  public IntakeLedger(MeteringConfig config, String topic, int partition, KeyValueStore<String, LedgerCounts> store,
      Consumer<LedgerHour> emit) {
    this.topic = topic;
    this.partition = partition;
    this.windowMs = config.window().toMillis();
    this.closeAfterMs = HOUR_MS + config.billingGrace().toMillis();
    this.horizonMs = config.restatementHorizon().toMillis();
    this.emit = emit;
    this.hours = new WriteBehindStore<>(store);
    this.nextDue = Long.MIN_VALUE;   // recomputed at the first advance
  }

  /** The store, in memory (an hour per partition and hour of the restatement horizon) and changelogged. */
  public static StoreBuilder<KeyValueStore<String, LedgerCounts>> storeBuilder() {
    return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(STORE), Serdes.String(), new LedgerCounts.Serde())
        .withCachingDisabled();   // written at commits
  }

  /** A distinct valid sample was summed (SPEC §2), at {@code eventTime}. */
  public void metered(long eventTime, boolean lateForMetrics, boolean unpriced, long streamTime) {
    LedgerCounts c = count(eventTime, streamTime);
    c.metered++;
    if (lateForMetrics) {
      c.lateForMetrics++;
    }
    if (unpriced) {
      c.unpriced++;
    }
  }

  /** A valid sample dropped as a duplicate (SPEC §1), at {@code eventTime}. */
  public void duplicate(long eventTime, long streamTime) {
    count(eventTime, streamTime).duplicates++;
  }

  /** A record went to the dead-letter topic for {@code reason}. */
  public void deadLetter(String reason, long recordTimestamp, long streamTime) {
    count(readAt(recordTimestamp, streamTime), streamTime).deadLetters.merge(reason, 1L, Long::sum);
  }

  /** A valid sample past the restatement horizon went to the late topic. */
  public void tooLate(long streamTime) {
    count(streamTime, streamTime).tooLate++;
  }

  /** A heartbeat moved (or confirmed) stream time; counted apart from the records in. */
  public void heartbeat(long streamTime) {
    LedgerCounts c = changing(streamTime, streamTime);
    c.heartbeats++;
  }

  /** Where a record without an hour of its own counts: the stream time, or before there is one, its record timestamp. */
  private static long readAt(long recordTimestamp, long streamTime) {
    return streamTime == Long.MIN_VALUE ? Math.max(0, recordTimestamp) : streamTime;
  }

  private LedgerCounts count(long at, long streamTime) {
    LedgerCounts c = changing(at, streamTime);
    c.recordsIn++;
    outcomes++;
    return c;
  }

  /** Records counted since this ledger was loaded: a step that changes it has counted the record it works on. */
  public long outcomes() {
    return outcomes;
  }

  /** The counts of the hour of {@code at}, marked changed; a pending restatement when the hour was emitted. */
  private LedgerCounts changing(long at, long streamTime) {
    String key = keys.of(MeteringConfig.billingPeriodStart(at));
    LedgerCounts c = hours.get(key);
    if (c == null) {
      c = new LedgerCounts();
      nextDue = Math.min(nextDue, MeteringConfig.billingPeriodStart(at) + closeAfterMs);
    }
    if (c.revision > 0 && c.restateAt == LedgerCounts.NOTHING_PENDING) {
      c.restateAt = Math.floorDiv(streamTime, windowMs) * windowMs + windowMs;
      nextDue = Math.min(nextDue, c.restateAt);
    }
    hours.put(key, c);
    return c;
  }

  /**
   * Stream time moved to {@code streamTime}: emits the hours that close and the restatements that
   * are due, in hour order, then forgets hours past the restatement horizon.
   */
  public void advanced(long streamTime) {
    if (streamTime < nextDue) {
      return;
    }
    long due = Long.MAX_VALUE;
    List<KeyValue<String, LedgerCounts>> all = hours.entries(k -> true);
    for (KeyValue<String, LedgerCounts> kv : all) {
      long start = SortableTime.ofKey(kv.key);
      LedgerCounts c = kv.value;
      if (c.revision == 0 && streamTime >= start + closeAfterMs) {
        send(kv.key, start, c);
      } else if (c.restateAt != LedgerCounts.NOTHING_PENDING && streamTime >= c.restateAt) {
        send(kv.key, start, c);
      }
      if (c.revision > 0 && c.restateAt == LedgerCounts.NOTHING_PENDING && start + HOUR_MS <= streamTime - horizonMs) {
        hours.delete(kv.key);
        continue;
      }
      due = Math.min(due, c.revision == 0 ? start + closeAfterMs
          : c.restateAt != LedgerCounts.NOTHING_PENDING ? c.restateAt
          : start + HOUR_MS + horizonMs);
    }
    nextDue = due;
  }

  private void send(String key, long start, LedgerCounts c) {
    c.revision++;
    c.restateAt = LedgerCounts.NOTHING_PENDING;
    hours.put(key, c);
    emit.accept(c.toRecord(topic, partition, start, HOUR_MS));
  }

  /** Writes the hours changed since the last commit to the store (run by the task's commit hook). */
  public void writeBack() {
    hours.writeBack();
  }
}
