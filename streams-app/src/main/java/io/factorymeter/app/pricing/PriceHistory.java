package io.factorymeter.app.pricing;

import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.serde.AppSerdes;
import io.factorymeter.app.metering.PricedSample;
import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.GpuEmbodied;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.GridIntensity;
import io.factorymeter.schema.Tariff;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongPredicate;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.ProcessingContext;

/**
 * Price history (SPEC §2 prices, §2a carbon): every version of every tariff (by site), GPU rate (by
 * GPU model), grid intensity (by site) and embodied figure (by GPU model), each valid from its
 * effectiveFrom until the key's next version, in four global stores (every instance holds them all).
 * {@link #price} answers "the reference data in effect at t" for any t, and {@link #asOf} billing's
 * "as of a batch close": history is bounded by the number of versions per key
 * ({@link MeteringConfig#priceVersions()}, the oldest dropped first), never by time, so a replay
 * of old telemetry finds the prices of its time for as long as the price topics keep them.
 *
 * <p>Layout: a {@link PriceVersionStore} per kind, RocksDB keyed by (key, effectiveFrom); each
 * task caches the version last found per key with its validity interval ({@link PriceLookup}).
 *
 * <p>Restoration: {@code StreamsBuilder#addGlobalStore} with a processor makes Kafka Streams
 * (4.3.1) rebuild a global store at start-up by running the topic's records through a fresh
 * instance of that processor ("reprocess on restore"), from the offset the store committed (or
 * from the beginning when it has none), not by copying the topic's raw records into the store.
 * So the store holds the same versions after a restart as before, with or without its local state.
 */
public final class PriceHistory {

  /** Name of the tariff store (and of its directory in the global state directory). */
  public static final String TARIFF_STORE = "tariff-versions-2";
  /** Name of the GPU rate store. */
  public static final String GPU_RATE_STORE = "gpu-rate-versions-2";
  /** Name of the grid intensity store (SPEC §2a). */
  public static final String GRID_INTENSITY_STORE = "grid-intensity-versions-2";
  /** Name of the embodied figure store (SPEC §2a). */
  public static final String GPU_EMBODIED_STORE = "gpu-embodied-versions-2";

  private final PriceLookup<Tariff> tariffs;
  private final PriceLookup<GpuRate> gpuRates;
  private final PriceLookup<GridIntensity> gridIntensities;
  private final PriceLookup<GpuEmbodied> embodied;

  public PriceHistory(PriceVersionStore tariffs, PriceVersionStore gpuRates, PriceVersionStore gridIntensities,
      PriceVersionStore embodied) {
    this.tariffs = new PriceLookup<>(PriceKind.TARIFF, tariffs);
    this.gpuRates = new PriceLookup<>(PriceKind.GPU_RATE, gpuRates);
    this.gridIntensities = new PriceLookup<>(PriceKind.GRID_INTENSITY, gridIntensities);
    this.embodied = new PriceLookup<>(PriceKind.GPU_EMBODIED, embodied);
  }

  private List<PriceLookup<?>> lookups() {
    return List.of(tariffs, gpuRates, gridIntensities, embodied);
  }

  /**
   * A sample with the reference data in effect at its timestamp as known at {@code streamTime},
   * its input partition's stream time right after it (SPEC §2, §2a): every version known before it
   * took effect, and the corrections published (anchor) at or before that stream time. So a sample
   * is priced the same live and in any replay, whenever a correction arrives; metric windows keep
   * these figures, and billing prices its quantities again as of each batch close. Also the
   * sample's version boundary: the latest effectiveFrom at or before its timestamp among the four
   * versions, so that billing can keep its quantities in intervals each version covers whole
   * ({@code ReferenceQuantities}).
   */
  public PricedSample price(NodeSample sample, long streamTime) {
    long t = sample.getTimestamp().toEpochMilli();
    String site = sample.getSite();
    String gpuModel = sample.getGpuModel();
    PriceLookup.Found<Tariff> tariff = tariffs.found(site, t, streamTime);
    PriceLookup.Found<GpuRate> rate = gpuRates.found(gpuModel, t, streamTime);
    PriceLookup.Found<GridIntensity> intensity = gridIntensities.found(site, t, streamTime);
    PriceLookup.Found<GpuEmbodied> perGpuHour = embodied.found(gpuModel, t, streamTime);
    return new PricedSample(sample, tariff.price(), rate.price(), intensity.price(), perGpuHour.price(),
        Math.max(Math.max(tariff.from(), intensity.from()), Math.max(rate.from(), perGpuHour.from())));
  }

