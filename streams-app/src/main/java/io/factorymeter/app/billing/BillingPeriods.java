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
import io.factorymeter.app.metering.CostSums;
import io.factorymeter.app.pricing.PriceHistory;
import io.factorymeter.app.pricing.PriceVersionStore;
import io.factorymeter.app.pricing.ReferenceView;
import io.factorymeter.contract.PriceRules;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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
  public static final String CORRECTION_STORE = "billing-corrections";
  private static final String EMITTED_UP_TO = "emitted-up-to";
  private static final String SEEN = "seen|";
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
  /** pad(close)|pad(effectiveFrom)|store|partition|offset → kind|site or GPU model|key|anchor: corrections due at a close. */
  private KeyValueStore<String, String> corrections;
  private PartitionWatermarks progress;
  private MeteringCounters counters;
  private PriceHistory history;
  private long settledUpTo = Long.MIN_VALUE;
  private long historyGeneration = Long.MIN_VALUE;

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
        return Set.of(periodStore(), pendingStore(), PartitionWatermarks.storeBuilder(PROGRESS_STORE), correctionStore());
      }
    };
  }

  static StoreBuilder<KeyValueStore<String, PeriodState>> periodStore() {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PERIOD_STORE), Serdes.String(),
        new PeriodStateSerde());
  }

  static StoreBuilder<KeyValueStore<String, PeriodState>> pendingStore() {
    // cached: a batch's amounts are rewritten with every delta; the changelog gets the last of a commit
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PENDING_STORE), Serdes.String(),
        new PeriodStateSerde()).withCachingEnabled();
  }

  static StoreBuilder<KeyValueStore<String, String>> correctionStore() {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CORRECTION_STORE), Serdes.String(), Serdes.String());
  }

  @Override
  public void init(ProcessorContext<String, BillingLine> context) {
    this.context = context;
    this.periods = context.getStateStore(PERIOD_STORE);
    this.pending = context.getStateStore(PENDING_STORE);
    this.corrections = context.getStateStore(CORRECTION_STORE);
    this.progress = new PartitionWatermarks(context.getStateStore(PROGRESS_STORE), inputPartitions);
    this.history = PriceHistory.connect(context);
    // a task reopened after an error gets its stores rolled back to the last commit, but keeps this instance
    this.settledUpTo = Long.MIN_VALUE;
    this.historyGeneration = Long.MIN_VALUE;
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
    pending.put(key, new PeriodState(amounts.add(c.amounts())));
  }

  /**
   * The close of the first batch after {@code anchorMs}: the batch close at which a version known
   * from that instant is first used, and at which a correction is applied (the late branch of
   * {@link #batchClose}).
   */
  long anchorClose(long anchorMs) {
    return Math.floorDiv(anchorMs, batchMs) * batchMs + batchMs;
  }

  /**
   * Emits the batches and applies the corrections the watermark has reached, in order of close
   * time; then forgets the periods no contribution can reach any more.
   */
  private void settle() {
    long watermark = progress.watermark();
    if (watermark == Long.MIN_VALUE || watermark <= settledUpTo) {
      return;
    }
    settledUpTo = watermark;
    long emittedUpTo = progress.stored(EMITTED_UP_TO);
    registerCorrections(emittedUpTo);
    TreeMap<Long, List<KeyValue<String, PeriodState>>> batches = new TreeMap<>();
    try (KeyValueIterator<String, PeriodState> it = pending.range("", SortableTime.of(watermark) + "|" + HIGH)) {
      it.forEachRemaining(kv -> batches.computeIfAbsent(closeOf(kv.key), c -> new ArrayList<>()).add(kv));
    }
    TreeMap<Long, List<KeyValue<String, String>>> due = new TreeMap<>();
    try (KeyValueIterator<String, String> it = corrections.range("", SortableTime.of(watermark) + "|" + HIGH)) {
      it.forEachRemaining(kv -> due.computeIfAbsent(closeOf(kv.key), c -> new ArrayList<>()).add(kv));
    }
    TreeSet<Long> closes = new TreeSet<>(batches.keySet());
    closes.addAll(due.keySet());
    for (long close : closes) {
      ReferenceView view = history.asOf(anchor -> anchorClose(anchor) <= close);
      for (KeyValue<String, PeriodState> batch : batches.getOrDefault(close, List.of())) {
        String line = batch.key.substring(batch.key.indexOf('|') + 1);
        PeriodState before = periods.get(line);
        BillingAmounts amounts = before == null ? new BillingAmounts() : before.amounts();
        amounts.add(batch.value.amounts());
        emit(line, before == null ? 1 : before.revision() + 1, amounts, view);
        pending.delete(batch.key);
      }
      List<KeyValue<String, String>> applied = due.getOrDefault(close, List.of());
      if (!applied.isEmpty()) {
        restate(close, applied, view);
      }
    }
    progress.store(EMITTED_UP_TO, watermark);
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

  private static long closeOf(String key) {
    return Long.parseLong(key.substring(0, key.indexOf('|')));
  }

  /**
   * Reads the reference versions stored since this task last looked, and registers each
   * correction at the close it is applied at:
   * <ul>
   *   <li>the close of its anchor, when that is still to come (or the task starts from empty state,
   *       as a replay does: then every correction is registered at its anchor's close, and those
   *       before the first batch simply come first);</li>
   *   <li>else, for a correction that arrived after the close of its anchor was emitted, or a
   *       version without publishedAt that took effect before the latest stream time an input
   *       partition reported (samples it covers may have been metered without it), the first close
   *       not yet emitted: counted and logged.</li>
   * </ul>
   * A version known before it takes effect (anchor ≤ effectiveFrom) that arrives in time changes no
   * emitted line.
   */
  private void registerCorrections(long emittedUpTo) {
    long generation = history.generation();
    if (generation == historyGeneration) {
      return;
    }
    historyGeneration = generation;
    Map<String, Map<Integer, Long>> seen = new HashMap<>();
    try (KeyValueIterator<String, Long> it = progress.range(SEEN, SEEN + HIGH)) {
      it.forEachRemaining(kv -> {
        String[] parts = kv.key.split("\\|");
        seen.computeIfAbsent(parts[1], s -> new HashMap<>()).put(Integer.parseInt(parts[2]), kv.value);
      });
    }
    boolean fresh = emittedUpTo == Long.MIN_VALUE;
    long next = fresh ? Long.MIN_VALUE : anchorClose(emittedUpTo);
    Map<String, Integer> passed = new TreeMap<>();
    for (PriceHistory.Published p : history.publishedAfter(seen)) {
      PriceVersionStore.Published v = p.version();
      progress.store(SEEN + p.store() + "|" + v.partition(), v.offset());
      long close = anchorClose(v.anchor());
      long at;
      if (v.anchor() <= v.effectiveFrom() && (fresh || v.effectiveFrom() > progress.latest())) {
        continue;   // known before it took effect, and before any partition reported a stream time past it
      } else if (v.anchor() > v.effectiveFrom() && (fresh || close > emittedUpTo)) {
        at = close;
      } else {
        at = next;
        counters.increment(Counter.CORRECTIONS_ANCHOR_PASSED);
        passed.merge(p.kind().name() + " " + PriceRules.quoted(v.key()), 1, Integer::sum);
      }
      corrections.put(SortableTime.of(at) + "|" + SortableTime.of(v.effectiveFrom()) + "|" + p.store() + "|" + v.partition()
          + "|" + v.offset(), p.kind().name() + "|" + p.kind().keyField() + "|" + v.anchor() + "|" + v.key());
    }
    passed.forEach((what, n) -> log.warn("{} version(s) of the {} arrived after billing had passed their publishedAt "
        + "(or effectiveFrom, when they have none): applied at the batch close {}; a replay may apply them at an earlier "
        + "close, with the same values in another revision. Publish corrections with publishedAt (--published-at now)",
        n, what, Instant.ofEpochMilli(next)));
  }

  /**
   * Applies the corrections due at {@code close} (see the class comment): prices every line still
   * restatable whose period ends after the earliest effectiveFrom among them again, as of the
   * close, and re-emits those whose figures changed; counts and logs the periods past the horizon.
   */
  private void restate(long close, List<KeyValue<String, String>> due, ReferenceView view) {
    // the last batch of a period closes at its end + horizon at the latest (BillingPeriods#batchClose)
    long firstRestatable = -Math.floorDiv(-(close - horizonMs - PERIOD_MS), PERIOD_MS) * PERIOD_MS;
    long earliest = Long.MAX_VALUE;
    // kind|site or gpuModel|key → {corrections, earliest effectiveFrom, latest effectiveFrom, latest anchor}: one WARN each
    Map<String, long[]> beyond = new TreeMap<>();
    for (KeyValue<String, String> c : due) {
      String[] key = c.key.split("\\|");
      long effectiveFrom = Long.parseLong(key[1]);
      String[] what = c.value.split("\\|", 4);
      counters.increment(Counter.CORRECTIONS_APPLIED);
      long coveredFrom = Math.floorDiv(effectiveFrom, PERIOD_MS) * PERIOD_MS;
      if (coveredFrom < firstRestatable) {
        counters.increment(Counter.CORRECTIONS_BEYOND_HORIZON);
        long anchor = Long.parseLong(what[2]);
        beyond.merge(what[0] + "|" + what[1] + "|" + what[3], new long[] {1, effectiveFrom, effectiveFrom, anchor},
            (a, b) -> new long[] {a[0] + 1, Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])});
      }
      earliest = Math.min(earliest, Math.max(coveredFrom, firstRestatable));
      corrections.delete(c.key);
    }
    beyond.forEach((what, n) -> {
      String[] w = what.split("\\|", 3);
      log.warn("{} correction(s) of the {} for {} {} from {}{} (published up to {}): periods from {} to {} are past the "
          + "restatement horizon at {} and are not restated", n[0], w[0], w[1], PriceRules.quoted(w[2]), Instant.ofEpochMilli(n[1]),
          n[2] == n[1] ? "" : " to " + Instant.ofEpochMilli(n[2]), Instant.ofEpochMilli(n[3]),
          Instant.ofEpochMilli(Math.floorDiv(n[1], PERIOD_MS) * PERIOD_MS), Instant.ofEpochMilli(firstRestatable),
          Instant.ofEpochMilli(close));
    });
    int restated = 0;
    List<KeyValue<String, PeriodState>> lines = new ArrayList<>();
    try (KeyValueIterator<String, PeriodState> it = periods.range(SortableTime.of(earliest), SortableTime.of(close) + "|" + HIGH)) {
      it.forEachRemaining(lines::add);
    }
    // the period store holds emitted lines only; one emitted at this close has its figures as of it already
    for (KeyValue<String, PeriodState> line : lines) {
      CostSums figures = line.value.amounts().priced(view);
      if (!figures.equals(line.value.emitted())) {
        emit(line.key, line.value.revision() + 1, line.value.amounts(), figures);
        restated++;
      }
    }
    log.info("{} correction(s) of reference data applied at {}: {} line(s) restated", due.size(), Instant.ofEpochMilli(close),
        restated);
  }

  private void emit(String line, int revision, BillingAmounts amounts, ReferenceView view) {
    emit(line, revision, amounts, amounts.priced(view));
  }

  /** Emits {@code line} (its store key) as {@code revision} with {@code figures}, and stores what was emitted. */
  private void emit(String line, int revision, BillingAmounts amounts, CostSums figures) {
    String[] parts = line.split("\\|", 3);
    emit(parts[1], parts[2], Long.parseLong(parts[0]), revision, amounts, figures);
    periods.put(line, new PeriodState(revision, amounts, figures));
  }

  private void emit(String tenantId, String modelId, long periodStart, int revision, BillingAmounts amounts, CostSums a) {
    Instant start = Instant.ofEpochMilli(periodStart);
    long tokens = amounts.tokens();
    BillingLine line = BillingLine.newBuilder()
        .setTenantId(tenantId).setModelId(modelId)
        .setPeriodStart(start).setPeriodEnd(start.plusMillis(PERIOD_MS))
        .setPromptTokens(amounts.promptTokens()).setCompletionTokens(amounts.completionTokens())
        .setEnergyJ(a.energyJ()).setEnergyCost(a.energyCost()).setCapacityCost(a.capacityCost())
        .setTotalCost(a.totalCost()).setCurrency(currency).setCostPerMillionTokens(a.costPerMillionTokens(tokens))
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
