package io.factorymeter.app.billing;

import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.metering.MeteringCounters;
import io.factorymeter.app.metering.MeteringCounters.Counter;
import io.factorymeter.contract.OutputKey;
import io.factorymeter.schema.BillingLine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
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
 * <p>Which line a contribution goes into is a function of the input alone. Each contribution
 * carries its stamp: the stream time of its input partition right after its sample (the intake's
 * own clock, which depends only on that partition's records). It belongs to a <em>batch</em> that
 * closes at
 * <ul>
 *   <li>{@code periodEnd + grace} when its stamp is before that (it was on time for billing), or</li>
 *   <li>the end of the window ({@code factory.meter.window}, 1 minute) its stamp falls in, when it
 *       came late: late data is restated at most once per window of stream time, whatever its
 *       amount.</li>
 * </ul>
 * A batch is emitted once the watermark, the smallest stream time over all input partitions as
 * last reported, has reached its close: by then every contribution stamped before the close has
 * arrived, because each partition's records arrive in the order they were processed. Batches are
 * emitted in the order of their close times, each as the next revision of its line. So the lines
 * and their revisions do not depend on how the partitions' records interleave, how many threads
 * or instances run, or on restarts. A partition that reports nothing holds batches open: producers
 * send heartbeats to every partition (see the README).
 */
public final class BillingPeriods implements Processor<String, BillingEvent, String, BillingLine> {

  private static final Logger log = LoggerFactory.getLogger(BillingPeriods.class);

  public static final String PERIOD_STORE = "billing-periods";
  public static final String PENDING_STORE = "billing-pending";
  public static final String PROGRESS_STORE = "billing-progress";
  private static final long PERIOD_MS = MeteringConfig.BILLING_PERIOD.toMillis();
  private static final String PURGED_UP_TO = "purged-up-to";
  private static final String PARTITION = "partition-";
  private static final String HIGH = "\uffff";

  private final int inputPartitions;
  private final long graceMs;
  private final long horizonMs;
  private final long batchMs;
  private final String currency;
  private ProcessorContext<String, BillingLine> context;
  /** pad(periodStart)|tenant|model → the amounts emitted so far and the last revision. */
  private KeyValueStore<String, PeriodState> periods;
  /** pad(batchClose)|pad(periodStart)|tenant|model → contributions of a batch not emitted yet (revision unused). */
  private KeyValueStore<String, PeriodState> pending;
  private KeyValueStore<String, Long> progress;
  private MeteringCounters counters;
  /** Last reported stream time per input partition; Long.MIN_VALUE while unknown. */
  private long[] partitionTime;
  private long settledUpTo = Long.MIN_VALUE;

  public BillingPeriods(MeteringConfig config) {
    this.inputPartitions = config.inputPartitions();
    this.graceMs = config.billingGrace().toMillis();
    this.horizonMs = config.restatementHorizon().toMillis();
    this.batchMs = config.window().toMillis();
    this.currency = config.currency();
  }

  /** Creates the processor and owns its three stores (connected to it wherever it is added). */
  public static ProcessorSupplier<String, BillingEvent, String, BillingLine> supplier(MeteringConfig config) {
    return new ProcessorSupplier<>() {
      @Override
      public Processor<String, BillingEvent, String, BillingLine> get() {
        return new BillingPeriods(config);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(periodStore(), pendingStore(), progressStore());
      }
    };
  }

  static StoreBuilder<KeyValueStore<String, PeriodState>> periodStore() {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PERIOD_STORE), Serdes.String(),
        new BillingEventSerde.PeriodStateSerde());
  }

  static StoreBuilder<KeyValueStore<String, PeriodState>> pendingStore() {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PENDING_STORE), Serdes.String(),
        new BillingEventSerde.PeriodStateSerde());
  }

  static StoreBuilder<KeyValueStore<String, Long>> progressStore() {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PROGRESS_STORE), Serdes.String(), Serdes.Long())
        .withCachingEnabled();
  }

  @Override
  public void init(ProcessorContext<String, BillingLine> context) {
    this.context = context;
    this.periods = context.getStateStore(PERIOD_STORE);
    this.pending = context.getStateStore(PENDING_STORE);
    this.progress = context.getStateStore(PROGRESS_STORE);
    this.counters = new MeteringCounters(context.metrics(), "billing-" + context.taskId());
    this.partitionTime = new long[inputPartitions];
    Arrays.fill(partitionTime, Long.MIN_VALUE);
    for (int p = 0; p < inputPartitions; p++) {
      Long t = progress.get(PARTITION + p);
      if (t != null) {
        partitionTime[p] = t;
      }
    }
  }

  @Override
  public void process(Record<String, BillingEvent> record) {
    BillingEvent event = record.value();
    int p = event.sourcePartition();
    if (p >= 0 && p < inputPartitions && event.sourceStreamTime() > partitionTime[p]) {
      partitionTime[p] = event.sourceStreamTime();
      progress.put(PARTITION + p, event.sourceStreamTime());
    }
    if (event instanceof BillingEvent.Contribution c) {
      add(c);
    }
    settle();
  }

  /** The close time of the batch a contribution belongs to (see the class comment). */
  long batchClose(long periodStart, long stamp) {
    long onTime = periodStart + PERIOD_MS + graceMs;
    return stamp < onTime ? onTime : Math.floorDiv(stamp, batchMs) * batchMs + batchMs;
  }

  private void add(BillingEvent.Contribution c) {
    if (c.periodStart() <= stored(PURGED_UP_TO)) {
      // cannot happen while the input partitions stay as they are: the intake sends such samples to the late topic
      counters.increment(Counter.LATE_BEYOND_RESTATEMENT);
      log.warn("Contribution for {} {} {} arrived after its period was forgotten; not billed", c.tenantId(), c.modelId(),
          Instant.ofEpochMilli(c.periodStart()));
      return;
    }
    String key = pad(batchClose(c.periodStart(), c.sourceStreamTime())) + "|" + lineKey(c.periodStart(), c.tenantId(), c.modelId());
    PeriodState batch = pending.get(key);
    BillingAmounts amounts = batch == null ? new BillingAmounts() : batch.amounts();
    pending.put(key, new PeriodState(0, amounts.add(c.amounts())));
  }

  /**
   * Emits the batches the watermark has reached, in order of close time, each as the next revision
   * of its line; then forgets the periods no contribution can reach any more.
   */
  private void settle() {
    long watermark = watermark();
    if (watermark == Long.MIN_VALUE || watermark <= settledUpTo) {
      return;
    }
    settledUpTo = watermark;
    List<KeyValue<String, PeriodState>> due = new ArrayList<>();
    try (KeyValueIterator<String, PeriodState> it = pending.range("", pad(watermark) + "|" + HIGH)) {
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
    long purgedUpTo = stored(PURGED_UP_TO);
    if (forgettable > purgedUpTo) {
      List<String> toForget = new ArrayList<>();
      try (KeyValueIterator<String, PeriodState> it = periods.range(
          purgedUpTo == Long.MIN_VALUE ? "" : pad(purgedUpTo) + "|" + HIGH, pad(forgettable) + "|" + HIGH)) {
        while (it.hasNext()) {
          toForget.add(it.next().key);
        }
      }
      toForget.forEach(periods::delete);
      progress.put(PURGED_UP_TO, forgettable);
    }
  }

  /** The smallest stream time over all input partitions; MIN while one has not reported. */
  private long watermark() {
    long min = Long.MAX_VALUE;
    for (long t : partitionTime) {
      if (t == Long.MIN_VALUE) {
        return Long.MIN_VALUE;
      }
      min = Math.min(min, t);
    }
    return min;
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
        .build();
    context.forward(new Record<>(OutputKey.billing(tenantId, modelId, start), line, periodStart + PERIOD_MS));
  }

  private long stored(String key) {
    Long v = progress.get(key);
    return v == null ? Long.MIN_VALUE : v;
  }

  static String lineKey(long periodStart, String tenantId, String modelId) {
    return pad(periodStart) + "|" + tenantId + "|" + modelId;
  }

  private static String pad(long epochMs) {
    return String.format("%019d", epochMs);
  }

  @Override
  public void close() {
    counters.close();
  }
}
