package io.factorymeter.app.metering;

import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.deadletter.DeadLetter;
import io.factorymeter.app.ledger.IntakeLedger;
import io.factorymeter.app.ledger.LedgerCounts;
import io.factorymeter.app.metering.Intake.Ledgered;
import io.factorymeter.app.metering.Intake.Rejected;
import io.factorymeter.app.metering.Intake.TooLate;
import io.factorymeter.app.metering.MeteringCounters.Counter;
import io.factorymeter.app.metering.SampleValidation.Reason;
import io.factorymeter.app.metering.SampleValidation.Violation;
import io.factorymeter.app.pricing.PriceHistory;
import io.factorymeter.app.state.CommitHook;
import io.factorymeter.app.state.WriteBehindCache;
import io.factorymeter.contract.Heartbeat;
import io.factorymeter.contract.OutputKey;
import io.factorymeter.registry.serde.SchemaRegistryUnavailableException;
import io.factorymeter.schema.NodeSample;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge of the pipeline, per input partition (keyed by nodeId, so no repartition), in the
 * steps of SPEC §1:
 * <ol>
 *   <li>decode (not decodable: DESERIALIZATION; the schema registry unavailable: wait, never a dead letter);</li>
 *   <li>validate: key = nodeId, identifiers, ranges ({@link SampleValidation}); the event time not
 *       further ahead of the record's timestamp than the allowed skew (FUTURE_TIMESTAMP);</li>
 *   <li>advance the partition's stream time and name the boundaries it sets:
 *       {@code metricsCloseTime = streamTime − grace}, {@code restatementCloseTime = streamTime − horizon};</li>
 *   <li>too late: the sample's billing period ended at or before the restatement close time → late topic;</li>
 *   <li>duplicate (nodeId, timestamp) within the dedup horizon → counted and dropped;</li>
 *   <li>price (and carbon figures) in effect at the sample's own timestamp, as known at the stream time (corrections published after it are left to billing: {@code PriceHistory#price}); late for metrics when its metric window ended at
 *       or before the metrics close time;</li>
 *   <li>sum it into the partition's node windows, cluster, fleet and billing deltas
 *       ({@link PartitionSums}), which go on when stream time settles them and at every flush
 *       ({@code factory.meter.flush.interval} of wall-clock time: how often, never what).</li>
 * </ol>
 * Each record's outcome (metered, duplicate, dead letter, too late) is counted in the partition's
 * intake ledger ({@link IntakeLedger}) once the step that decided it is done; a record a step fails
 * on is counted as a PROCESSING_ERROR dead letter, which the processing exception handler writes.
 *
 * <p>Stream time is the largest event time of a valid sample or heartbeat seen on the partition
 * (kept in a state store, so a restart continues from it). Everything is decided against this
 * partition's own stream time, so the outcome of a record depends only on the partition's records
 * before it: a replay decides the same. Nothing the intake sends on carries input headers.
 */
public final class SampleIntake implements Processor<String, byte[], String, Intake> {

  private static final Logger log = LoggerFactory.getLogger(SampleIntake.class);

  public static final String DEDUP_STORE = "sample-dedup";
  public static final String CLOCK_STORE = "sample-stream-time";
  static final String COMMIT_HOOK = "sample-intake-commit";
  private static final String CLOCK_KEY = "stream-time";
  private static final byte[] SEEN = new byte[0];
  /** How long one record waits for an unavailable schema registry before its task gives up and is retried. */
  static final Duration REGISTRY_WAIT = Duration.ofSeconds(20);

  private final MeteringConfig config;
  private final Deserializer<NodeSample> deserializer;
  private final long windowMs;
  private final long graceMs;
  private final long horizonMs;
  private final long maxSkewMs;
  private ProcessorContext<String, Intake> context;
  private PartitionSums sums;
  private WindowStore<String, TimestampSet> seen;
  /** Dedup sets read or changed lately; the changed ones are written to the store at the commit. */
  private WriteBehindCache<NodeWindow, TimestampSet> seenSets;
  private KeyValueStore<String, Long> clock;
  private PriceHistory prices;
  private MeteringCounters counters;
  private IntakeLedger ledger;
  private long streamTime = Long.MIN_VALUE;
  private long progressSent = Long.MIN_VALUE;

