package io.factorymeter.app.rollup;

import io.factorymeter.app.state.SortableTime;
import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.metering.WindowClose;
import io.factorymeter.app.metering.MeteringCounters;
import io.factorymeter.app.metering.MeteringCounters.Counter;
import io.factorymeter.app.metering.WindowFigures;
import io.factorymeter.app.metering.WindowFiguresSerde;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster and fleet windows (SPEC §2): sums the deltas the input partitions send for each
 * cluster's or the fleet's window and emits the window's sums after each delta (the rollup topic
 * carries a few deltas per partition and window, not one record per sample), partial
 * ({@code isFinal} false) until the window is settled.
 *
 * <p>Settled (SPEC §4 {@code isFinal}): a window [start, start + window) is settled once the
 * watermark (the least stream time of the input partitions) reaches its end + grace: every
 * partition has then settled its node windows and, before its stream time passed that point, sent
 * the window's deltas ({@code PartitionSums#advanced}). The window's sums are then emitted once
 * more, final. A delta that comes after (samples late for node metrics, still metered and billed,
 * so that the fleet and the bill agree) updates the window and emits it again, final as well:
 * a restatement. What the first final record holds depends only on each partition's records, so a
 * replay gives the same. That includes SPEC §4 nodesKnown: each partition adds the nodes it knows in
 * the window to the deltas it sends when it settles the window, so the sum is complete once the
 * window is final, and only final records show it ({@code MetricFigures}).
 *
 * <p>Every delta is accepted whenever it comes: the intake decides what is late (a sample past
 * the restatement horizon goes to the late topic and sends no delta), so a cluster's or the
 * fleet's figures are always the sum of what was metered, also after late data, and nothing is
 * dropped by a window's grace. A window is forgotten once the watermark (every input partition,
 * {@link PartitionWatermarks}) is past its end + the restatement horizon + one billing period +
 * one window: no partition can send a delta for it any more.
 */
public final class GroupMinutes implements Processor<String, RollupEvent, String, GroupMinutes.Figures> {

  private static final Logger log = LoggerFactory.getLogger(GroupMinutes.class);

  public static final String WINDOW_STORE = "group-windows";
  public static final String PROGRESS_STORE = "group-progress";
  private static final String PURGED_UP_TO = "purged-up-to";
  /** Windows starting at or before this are settled. */
  private static final String FINAL_UP_TO = "final-up-to";
  private static final String HIGH = "\uffff";

  /** A group's sums for a window, to publish: {@code group} and {@code groupId} say which. */
  public record Figures(RollupEvent.Group group, String groupId, long windowStart, WindowFigures figures, boolean isFinal) {
  }

  private final int inputPartitions;
  private final long windowMs;
  private final long graceMs;
  private final long keepMs;
  private ProcessorContext<String, Figures> context;
  private KeyValueStore<String, WindowFigures> windows;
  private PartitionWatermarks progress;
  private MeteringCounters counters;

  private GroupMinutes(MeteringConfig config) {
    this.inputPartitions = config.inputPartitions();
    this.windowMs = config.window().toMillis();
    this.graceMs = config.grace().toMillis();
    this.keepMs = config.restatementHorizon().plus(MeteringConfig.BILLING_PERIOD).plus(config.window()).toMillis();
  }

