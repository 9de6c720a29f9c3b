package io.factorymeter.app.pricing;

import io.factorymeter.contract.PriceRules;

import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.metering.MeteringCounters;
import io.factorymeter.app.metering.MeteringCounters.Counter;
import io.factorymeter.app.serde.InternalAvroSerde;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link PriceVersionStore} up to date from its price topic (SPEC §2 prices), on the global
 * stream thread, both while it runs and when it rebuilds the store at start-up (Kafka Streams
 * reprocesses a global store's topic through this processor: see {@link PriceHistory}).
 *
 * <ul>
 *   <li>A price is stored (counted: {@code prices-stored}) as its key's version from its
 *       effectiveFrom, known from its anchor (publishedAt, else effectiveFrom), with a change log
 *       entry by which billing finds corrections (SPEC §2a: {@code BillingPeriods}). Samples
 *       metered afterwards use it at once; metric windows already emitted keep their figures.
 *   <li>A tombstone ends the key's price at the record's timestamp, replacing every version of
 *       that instant known so far (it takes the latest anchor among them).
 *   <li>When a key has more versions than the bound, its oldest are dropped: counted
 *       ({@code price-versions-dropped}) and logged once per key.
 *   <li>A record that does not decode, has no key, a key other than its site / GPU model, or breaks
 *       a rule of {@link PriceRules}, is not stored: counted ({@code prices-invalid}) and
 *       logged, one line naming key, field and value.
 *   <li>A price in a currency other than the deployment's is not stored: counted
 *       ({@code prices-ignored-currency}) and logged once per key and currency.
 *   <li>While the schema registry is unavailable the record is retried ({@link RegistryRetry});
 *       never skipped.
 * </ul>
 *
 * <p>Nothing in a price record stops the global thread: any failure while handling one is caught,
 * counted and logged. Only a failing state store (its own exceptions) and the end of a wait for
 * the registry because the application stops (or the thread was interrupted) are passed on: the
 * global thread stops, and the next start reads the record again.
 *
 * @param <V> Tariff, GpuRate, GridIntensity or GpuEmbodied
 */
public final class PriceUpdate<V extends SpecificRecord> implements Processor<String, byte[], Void, Void> {

  private static final Logger log = LoggerFactory.getLogger(PriceUpdate.class);

  private final PriceKind<V> kind;
  private final String storeName;
  private final Deserializer<V> deserializer;
  private final String currency;
  private final Set<String> reported;
  private final InternalAvroSerde<V> storeValues;
  private PriceVersionStore store;
  private MeteringCounters counters;
  private RegistryRetry retry;
  private ProcessorContext<Void, Void> context;

  /**
   * @param kind tariffs or GPU rates
   * @param storeName the store to keep up to date
   * @param deserializer reads the topic's values (Confluent wire format)
   * @param currency the deployment's currency
   * @param reported what was logged once already (keys with dropped versions, key and currency
   *     pairs); shared by the processors of one store, so that a rebuild at start-up does not log it again
   */
  PriceUpdate(PriceKind<V> kind, String storeName, Deserializer<V> deserializer, String currency,
      Set<String> reported) {
    this.kind = kind;
    this.storeName = storeName;
    this.deserializer = deserializer;
    this.currency = currency;
    this.reported = reported;
    this.storeValues = new InternalAvroSerde<>(kind.type());
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
    this.counters = new MeteringCounters(context.metrics(), storeName);
    this.retry = RegistryRetry.onGlobalThread(() -> counters.increment(Counter.PRICES_REGISTRY_RETRIES));
  }

  @Override
  public void process(Record<String, byte[]> record) {
    try {
      update(record);
    } catch (RegistryRetry.Stopped | ProcessorStateException | InvalidStateStoreException e) {
      throw e;
    } catch (RuntimeException e) {
      invalid(record.key(), "record could not be handled: " + e);
    }
  }

  private void update(Record<String, byte[]> record) {
    String key = record.key();
    if (key == null) {
      invalid(null, "key is missing");
      return;
    }
    if (record.value() == null) {
      dropped(key, store.put(key, record.timestamp(), store.latestAnchor(key, record.timestamp()), PriceVersionStore.ENDED,
          partition(), offset()));
      log.info("{} for {} ended at {} (tombstone at {})", capitalized(), PriceRules.quoted(key),
          Instant.ofEpochMilli(record.timestamp()), where());
      return;
    }
    V price;
    try {
      price = retry.call(() -> deserializer.deserialize(topic(), record.value()),
          "the " + kind.name() + " for " + PriceRules.quoted(key) + " at " + where());
    } catch (RegistryRetry.Stopped e) {
      throw e;
    } catch (RuntimeException e) {
      invalid(key, "value does not decode: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      return;
    }
    String priceKey = kind.keyOf().apply(price);
    if (!key.equals(priceKey)) {
      invalid(key, kind.keyField() + " = " + PriceRules.quoted(priceKey) + ": must equal the record key");
      return;
    }
    Optional<PriceRules.Problem> problem = kind.check().apply(price);
    if (problem.isPresent()) {
      invalid(key, problem.get().toString());
      return;
    }
    String priceCurrency = kind.currencyOf().apply(price);
    if (priceCurrency != null && !currency.equals(priceCurrency)) {
      counters.increment(Counter.PRICES_IGNORED_CURRENCY);
      if (reported.add("currency|" + key + "|" + priceCurrency)) {
        log.warn("{} for {} is in {}, not the deployment's currency {}: ignored (logged once per {} and currency)",
            capitalized(), PriceRules.quoted(key), priceCurrency, currency, kind.keyField());
      }
      return;
    }
    dropped(key, store.put(key, kind.effectiveFromOf().apply(price), kind.anchorOf(price), storeValues.serialize(topic(), price),
        partition(), offset()));
    counters.increment(Counter.PRICES_STORED);
  }

  private void dropped(String key, List<Long> effectiveFroms) {
    if (effectiveFroms.isEmpty()) {
      return;
    }
    for (int i = 0; i < effectiveFroms.size(); i++) {
      counters.increment(Counter.PRICE_VERSIONS_DROPPED);
    }
    if (reported.add("dropped|" + key)) {
      log.warn("{} for {} has more than the {} versions kept per {} ({}): its oldest are dropped, first the one "
          + "from {}; samples before the oldest kept version are unpriced (logged once per {})", capitalized(),
          PriceRules.quoted(key), store.maxVersions(), kind.keyField(),
          MeteringConfig.PRICE_VERSIONS,
          Instant.ofEpochMilli(effectiveFroms.get(0)), kind.keyField());
    }
  }

  /** Counts and logs a record that is not stored; {@code why} names the field and its value. */
  private void invalid(String key, String why) {
    counters.increment(Counter.PRICES_INVALID);
    log.warn("{} for {} at {} not stored: {}", capitalized(), PriceRules.quoted(key), where(), why);
  }

  private int partition() {
    return context.recordMetadata().map(RecordMetadata::partition).orElse(-1);
  }

  private long offset() {
    return context.recordMetadata().map(RecordMetadata::offset).orElse(-1L);
  }

  private String topic() {
    return context.recordMetadata().map(RecordMetadata::topic).orElse(storeName);
  }

  /** topic-partition@offset of the current record. */
  private String where() {
    return context.recordMetadata().map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse(storeName);
  }

  private String capitalized() {
    return Character.toUpperCase(kind.name().charAt(0)) + kind.name().substring(1);
  }

  @Override
  public void close() {
    counters.close();
  }
}