  /** Creates the intake and owns its stores. */
  public static ProcessorSupplier<String, byte[], String, Intake> supplier(MeteringConfig config,
      Deserializer<NodeSample> deserializer) {
    return new ProcessorSupplier<>() {
      @Override
      public Processor<String, byte[], String, Intake> get() {
        return new SampleIntake(config, deserializer);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        Set<StoreBuilder<?>> stores = new HashSet<>(PartitionSums.stores());
        stores.add(dedupStore(config));
        stores.add(clockStore());
        stores.add(CommitHook.builder(COMMIT_HOOK));
        stores.add(IntakeLedger.storeBuilder());
        return stores;
      }
    };
  }

  private SampleIntake(MeteringConfig config, Deserializer<NodeSample> deserializer) {
    this.config = config;
    this.deserializer = deserializer;
    this.windowMs = config.window().toMillis();
    this.graceMs = config.grace().toMillis();
    this.horizonMs = config.restatementHorizon().toMillis();
    this.maxSkewMs = config.maxFutureSkew().toMillis();
  }

  /**
   * Remembers the sample timestamps counted per node and metric window ({@link TimestampSet}) for
   * the dedup horizon, plus the period and window a sample still accepted at the horizon can
   * belong to.
   */
  static StoreBuilder<WindowStore<String, TimestampSet>> dedupStore(MeteringConfig config) {
    Duration retention = config.dedupHorizon().plus(MeteringConfig.BILLING_PERIOD).plus(config.window());
    return Stores.windowStoreBuilder(Stores.persistentWindowStore(DEDUP_STORE, retention, config.window(), false),
        Serdes.String(), new TimestampSet.Serde()).withCachingDisabled();   // written at commits: see writeBack
  }

