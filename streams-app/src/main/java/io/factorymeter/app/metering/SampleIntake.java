package io.factorymeter.app.metering;

import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.metering.Intake.Metered;
import io.factorymeter.app.metering.Intake.Progress;
import io.factorymeter.app.metering.Intake.Rejected;
import io.factorymeter.app.metering.Intake.TooLate;
import io.factorymeter.app.metering.MeteringCounters.Counter;
import io.factorymeter.app.metering.SampleValidation.Reason;
import io.factorymeter.app.metering.SampleValidation.Violation;
import io.factorymeter.app.pricing.PriceHistory;
import io.factorymeter.contract.Heartbeat;
import io.factorymeter.contract.OutputKey;
import io.factorymeter.schema.NodeSample;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The edge of the pipeline, per input partition (keyed by nodeId, so no repartition): decodes
 * the record, validates it (SPEC §1), classifies it against stream time, drops duplicates by
 * (nodeId, timestamp), and prices it as of its own timestamp.
 *
 * <p>Stream time here is the largest timestamp of a valid sample seen on the partition (kept in
 * a state store, so a restart continues from it). A sample whose billing period (hour) ended at
 * least the restatement horizon before stream time is too late; one whose metric window has closed
 * (window end + grace ≤ stream time) is late for metrics and is still billed. The forwarded
 * record carries the sample's timestamp, so downstream windows are in event time.
 */
public final class SampleIntake implements FixedKeyProcessor<String, byte[], Intake> {

  public static final String DEDUP_STORE = "sample-dedup";
  public static final String CLOCK_STORE = "sample-stream-time";
  private static final String CLOCK_KEY = "stream-time";
  private static final byte[] SEEN = new byte[0];

  private final MeteringConfig config;
  private final Deserializer<NodeSample> deserializer;
  private final long windowMs;
  private final long graceMs;
  private final long horizonMs;
  private FixedKeyProcessorContext<String, Intake> context;
  private WindowStore<String, byte[]> seen;
  private KeyValueStore<String, Long> clock;
  private PriceHistory prices;
  private MeteringCounters counters;
  private long streamTime = Long.MIN_VALUE;
  private long progressSent = Long.MIN_VALUE;

  public SampleIntake(MeteringConfig config, Deserializer<NodeSample> deserializer) {
    this.config = config;
    this.deserializer = deserializer;
    this.windowMs = config.window().toMillis();
    this.graceMs = config.grace().toMillis();
    this.horizonMs = config.restatementHorizon().toMillis();
  }


  /**
   * Remembers (nodeId, timestamp) of counted samples for the dedup horizon, plus the period and
   * window a sample still accepted at the horizon can belong to.
   */
  public static StoreBuilder<WindowStore<String, byte[]>> dedupStore(MeteringConfig config) {
    Duration retention = config.dedupHorizon().plus(MeteringConfig.BILLING_PERIOD).plus(config.window());
    return Stores.windowStoreBuilder(Stores.persistentWindowStore(DEDUP_STORE, retention, Duration.ofMillis(1), false),
        Serdes.String(), Serdes.ByteArray());
  }