  /** Creates the processor and owns its stores. */
  public static ProcessorSupplier<String, RollupEvent, String, Figures> supplier(MeteringConfig config) {
    return new ProcessorSupplier<>() {
      @Override
      public Processor<String, RollupEvent, String, Figures> get() {
        return new GroupMinutes(config);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WINDOW_STORE), Serdes.String(),
            new WindowFiguresSerde()).withCachingEnabled(), PartitionWatermarks.storeBuilder(PROGRESS_STORE));
      }
    };
  }

  @Override
  public void init(ProcessorContext<String, Figures> context) {
    this.context = context;
    this.windows = context.getStateStore(WINDOW_STORE);
    this.progress = new PartitionWatermarks(context.getStateStore(PROGRESS_STORE), inputPartitions);
    this.counters = new MeteringCounters(context.metrics(), "groups-" + context.taskId());
  }

  @Override
  public void process(Record<String, RollupEvent> record) {
    RollupEvent event = record.value();
    boolean moved = progress.observe(event);
    if (event instanceof RollupEvent.GroupDelta d) {
      add(d);
    }
    if (moved) {
      settle();
      forget();
    }
  }

  private void add(RollupEvent.GroupDelta d) {
    if (d.windowStart() <= progress.stored(PURGED_UP_TO)) {
      // cannot happen while the input partitions stay as they are: the intake sends such samples to the late topic
      counters.increment(Counter.LATE_BEYOND_RESTATEMENT);
      log.warn("Sums for {} {} {} arrived after the window was forgotten; not counted", d.group(), d.groupId(),
          Instant.ofEpochMilli(d.windowStart()));
      return;
    }
    String key = key(d.windowStart(), d.group(), d.groupId());
    WindowFigures sum = windows.get(key);
    sum = sum == null ? d.figures() : sum.add(d.figures());
    windows.put(key, sum);
    boolean isFinal = d.windowStart() <= progress.stored(FINAL_UP_TO);
    context.forward(new Record<>(key, new Figures(d.group(), d.groupId(), d.windowStart(), sum, isFinal), d.windowStart()));
  }

  /** Emits, final, the windows the watermark has settled since the last time: once each. */
  private void settle() {
    // the same boundary as the intake's node windows: start + window + grace <= stream time
    long settleUpTo = passedUpTo(graceMs);
    long finalUpTo = progress.stored(FINAL_UP_TO);
    if (settleUpTo <= finalUpTo) {
      return;
    }
    for (KeyValue<String, WindowFigures> kv : windowsBetween(finalUpTo, settleUpTo)) {
      String[] parts = kv.key.split("\\|", 3);
      long windowStart = Long.parseLong(parts[0]);
      context.forward(new Record<>(kv.key, new Figures(RollupEvent.Group.valueOf(parts[1]), parts[2], windowStart, kv.value, true),
          windowStart));
    }
    progress.store(FINAL_UP_TO, settleUpTo);
  }

  /** Forgets the windows no partition can send to any more. */
  private void forget() {
    long forgettable = passedUpTo(keepMs);
    long purgedUpTo = progress.stored(PURGED_UP_TO);
    if (forgettable <= purgedUpTo) {
      return;
    }
    for (KeyValue<String, WindowFigures> kv : windowsBetween(Long.MIN_VALUE, forgettable)) {
      windows.delete(kv.key);
    }
    progress.store(PURGED_UP_TO, forgettable);
  }

  /**
   * The start of the latest window the watermark has passed by {@code lagMs} (start + window +
   * lag <= watermark), or Long.MIN_VALUE while some input partition has not been heard from.
   */
  private long passedUpTo(long lagMs) {
    long watermark = progress.watermark();
    return watermark == Long.MIN_VALUE ? Long.MIN_VALUE : WindowClose.lastClosedStart(watermark, lagMs, windowMs);
  }

  /** The windows starting after {@code after} and at or before {@code upTo}, in key order (a copy). */
  private List<KeyValue<String, WindowFigures>> windowsBetween(long after, long upTo) {
    List<KeyValue<String, WindowFigures>> found = new ArrayList<>();
    try (KeyValueIterator<String, WindowFigures> it = windows.range(
        after == Long.MIN_VALUE ? "" : SortableTime.of(after) + "|" + HIGH, SortableTime.of(upTo) + "|" + HIGH)) {
      it.forEachRemaining(found::add);
    }
    return found;
  }

  private static String key(long windowStart, RollupEvent.Group group, String groupId) {
    return SortableTime.of(windowStart) + "|" + group.name() + "|" + groupId;
  }


  @Override
  public void close() {
    counters.close();
  }
}