  /** Stream time of the partition. */
  static StoreBuilder<KeyValueStore<String, Long>> clockStore() {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CLOCK_STORE), Serdes.String(), Serdes.Long())
        .withCachingEnabled();
  }

  @Override
  public void init(ProcessorContext<String, Intake> context) {
    this.context = context;
    this.seen = context.getStateStore(DEDUP_STORE);
    this.seenSets = new WriteBehindCache<>(config.valueCacheEntries());
    this.clock = context.getStateStore(CLOCK_STORE);
    this.prices = PriceHistory.connect(context);
    this.counters = new MeteringCounters(context.metrics(), context.taskId().toString());
    counters.register(Counter.SAMPLES_IN, Counter.HEARTBEATS, Counter.DUPLICATES, Counter.LATE_FOR_METRICS,
        Counter.LATE_BEYOND_RESTATEMENT, Counter.UNPRICED);
    for (Reason reason : Reason.values()) {
      counters.register(Counter.invalid(reason));
    }
    this.sums = new PartitionSums(config, context, context.taskId().partition());
    KeyValueStore<String, LedgerCounts> ledgerStore = context.getStateStore(IntakeLedger.STORE);
    this.ledger = new IntakeLedger(config, config.topics().telemetry(), context.taskId().partition(), ledgerStore,
        hour -> context.forward(new Record<>(OutputKey.window(Integer.toString(hour.getPartition()), hour.getPeriodStart()),
            (Intake) new Ledgered(hour), hour.getPeriodStart().toEpochMilli())));
    CommitHook hook = context.getStateStore(COMMIT_HOOK);
    hook.onCommit(this::writeBack, () -> streamTime);
    Long stored = clock.get(CLOCK_KEY);
    this.streamTime = stored == null ? Long.MIN_VALUE : stored;
    context.schedule(config.flushInterval(), PunctuationType.WALL_CLOCK_TIME, now -> sums.flush(streamTime));
  }

  @Override
  public void process(Record<String, byte[]> record) {
    long counted = ledger.outcomes();
    try {
      processRecord(record);
    } catch (RuntimeException e) {
      if (!SchemaRegistryUnavailableException.isCause(e) && ledger.outcomes() == counted) {
        // the processing exception handler writes the record to the dead-letter topic (PROCESSING_ERROR)
        ledger.deadLetter("PROCESSING_ERROR", record.timestamp(), streamTime);
      }
      throw e;
    }
  }

  private void processRecord(Record<String, byte[]> record) {
    if (record.headers().lastHeader(Heartbeat.HEADER) != null && record.value() == null) {
      // a record with a value is a sample whatever its headers say: it is metered or dead-lettered, never dropped
      heartbeat(record);
      return;
    }
    counters.increment(Counter.SAMPLES_IN);

    // 1. decode
    NodeSample sample;
    try {
      sample = decode(record);
    } catch (SchemaRegistryUnavailableException e) {
      throw e;   // not the record's fault: the task fails and is retried (see MeteringApplication)
    } catch (RuntimeException e) {
      reject(record, new Violation(Reason.DESERIALIZATION, e.getMessage() == null ? e.toString() : e.getMessage()));
      return;
    }
    if (sample == null) {
      reject(record, new Violation(Reason.DESERIALIZATION, "record has no value (tombstone)"));
      return;
    }

    // 2. validate (the key is read byte for byte as ISO-8859-1: a valid nodeId is ASCII, which reads the same)
    Optional<Violation> violation = SampleValidation.check(sample)
        .or(() -> sample.getNodeId().equals(record.key()) ? Optional.empty()
            : Optional.of(new Violation(Reason.KEY_MISMATCH, "record key " + (record.key() == null ? "null"
                : "'" + new String(TelemetryKeySerde.bytes(record.key()), java.nio.charset.StandardCharsets.UTF_8) + "'")
                + " is not the sample's nodeId '" + sample.getNodeId() + "'")))
        .or(() -> SampleValidation.checkTime(sample.getTimestamp().toEpochMilli(), record.timestamp(), maxSkewMs));
    if (violation.isPresent()) {
      reject(record, violation.get());
      return;
    }

    // 3. stream time and the boundaries it sets
    long ts = sample.getTimestamp().toEpochMilli();
    advance(ts);
    long metricsCloseTime = streamTime - graceMs;
    long restatementCloseTime = streamTime - horizonMs;

    // 4. too late even for a restatement
    long periodEnd = MeteringConfig.billingPeriodStart(ts) + MeteringConfig.BILLING_PERIOD.toMillis();
    if (periodEnd <= restatementCloseTime) {
      counters.increment(Counter.LATE_BEYOND_RESTATEMENT);
      ledger.tooLate(streamTime);
      DeadLetter late = deadLetter(record, "BEYOND_RESTATEMENT_HORIZON", "sample at " + OutputKey.iso(sample.getTimestamp())
          + ": its billing period ended more than the restatement horizon " + config.restatementHorizon()
          + " before stream time " + OutputKey.iso(Instant.ofEpochMilli(streamTime)));
      context.forward(new Record<>((String) null, (Intake) new TooLate(late), record.timestamp(), late.headers()));
      return;
    }

    // 5. duplicate?
    long windowStart = Math.floorDiv(ts, windowMs) * windowMs;
    int offset = (int) (ts - windowStart);
    NodeWindow nodeWindow = new NodeWindow(sample.getNodeId(), windowStart);
    TimestampSet earlier = seenSets.get(nodeWindow, w -> seen.fetch(w.nodeId(), w.windowStart()));
    if (earlier != null && earlier.contains(offset)) {
      counters.increment(Counter.DUPLICATES);
      ledger.duplicate(ts, streamTime);
      return;
    }
    TimestampSet now = (earlier == null ? TimestampSet.empty() : earlier).with(offset);
    seenSets.put(nodeWindow, now);

    // 6. price; late for metrics?
    PricedSample priced = prices.price(sample, streamTime);
    if (priced.unpriced()) {
      counters.increment(Counter.UNPRICED);
    }
    boolean forMetrics = windowStart + windowMs > metricsCloseTime;
    if (!forMetrics) {
      counters.increment(Counter.LATE_FOR_METRICS);
    }

    // 7. sum
    sums.add(priced, forMetrics, earlier == null || earlier.isEmpty(), streamTime);
    ledger.metered(ts, !forMetrics, priced.unpriced(), streamTime);
  }

  /**
   * The task is about to commit ({@link CommitHook}): what changed on the heap since the last
   * commit goes to the stores now, in the same transaction as the input offsets. Stores written
   * here have no Kafka Streams record cache, whose own flush at the commit may have run already.
   */
  private void writeBack() {
    seenSets.writeBack((w, set) -> seen.put(w.nodeId(), set, w.windowStart()));
    sums.writeBack();
    ledger.writeBack();
  }

  /** A node's metric window, the key of its dedup set. */
  private record NodeWindow(String nodeId, long windowStart) {
  }

  /**
   * The sample in the record, or null for a tombstone. While the schema registry is unavailable,
   * retries for up to {@link #REGISTRY_WAIT}, then throws {@link SchemaRegistryUnavailableException}.
   */
  private NodeSample decode(Record<String, byte[]> record) {
    if (record.value() == null) {
      return null;
    }
    String topic = context.recordMetadata().map(RecordMetadata::topic).orElse(config.topics().telemetry());
    long deadline = System.nanoTime() + REGISTRY_WAIT.toNanos();
    long backoffMs = 100;
    while (true) {
      try {
        NodeSample sample = deserializer.deserialize(topic, record.value());
        SchemaRegistryWait.answered();
        return sample;
      } catch (RuntimeException e) {
        if (!SchemaRegistryUnavailableException.isCause(e)) {
          throw e;
        }
        SchemaRegistryWait.failed(e.getMessage());
        if (System.nanoTime() > deadline) {
          log.warn("Schema registry unavailable for {}: the task is retried ({})", REGISTRY_WAIT, e.getMessage());
          throw e instanceof SchemaRegistryUnavailableException u ? u
              : new SchemaRegistryUnavailableException(e.getMessage(), null);
        }
        sleep(backoffMs);
        backoffMs = Math.min(2_000, backoffMs * 2);
      }
    }
  }

  /** A heartbeat: no sample, but the partition's stream time is at least its timestamp. */
  private void heartbeat(Record<String, byte[]> record) {
    OptionalLong at = Heartbeat.eventTime(record.headers());
    if (at.isEmpty() || at.getAsLong() < SampleValidation.MIN_TIMESTAMP_MS || at.getAsLong() >= SampleValidation.MAX_TIMESTAMP_MS) {
      // a rejected heartbeat is a dead letter like any input record: counted in samples-in
      counters.increment(Counter.SAMPLES_IN);
      reject(record, new Violation(Reason.DESERIALIZATION, "heartbeat header " + Heartbeat.HEADER
          + " is not an epoch-milliseconds timestamp between 2000 and 2100"));
      return;
    }
    Optional<Violation> future = SampleValidation.checkTime(at.getAsLong(), record.timestamp(), maxSkewMs);
    if (future.isPresent()) {
      counters.increment(Counter.SAMPLES_IN);
      reject(record, future.get());
      return;
    }
    counters.increment(Counter.HEARTBEATS);
    advance(at.getAsLong());
    ledger.heartbeat(streamTime);
    if (progressSent != streamTime) {
      sums.progress(streamTime);
      progressSent = streamTime;
    }
  }

  /**
   * Stream time moves to {@code ts} if that is later: settled node windows and closed billing
   * batches go on first, then, every window of stream time, the partition's progress.
   */
  private void advance(long ts) {
    if (ts > streamTime) {
      long previous = streamTime;
      streamTime = ts;
      clock.put(CLOCK_KEY, ts);
      sums.advanced(previous, streamTime);
      ledger.advanced(streamTime);
      if (progressSent == Long.MIN_VALUE || streamTime - progressSent >= windowMs) {
        sums.progress(streamTime);
        progressSent = streamTime;
      }
    }
  }

  private void reject(Record<String, byte[]> record, Violation v) {
    counters.increment(Counter.invalid(v.reason()));
    ledger.deadLetter(v.reason().name(), record.timestamp(), streamTime);
    DeadLetter dead = deadLetter(record, v.reason().name(), v.detail());
    context.forward(new Record<>((String) null, (Intake) new Rejected(dead), record.timestamp(), dead.headers()));
  }

  private DeadLetter deadLetter(Record<String, byte[]> record, String reason, String detail) {
    DeadLetter.Source source = context.recordMetadata()
        .map(m -> new DeadLetter.Source(m.topic(), m.partition(), m.offset())).orElse(null);
    return DeadLetter.of(TelemetryKeySerde.bytes(record.key()), record.value(), record.headers(), reason, detail, source,
        config.deadLetterMaxBytes());
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryUnavailableException("Interrupted while waiting for the schema registry", null);
    }
  }

  @Override
  public void close() {
    counters.close();
  }
}