  /** Stream time of the partition. */
  public static StoreBuilder<KeyValueStore<String, Long>> clockStore() {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CLOCK_STORE), Serdes.String(), Serdes.Long())
        .withCachingEnabled();
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Intake> context) {
    this.context = context;
    this.seen = context.getStateStore(DEDUP_STORE);
    this.clock = context.getStateStore(CLOCK_STORE);
    this.prices = PriceHistory.connect(context);
    this.counters = new MeteringCounters(context.metrics(), context.taskId().toString());
    Long stored = clock.get(CLOCK_KEY);
    this.streamTime = stored == null ? Long.MIN_VALUE : stored;
  }

  @Override
  public void process(FixedKeyRecord<String, byte[]> record) {
    if (record.headers().lastHeader(Heartbeat.HEADER) != null && record.value() == null) {
      // a record with a value is a sample whatever its headers say: it is metered or dead-lettered, never dropped
      heartbeat(record);
      return;
    }
    counters.increment(Counter.SAMPLES_IN);
    String topic = context.recordMetadata().map(m -> m.topic()).orElse(config.topics().telemetry());
    NodeSample sample;
    try {
      sample = record.value() == null ? null : deserializer.deserialize(topic, record.value());
    } catch (RuntimeException e) {
      reject(record, new Violation(Reason.DESERIALIZATION, e.getMessage() == null ? e.toString() : e.getMessage()));
      return;
    }
    if (sample == null) {
      reject(record, new Violation(Reason.DESERIALIZATION, "record has no value (tombstone)"));
      return;
    }
    if (!sample.getNodeId().equals(record.key())) {
      reject(record, new Violation(Reason.KEY_MISMATCH, "record key '" + record.key() + "' is not the sample's nodeId '"
          + sample.getNodeId() + "'"));
      return;
    }
    Optional<Violation> violation = SampleValidation.check(sample);
    if (violation.isPresent()) {
      reject(record, violation.get());
      return;
    }

    long ts = sample.getTimestamp().toEpochMilli();
    advance(ts);
    long periodEnd = MeteringConfig.billingPeriodStart(ts) + MeteringConfig.BILLING_PERIOD.toMillis();
    if (periodEnd + horizonMs <= streamTime) {
      counters.increment(Counter.LATE_BEYOND_RESTATEMENT);
      context.forward(record.withValue((Intake) new TooLate(record.value())).withHeaders(DeadLetterHeaders.with(
          record.headers(), "BEYOND_RESTATEMENT_HORIZON", "sample at " + OutputKey.iso(sample.getTimestamp())
              + ": its billing period ended more than the restatement horizon " + config.restatementHorizon()
              + " before stream time " + OutputKey.iso(Instant.ofEpochMilli(streamTime)), context.recordMetadata().orElse(null))));
      return;
    }

    long windowStart = Math.floorDiv(ts, windowMs) * windowMs;
    boolean first = true;
    try (WindowStoreIterator<byte[]> earlier = seen.fetch(sample.getNodeId(), windowStart, windowStart + windowMs - 1)) {
      while (earlier.hasNext()) {
        KeyValue<Long, byte[]> e = earlier.next();
        if (e.key == ts) {
          counters.increment(Counter.DUPLICATES);
          return;
        }
        first = false;
      }
    }
    seen.put(sample.getNodeId(), SEEN, ts);

    PricedSample priced = new PricedSample(sample, prices.tariffAt(sample.getSite(), ts), prices.gpuRateAt(sample.getGpuModel(), ts));
    if (priced.unpriced()) {
      counters.increment(Counter.UNPRICED);
    }
    boolean forMetrics = windowStart + windowMs + graceMs > streamTime;
    if (!forMetrics) {
      counters.increment(Counter.LATE_FOR_METRICS);
    }
    context.forward(record.withValue((Intake) new Metered(priced, forMetrics, first, partition(), streamTime)).withTimestamp(ts));
    if (progressSent == Long.MIN_VALUE || streamTime - progressSent >= windowMs) {
      forwardProgress(record);
    }
  }

  /** A heartbeat: no sample, but the partition's stream time is at least its timestamp. */
  private void heartbeat(FixedKeyRecord<String, byte[]> record) {
    OptionalLong at = Heartbeat.eventTime(record.headers());
    if (at.isEmpty() || at.getAsLong() < SampleValidation.MIN_TIMESTAMP_MS || at.getAsLong() >= SampleValidation.MAX_TIMESTAMP_MS) {
      reject(record, new Violation(Reason.DESERIALIZATION, "heartbeat header " + Heartbeat.HEADER
          + " is not an epoch-milliseconds timestamp between 2000 and 2100"));
      return;
    }
    counters.increment(Counter.HEARTBEATS);
    advance(at.getAsLong());
    forwardProgress(record);
  }

  private void advance(long ts) {
    if (ts > streamTime) {
      streamTime = ts;
      clock.put(CLOCK_KEY, ts);
    }
  }

  private void forwardProgress(FixedKeyRecord<String, byte[]> record) {
    if (streamTime == Long.MIN_VALUE) {
      return;
    }
    progressSent = streamTime;
    context.forward(record.withValue((Intake) new Progress(partition(), streamTime)).withTimestamp(streamTime));
  }

  private int partition() {
    return context.recordMetadata().map(m -> m.partition()).orElse(0);
  }

  private void reject(FixedKeyRecord<String, byte[]> record, Violation v) {
    counters.increment(Counter.invalid(v.reason()));
    context.forward(record.withValue((Intake) new Rejected(record.value(), v)).withHeaders(
        DeadLetterHeaders.with(record.headers(), v.reason().name(), v.detail(), context.recordMetadata().orElse(null))));
  }

  @Override
  public void close() {
    counters.close();
  }
}
