package io.factorymeter.app.pricing;

import io.factorymeter.app.metering.MeteringCounters;
import io.factorymeter.app.metering.MeteringCounters.Counter;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a price history store up to date from a price topic: each price is stored as the version
 * valid from its effectiveFrom, so a price published late with an earlier effectiveFrom still
 * applies to samples it covers that are metered afterwards. A price in another currency than the
 * deployment's is not stored, and is logged and counted; so is a record that does not decode. A
 * tombstone ends the key's price at the record's timestamp.
 *
 * @param <V> Tariff or GpuRate
 */
public final class PriceUpdate<V extends SpecificRecord> implements Processor<String, byte[], Void, Void> {

  private static final Logger log = LoggerFactory.getLogger(PriceUpdate.class);

  private final String storeName;
  private final Deserializer<V> deserializer;
  private final Function<V, String> currencyOf;
  private final Function<V, Instant> effectiveFromOf;
  private final String currency;
  private final Set<String> reported = new HashSet<>();
  private VersionedKeyValueStore<String, V> store;
  private MeteringCounters counters;
  private final String topic;

  public PriceUpdate(String storeName, String topic, Deserializer<V> deserializer, Function<V, String> currencyOf,
      Function<V, Instant> effectiveFromOf, String currency) {
    this.storeName = storeName;
    this.topic = topic;
    this.deserializer = deserializer;
    this.currencyOf = currencyOf;
    this.effectiveFromOf = effectiveFromOf;
    this.currency = currency;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    store = context.getStateStore(storeName);
    counters = new MeteringCounters(context.metrics(), storeName);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    String key = record.key();
    if (key == null) {
      counters.increment(Counter.PRICES_INVALID);
      log.warn("Price record without key in {} ignored", storeName);
      return;
    }
    if (record.value() == null) {
      store.put(key, null, record.timestamp());
      return;
    }
    V price;
    try {
      price = deserializer.deserialize(topic, record.value());
    } catch (RuntimeException e) {
      counters.increment(Counter.PRICES_INVALID);
      log.warn("Price record for {} in {} does not decode and is ignored: {}", key, storeName, e.getMessage());
      return;
    }
    String priceCurrency = currencyOf.apply(price);
    if (!currency.equals(priceCurrency)) {
      counters.increment(Counter.PRICES_IGNORED_CURRENCY);
      if (reported.add(key + "|" + priceCurrency)) {
        log.warn("Price for {} in {} is in {}, not the deployment's currency {}: ignored", key, storeName, priceCurrency, currency);
      }
      return;
    }
    store.put(key, price, effectiveFromOf.apply(price).toEpochMilli());
  }

  @Override
  public void close() {
    counters.close();
  }
}
