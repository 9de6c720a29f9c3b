package io.factorymeter.app.pricing;

import io.factorymeter.contract.PriceRules;

import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.Tariff;
import java.util.Optional;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;

/**
 * What tells tariffs and GPU rates apart where they are handled alike (SPEC §2 prices): the
 * record's key field, its currency and effectiveFrom, and its rules ({@link PriceRules}).
 *
 * @param name for log lines ("tariff", "GPU rate")
 * @param keyField the field the topic is keyed by ("site", "gpuModel")
 * @param type the generated Avro class
 * @param keyOf the key field's value
 * @param currencyOf the currency
 * @param effectiveFromOf when the price takes effect, epoch milliseconds
 * @param check the first rule the price breaks, if any
 * @param <V> Tariff or GpuRate
 */
public record PriceKind<V extends SpecificRecord>(
    String name,
    String keyField,
    Class<V> type,
    Function<V, String> keyOf,
    Function<V, String> currencyOf,
    Function<V, Long> effectiveFromOf,
    Function<V, Optional<PriceRules.Problem>> check) {

  /** Electricity tariffs, keyed by site. */
  public static final PriceKind<Tariff> TARIFF = new PriceKind<>("tariff", "site", Tariff.class, Tariff::getSite,
      Tariff::getCurrency, t -> t.getEffectiveFrom().toEpochMilli(), PriceRules::check);

  /** GPU capacity rates, keyed by GPU model. */
  public static final PriceKind<GpuRate> GPU_RATE = new PriceKind<>("GPU rate", "gpuModel", GpuRate.class,
      GpuRate::getGpuModel, GpuRate::getCurrency, g -> g.getEffectiveFrom().toEpochMilli(), PriceRules::check);
}
