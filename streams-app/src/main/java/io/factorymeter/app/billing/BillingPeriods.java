package io.factorymeter.app.billing;

import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.metering.MeteringCounters;
import io.factorymeter.app.metering.MeteringCounters.Counter;
import io.factorymeter.contract.OutputKey;
import io.factorymeter.schema.BillingLine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles billing periods (SPEC §4): sums the contributions of each tenant × model × hour, emits
 * one final line per key when the period closes, and a restatement (same key, revision + 1) for
 * every contribution that arrives after that, until the restatement horizon has passed; in between
 * nothing is written for the key.
 *
 * <p>Closing is driven by event time only. The watermark is the smallest stream time among all
 * input partitions, as last reported by their contributions and watermarks: a period closes once
 * every partition has passed its end + billing grace, so a partition that lags (or is slower to
 * process) never has its samples turn into restatements. A partition that reports nothing holds
 * periods open: producers send heartbeats to every partition (see the README).
 */
public final class BillingPeriods implements Processor<String, BillingEvent, String, BillingLine> {

  private static final Logger log = LoggerFactory.getLogger(BillingPeriods.class);

  public static final String PERIOD_STORE = "billing-periods";
  public static final String PROGRESS_STORE = "billing-progress";
  private static final long PERIOD_MS = MeteringConfig.BILLING_PERIOD.toMillis();
  private static final String CLOSED_UP_TO = "closed-up-to";
  private static final String PURGED_UP_TO = "purged-up-to";
  private static final String HIGH = "\uffff";

  private final int inputPartitions;
  private final long graceMs;
  private final long horizonMs;
  private final String currency;
  private ProcessorContext<String, BillingLine> context;
  private KeyValueStore<String, PeriodState> periods;
  private KeyValueStore<String, Long> progress;
  private MeteringCounters counters;

  public BillingPeriods(MeteringConfig config) {
    this.inputPartitions = config.inputPartitions();
    this.graceMs = config.billingGrace().toMillis();
    this.horizonMs = config.restatementHorizon().toMillis();
    this.currency = config.currency();
  }

  public static StoreBuilder<KeyValueStore<String, PeriodState>> periodStore() {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PERIOD_STORE), Serdes.String(),
        new BillingEventSerde.PeriodStateSerde());
  }

  public static StoreBuilder<KeyValueStore<String, Long>> progressStore() {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PROGRESS_STORE), Serdes.String(), Serdes.Long())
        .withCachingEnabled();
  }

  @Override
  public void init(ProcessorContext<String, BillingLine> context) {
    this.context = context;
    this.periods = context.getStateStore(PERIOD_STORE);
    this.progress = context.getStateStore(PROGRESS_STORE);
    this.counters = new MeteringCounters(context.metrics(), "billing-" + context.taskId());
  }

  @Override
  public void process(Record<String, BillingEvent> record) {
    BillingEvent event = record.value();
    String partitionKey = "partition-" + event.sourcePartition();
    Long known = progress.get(partitionKey);
    if (known == null || event.sourceStreamTime() > known) {
      progress.put(partitionKey, event.sourceStreamTime());
    }
    if (event instanceof BillingEvent.Contribution c) {
      add(c);
    }
    settle();
  }

  private void add(BillingEvent.Contribution c) {
    if (c.periodStart() <= stored(PURGED_UP_TO)) {
      // cannot happen while the input partitions stay as they are: the intake sends such samples to the late topic
      counters.increment(Counter.LATE_BEYOND_RESTATEMENT);
      log.warn("Contribution for {} {} {} arrived after its period was forgotten; not billed", c.tenantId(), c.modelId(),
          Instant.ofEpochMilli(c.periodStart()));
      return;
    }
    String key = storeKey(c.periodStart(), c.tenantId(), c.modelId());
    PeriodState state = periods.get(key);
    BillingAmounts amounts = state == null ? new BillingAmounts() : state.amounts();
    amounts.add(c.amounts());
    int revision = state == null ? 0 : state.revision();
    if (c.periodStart() <= stored(CLOSED_UP_TO)) {
      // the period is settled already: restate it
      revision++;
      emit(c.tenantId(), c.modelId(), c.periodStart(), revision, amounts);
    }
    periods.put(key, new PeriodState(revision, amounts));
  }

  /** Closes the periods the watermark has passed (end + grace) and forgets those past the horizon. */
  private void settle() {
    long watermark = watermark();
    if (watermark == Long.MIN_VALUE) {
      return;
    }
    long closable = Math.floorDiv(watermark - graceMs - PERIOD_MS, PERIOD_MS) * PERIOD_MS;
    long closedUpTo = stored(CLOSED_UP_TO);
    if (closable > closedUpTo) {
      List<KeyValue<String, PeriodState>> toClose = new ArrayList<>();
      try (KeyValueIterator<String, PeriodState> it = periods.range(lowerBound(closedUpTo), pad(closable) + "|" + HIGH)) {
        while (it.hasNext()) {
          KeyValue<String, PeriodState> kv = it.next();
          if (kv.value.revision() == 0) {
            toClose.add(kv);
          }
        }
      }
      for (KeyValue<String, PeriodState> kv : toClose) {
        String[] parts = kv.key.split("\\|", 3);
        emit(parts[1], parts[2], Long.parseLong(parts[0]), 1, kv.value.amounts());
        periods.put(kv.key, new PeriodState(1, kv.value.amounts()));
      }
      progress.put(CLOSED_UP_TO, closable);
    }
    long forgettable = Math.floorDiv(watermark - horizonMs - PERIOD_MS, PERIOD_MS) * PERIOD_MS;
    long purgedUpTo = stored(PURGED_UP_TO);
    if (forgettable > purgedUpTo) {
      List<String> toForget = new ArrayList<>();
      try (KeyValueIterator<String, PeriodState> it = periods.range(lowerBound(purgedUpTo), pad(forgettable) + "|" + HIGH)) {
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
    for (int p = 0; p < inputPartitions; p++) {
      Long t = progress.get("partition-" + p);
      if (t == null) {
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

  private static String lowerBound(long upTo) {
    return upTo == Long.MIN_VALUE ? "" : pad(upTo) + "|" + HIGH;
  }

  static String storeKey(long periodStart, String tenantId, String modelId) {
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
