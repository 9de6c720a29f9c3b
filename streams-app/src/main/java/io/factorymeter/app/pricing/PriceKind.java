package io.factorymeter.app.pricing;

import io.factorymeter.contract.PriceRules;

import io.factorymeter.schema.GpuEmbodied;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.GridIntensity;
import io.factorymeter.schema.Tariff;
import java.util.Optional;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;

/**
 * What tells the kinds of reference data apart where they are handled alike (SPEC §2 prices, §2a
 * carbon): the record's key field, its currency (prices only) and effectiveFrom, and its rules
 * ({@link PriceRules}).
 *
 * @param name for log lines ("tariff", "GPU rate")
 * @param keyField the field the topic is keyed by ("site", "gpuModel")
 * @param type the generated Avro class
 * @param keyOf the key field's value
 * @param currencyOf the currency; null for carbon figures, which have none
 * @param effectiveFromOf when the price takes effect, epoch milliseconds
 * @param publishedAtOf when it was published, epoch milliseconds; null when the record does not say
 * @param check the first rule the price breaks, if any
 * @param <V> Tariff, GpuRate, GridIntensity or GpuEmbodied
 */
public record PriceKind<V extends SpecificRecord>(
    String name,
    String keyField,
    Class<V> type,
    Function<V, String> keyOf,
    Function<V, String> currencyOf,
    Function<V, Long> effectiveFromOf,
    Function<V, Long> publishedAtOf,
    Function<V, Optional<PriceRules.Problem>> check) {

  /** Electricity tariffs, keyed by site. */
  public static final PriceKind<Tariff> TARIFF = new PriceKind<>("tariff", "site", Tariff.class, Tariff::getSite,
      Tariff::getCurrency, t -> t.getEffectiveFrom().toEpochMilli(), t -> millis(t.getPublishedAt()), PriceRules::check);

  /** GPU capacity rates, keyed by GPU model. */
  public static final PriceKind<GpuRate> GPU_RATE = new PriceKind<>("GPU rate", "gpuModel", GpuRate.class,
      GpuRate::getGpuModel, GpuRate::getCurrency, g -> g.getEffectiveFrom().toEpochMilli(), g -> millis(g.getPublishedAt()),
      PriceRules::check);

  /** Grid carbon intensity (SPEC §2a), keyed by site. */
  public static final PriceKind<GridIntensity> GRID_INTENSITY = new PriceKind<>("grid intensity", "site",
      GridIntensity.class, GridIntensity::getSite, g -> null, g -> g.getEffectiveFrom().toEpochMilli(),
      g -> millis(g.getPublishedAt()), PriceRules::check);

  /** Embodied emissions per GPU-hour (SPEC §2a), keyed by GPU model. */
  public static final PriceKind<GpuEmbodied> GPU_EMBODIED = new PriceKind<>("embodied figure", "gpuModel",
      GpuEmbodied.class, GpuEmbodied::getGpuModel, g -> null, g -> g.getEffectiveFrom().toEpochMilli(),
      g -> millis(g.getPublishedAt()), PriceRules::check);

  /**
   * When the version became known, epoch ms (SPEC §2a corrections): its publishedAt, else its
   * effectiveFrom (a version without publishedAt counts as known from when it takes effect).
   */
  public long anchorOf(V value) {
    Long published = publishedAtOf.apply(value);
    return published != null ? published : effectiveFromOf.apply(value);
  }

  private static Long millis(java.time.Instant instant) {
    return instant == null ? null : instant.toEpochMilli();
  }
}
