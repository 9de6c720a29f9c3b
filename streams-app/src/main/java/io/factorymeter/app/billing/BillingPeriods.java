package io.factorymeter.app.billing;

import io.factorymeter.app.state.SortableTime;
import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.metering.MeteringCounters;
import io.factorymeter.app.metering.MeteringCounters.Counter;
import io.factorymeter.app.rollup.PartitionWatermarks;
import io.factorymeter.app.rollup.RollupEvent;
import io.factorymeter.contract.OutputKey;
import io.factorymeter.schema.BillingLine;
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
 * Settles billing periods (SPEC §4): sums the contributions of each tenant × model × hour, emits
 * the line when the period closes, and restates it (same key, revision + 1) for contributions that
 * come later, until the restatement horizon has passed.
 *
 * <p>Which line a sample's share goes into is a function of the input alone. The intake decides,
 * from the stream time of the sample's own input partition right after it (its <em>stamp</em>,
 * which depends only on that partition's records), the <em>batch</em> it belongs to
 * ({@link #batchClose}): the one that closes at
 * <ul>
 *   <li>{@code periodEnd + grace} when its stamp is before that (it was on time for billing), or</li>
 *   <li>the end of the window ({@code factory.meter.window}, 1 minute) its stamp falls in, when it
 *       came late: late data is restated at most once per window of stream time, whatever its
 *       amount.</li>
 * </ul>
 * The intake sums the shares of each batch and sends them as deltas, all of a batch before it
 * reports a stream time at or past the batch's close. A batch is emitted once the watermark, the
 * smallest stream time over all input partitions as last reported, has reached its close: by then
 * every delta of it has arrived, because each partition's events arrive in the order they were
 * sent. Batches are emitted in the order of their close times, each as the next revision of its
 * line. So the lines and their revisions do not depend on how the partitions' records interleave,
 * how many threads or instances run, on restarts, or on how the intake batched its deltas. A
 * partition that reports nothing holds batches open: producers send heartbeats to every
 * partition (see the README).
 */
public final class BillingPeriods implements Processor<String, RollupEvent, String, BillingLine> {

  private static final Logger log = LoggerFactory.getLogger(BillingPeriods.class);

  public static final String PERIOD_STORE = "billing-periods";
  public static final String PENDING_STORE = "billing-pending";
  public static final String PROGRESS_STORE = "billing-progress";
  private static final long PERIOD_MS = MeteringConfig.BILLING_PERIOD.toMillis();
  private static final String PURGED_UP_TO = "purged-up-to";
  private static final String HIGH = "\uffff";

  private final int inputPartitions;
  private final long horizonMs;
  private final long batchMs;
  private final String currency;
  private ProcessorContext<String, BillingLine> context;
  /** pad(periodStart)|tenant|model → the amounts emitted so far and the last revision. */
  private KeyValueStore<String, PeriodState> periods;
  /** pad(batchClose)|pad(periodStart)|tenant|model → contributions of a batch not emitted yet (revision unused). */
  private KeyValueStore<String, PeriodState> pending;
  private PartitionWatermarks progress;
  private MeteringCounters counters;
  private long settledUpTo = Long.MIN_VALUE;

  public BillingPeriods(MeteringConfig config) {
    this.inputPartitions = config.inputPartitions();
    this.horizonMs = config.restatementHorizon().toMillis();
    this.batchMs = config.window().toMillis();
    this.currency = config.currency();
  }

  /** Creates the processor and owns its three stores (connected to it wherever it is added). */
  public static ProcessorSupplier<String, RollupEvent, String, BillingLine> supplier(MeteringConfig config) {
    return new ProcessorSupplier<>() {
      @Override
      public Processor<String, RollupEvent, String, BillingLine> get() {
        return new BillingPeriods(config);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(periodStore(), pendingStore(), PartitionWatermarks.storeBuilder(PROGRESS_STORE));
      }
    };
  }

  static StoreBuilder<KeyValueStore<String, PeriodState>> periodStore() {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PERIOD_STORE), Serdes.String(),
        new PeriodStateSerde());
  }

  static StoreBuilder<KeyValueStore<String, PeriodState>> pendingStore() {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PENDING_STORE), Serdes.String(),
        new PeriodStateSerde());
  }

  @Override
  public void init(ProcessorContext<String, BillingLine> context) {
    this.context = context;
    this.periods = context.getStateStore(PERIOD_STORE);
    this.pending = context.getStateStore(PENDING_STORE);
    this.progress = new PartitionWatermarks(context.getStateStore(PROGRESS_STORE), inputPartitions);
    this.counters = new MeteringCounters(context.metrics(), "billing-" + context.taskId());
  }

  @Override
  public void process(Record<String, RollupEvent> record) {
    RollupEvent event = record.value();
    progress.observe(event);
    if (event instanceof RollupEvent.BillingDelta d) {
      add(d);
    }
    settle();
  }

  /**
   * The close time of the batch a share belongs to (see the class comment), epoch ms.
   *
   * @param periodStart start of the share's billing period
   * @param stamp its input partition's stream time right after its sample
   */
  public static long batchClose(MeteringConfig config, long periodStart, long stamp) {
    long onTime = periodStart + PERIOD_MS + config.billingGrace().toMillis();
    long batchMs = config.window().toMillis();
    return stamp < onTime ? onTime : Math.floorDiv(stamp, batchMs) * batchMs + batchMs;
  }

  private void add(RollupEvent.BillingDelta c) {
    if (c.periodStart() <= progress.stored(PURGED_UP_TO)) {
      // cannot happen while the input partitions stay as they are: the intake sends such samples to the late topic
      counters.increment(Counter.LATE_BEYOND_RESTATEMENT);
      log.warn("Contribution for {} {} {} arrived after its period was forgotten; not billed", c.tenantId(), c.modelId(),
          Instant.ofEpochMilli(c.periodStart()));
      return;
    }
    if (c.batchClose() <= settledUpTo) {
      // cannot happen: the intake sends a batch's deltas before it reports a stream time past the batch's close
      log.warn("Shares for {} {} {} arrived after their batch closed at {}; they go into the next revision", c.tenantId(),
          c.modelId(), Instant.ofEpochMilli(c.periodStart()), Instant.ofEpochMilli(c.batchClose()));
      settledUpTo = Long.MIN_VALUE;
    }
    String key = SortableTime.of(c.batchClose()) + "|" + lineKey(c.periodStart(), c.tenantId(), c.modelId());
    PeriodState batch = pending.get(key);
    BillingAmounts amounts = batch == null ? new BillingAmounts() : batch.amounts();
    pending.put(key, new PeriodState(0, amounts.add(c.amounts())));
  }

  /**
   * Emits the batches the watermark has reached, in order of close time, each as the next revision
   * of its line; then forgets the periods no contribution can reach any more.
   */
  private void settle() {
    long watermark = progress.watermark();
    if (watermark == Long.MIN_VALUE || watermark <= settledUpTo) {
      return;
    }
    settledUpTo = watermark;
    List<KeyValue<String, PeriodState>> due = new ArrayList<>();
    try (KeyValueIterator<String, PeriodState> it = pending.range("", SortableTime.of(watermark) + "|" + HIGH)) {
      it.forEachRemaining(due::add);
    }
    for (KeyValue<String, PeriodState> batch : due) {
      String line = batch.key.substring(batch.key.indexOf('|') + 1);
      PeriodState before = periods.get(line);
      BillingAmounts amounts = before == null ? new BillingAmounts() : before.amounts();
      amounts.add(batch.value.amounts());
      int revision = before == null ? 1 : before.revision() + 1;
      String[] parts = line.split("\\|", 3);
      emit(parts[1], parts[2], Long.parseLong(parts[0]), revision, amounts);
      periods.put(line, new PeriodState(revision, amounts));
      pending.delete(batch.key);
    }
    // a contribution's stamp is before its period end + horizon (else it went to the late topic), so its
    // batch closes at the latest one batch later
    long forgettable = Math.floorDiv(watermark - horizonMs - batchMs - PERIOD_MS, PERIOD_MS) * PERIOD_MS;
    long purgedUpTo = progress.stored(PURGED_UP_TO);
    if (forgettable > purgedUpTo) {
      List<String> toForget = new ArrayList<>();
      try (KeyValueIterator<String, PeriodState> it = periods.range(
          purgedUpTo == Long.MIN_VALUE ? "" : SortableTime.of(purgedUpTo) + "|" + HIGH, SortableTime.of(forgettable) + "|" + HIGH)) {
        while (it.hasNext()) {
          toForget.add(it.next().key);
        }
      }
      toForget.forEach(periods::delete);
      progress.store(PURGED_UP_TO, forgettable);
    }
  }

  private void emit(String tenantId, String modelId, long periodStart, int revision, BillingAmounts a) {
    Instant start = Instant.ofEpochMilli(periodStart);
    BillingLine line = BillingLine.newBuilder()
        .setTenantId(tenantId).setModelId(modelId)
        .setPeriodStart(start).setPeriodEnd(start.plusMillis(PERIOD_MS))
        .setPromptTokens(a.promptTokens()).setCompletionTokens(a.completionTokens())
        .setEnergyJ(a.energyJ()).setEnergyCost(a.energyCost()).setCapacityCost(a.capacityCost())
        .setTotalCost(a.totalCost()).setCurrency(currency).setCostPerMillionTokens(a.costPerMillionTokens())
        .setRevision(revision).setIsFinal(true).setUnpricedSamples(a.unpricedSamples())
        .setOperationalCarbonG(a.operationalCarbonG()).setEmbodiedCarbonG(a.embodiedCarbonG()).setCarbonG(a.carbonG())
        .build();
    context.forward(new Record<>(OutputKey.billing(tenantId, modelId, start), line, periodStart + PERIOD_MS));
  }

  static String lineKey(long periodStart, String tenantId, String modelId) {
    return SortableTime.of(periodStart) + "|" + tenantId + "|" + modelId;
  }


  @Override
  public void close() {
    counters.close();
  }
}
