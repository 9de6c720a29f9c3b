package io.factorymeter.app.pricing;

import io.factorymeter.app.serde.InternalAvroSerde;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.Tariff;
import java.time.Duration;
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

  public static StoreBuilder<VersionedKeyValueStore<String, Tariff>> tariffStore(Duration historyRetention) {
    return Stores.versionedKeyValueStoreBuilder(Stores.persistentVersionedKeyValueStore(TARIFF_STORE, historyRetention),
        Serdes.String(), new InternalAvroSerde<>(Tariff.class)).withLoggingDisabled();
  }

  public static StoreBuilder<VersionedKeyValueStore<String, GpuRate>> gpuRateStore(Duration historyRetention) {
    return Stores.versionedKeyValueStoreBuilder(Stores.persistentVersionedKeyValueStore(GPU_RATE_STORE, historyRetention),
        Serdes.String(), new InternalAvroSerde<>(GpuRate.class)).withLoggingDisabled();
  }
}