  /**
   * The reference data as known to a reader who sees only the versions whose anchor (publishedAt,
   * else effectiveFrom) {@code visible} accepts: billing as of a batch close (SPEC §2a corrections).
   * Caches what it found; meant for one pass, during which the stores do not change.
   */
  public ReferenceView asOf(LongPredicate visible) {
    Map<String, Object> found = new HashMap<>();
    return new ReferenceView() {
      @Override
      public Tariff tariffAt(String site, long epochMs) {
        return cached("t", site, epochMs, () -> tariffs.asOf(site, epochMs, visible));
      }

      @Override
      public GpuRate gpuRateAt(String gpuModel, long epochMs) {
        return cached("r", gpuModel, epochMs, () -> gpuRates.asOf(gpuModel, epochMs, visible));
      }

      @Override
      public GridIntensity gridIntensityAt(String site, long epochMs) {
        return cached("i", site, epochMs, () -> gridIntensities.asOf(site, epochMs, visible));
      }

      @Override
      public GpuEmbodied gpuEmbodiedAt(String gpuModel, long epochMs) {
        return cached("e", gpuModel, epochMs, () -> embodied.asOf(gpuModel, epochMs, visible));
      }

      @SuppressWarnings("unchecked")
      private <V> V cached(String kind, String key, long epochMs, Supplier<V> lookup) {
        String k = kind + epochMs + "|" + key;
        if (found.containsKey(k)) {
          return (V) found.get(k);
        }
        V v = lookup.get();
        found.put(k, v);
        return v;
      }
    };
  }

  /** The four stores' {@link PriceVersionStore#generation() generations} added up: changes whenever one is written. */
  public long generation() {
    long sum = 0;
    for (PriceLookup<?> lookup : lookups()) {
      sum += lookup.store().generation();
    }
    return sum;
  }

  /**
   * The versions stored since {@code seen} (per store name and topic partition, the last offset
   * seen), each with its kind. {@code seen} is not changed.
   */
  public List<Published> publishedAfter(Map<String, Map<Integer, Long>> seen) {
    List<Published> all = new ArrayList<>();
    for (PriceLookup<?> lookup : lookups()) {
      PriceVersionStore store = lookup.store();
      for (PriceVersionStore.Published p : store.publishedAfter(seen.getOrDefault(store.name(), Map.of()))) {
        all.add(new Published(store.name(), lookup.kind(), p));
      }
    }
    return all;
  }

  /** A version as published (see {@link PriceVersionStore.Published}), from the store named {@code store}, of {@code kind}. */
  public record Published(String store, PriceKind<?> kind, PriceVersionStore.Published version) {
  }

  /**
   * Adds the four global reference stores (prices and carbon figures), each kept up to date from
   * its topic by a {@link PriceUpdate}.
   */
  public static void addGlobalStores(StreamsBuilder builder, MeteringConfig config, AppSerdes serdes) {
    addGlobalStore(builder, config, serdes, PriceKind.TARIFF, TARIFF_STORE, FactoryTopic.TARIFFS, "tariffs");
    addGlobalStore(builder, config, serdes, PriceKind.GPU_RATE, GPU_RATE_STORE, FactoryTopic.GPU_RATES, "gpu-rates");
    addGlobalStore(builder, config, serdes, PriceKind.GRID_INTENSITY, GRID_INTENSITY_STORE, FactoryTopic.GRID_INTENSITY,
        "grid-intensity");
    addGlobalStore(builder, config, serdes, PriceKind.GPU_EMBODIED, GPU_EMBODIED_STORE, FactoryTopic.GPU_EMBODIED,
        "gpu-embodied");
  }

  private static <V extends SpecificRecord> void addGlobalStore(StreamsBuilder builder, MeteringConfig config,
      AppSerdes serdes, PriceKind<V> kind, String storeName, FactoryTopic topic, String sourceName) {
    Set<String> reported = ConcurrentHashMap.newKeySet();
    builder.addGlobalStore(PriceVersionStore.builder(storeName, config.priceVersions()), config.topics().name(topic),
        Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(sourceName),
        () -> new PriceUpdate<>(kind, storeName, serdes.values(kind.type()).deserializer(), config.currency(), reported));
  }

  /** The price history of the global stores, for a processor of the topology built with {@link #addGlobalStores}. */
  public static PriceHistory connect(ProcessingContext context) {
    return new PriceHistory(context.getStateStore(TARIFF_STORE), context.getStateStore(GPU_RATE_STORE),
        context.getStateStore(GRID_INTENSITY_STORE), context.getStateStore(GPU_EMBODIED_STORE));
  }
}
