package io.factorymeter.app.pricing;

import io.factorymeter.app.serde.InternalAvroSerde;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.Tariff;
import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.serde.AppSerdes;
import io.factorymeter.contract.FactoryTopic;
import java.time.Duration;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.ProcessingContext;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;

/**
 * Price history: two global versioned key-value stores (every instance holds all prices; they
 * are small), tariffs by site and GPU rates by GPU model, each version valid from its
 * effectiveFrom. {@link #tariffAt} / {@link #gpuRateAt} answer "the price in effect at t" for any
 * t within the history retention behind the newest price; older t, or t before the first price,
 * have no price.
 */
public final class PriceHistory {

  public static final String TARIFF_STORE = "tariff-history";
  public static final String GPU_RATE_STORE = "gpu-rate-history";

  private final VersionedKeyValueStore<String, Tariff> tariffs;
  private final VersionedKeyValueStore<String, GpuRate> gpuRates;

  public PriceHistory(VersionedKeyValueStore<String, Tariff> tariffs, VersionedKeyValueStore<String, GpuRate> gpuRates) {
    this.tariffs = tariffs;
    this.gpuRates = gpuRates;
  }

  /** The site's tariff in effect at {@code timestampMs}, or null. */
  public Tariff tariffAt(String site, long timestampMs) {
    VersionedRecord<Tariff> r = tariffs.get(site, timestampMs);
    return r == null ? null : r.value();
  }

  /** The GPU model's rate in effect at {@code timestampMs}, or null. */
  public GpuRate gpuRateAt(String gpuModel, long timestampMs) {
    VersionedRecord<GpuRate> r = gpuRates.get(gpuModel, timestampMs);
    return r == null ? null : r.value();
  }

  /** Adds the two global price stores, each kept up to date from its price topic by a {@link PriceUpdate}. */
  public static void addGlobalStores(StreamsBuilder builder, MeteringConfig config, AppSerdes serdes) {
    String currency = config.currency();
    String tariffs = config.topics().name(FactoryTopic.TARIFFS);
    String gpuRates = config.topics().name(FactoryTopic.GPU_RATES);
    Duration retention = Duration.ofDays(3650);
    builder.addGlobalStore(tariffStore(retention), tariffs,
        Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("tariffs"),
        () -> new PriceUpdate<>(TARIFF_STORE, tariffs, serdes.values(Tariff.class).deserializer(),
            Tariff::getCurrency, Tariff::getEffectiveFrom, currency));
    builder.addGlobalStore(gpuRateStore(retention), gpuRates,
        Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("gpu-rates"),
        () -> new PriceUpdate<>(GPU_RATE_STORE, gpuRates, serdes.values(GpuRate.class).deserializer(),
            GpuRate::getCurrency, GpuRate::getEffectiveFrom, currency));
  }

  /** The price history of the global stores, for a processor of the topology built with {@link #addGlobalStores}. */
  public static PriceHistory connect(ProcessingContext context) {
    return new PriceHistory(context.getStateStore(TARIFF_STORE), context.getStateStore(GPU_RATE_STORE));
  }

  public static StoreBuilder<VersionedKeyValueStore<String, Tariff>> tariffStore(Duration historyRetention) {
    return Stores.versionedKeyValueStoreBuilder(Stores.persistentVersionedKeyValueStore(TARIFF_STORE, historyRetention),
        Serdes.String(), new InternalAvroSerde<>(Tariff.class)).withLoggingDisabled();
  }

  public static StoreBuilder<VersionedKeyValueStore<String, GpuRate>> gpuRateStore(Duration historyRetention) {
    return Stores.versionedKeyValueStoreBuilder(Stores.persistentVersionedKeyValueStore(GPU_RATE_STORE, historyRetention),
        Serdes.String(), new InternalAvroSerde<>(GpuRate.class)).withLoggingDisabled();
  }
}
