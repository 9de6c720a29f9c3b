package io.factorymeter.app.billing;

import io.factorymeter.app.metering.FixedPoint;

/**
 * Amounts billed to one tenant and model, in the fixed point of {@link FixedPoint}: from one
 * sample (a contribution) or summed over a period. Mutable: {@link #add} folds one in.
 */
public final class BillingAmounts {

  long promptTokens;
  long completionTokens;
  long energyMicrojoules;
  long energyCostPicos;
  long capacityCostPicos;
  /** Attributed samples without a tariff at their timestamp. */
  long withoutTariff;
  /** Attributed samples without a GPU rate at their timestamp. */
  long withoutGpuRate;
  /** Attributed samples without a tariff or a GPU rate. */
  long unpricedSamples;

  public BillingAmounts() {
  }

  BillingAmounts(long promptTokens, long completionTokens, long energyMicrojoules, long energyCostPicos, long capacityCostPicos,
      long withoutTariff, long withoutGpuRate, long unpricedSamples) {
    this.promptTokens = promptTokens;
    this.completionTokens = completionTokens;
    this.energyMicrojoules = energyMicrojoules;
    this.energyCostPicos = energyCostPicos;
    this.capacityCostPicos = capacityCostPicos;
    this.withoutTariff = withoutTariff;
    this.withoutGpuRate = withoutGpuRate;
    this.unpricedSamples = unpricedSamples;
  }

  /** Folds {@code c} into these amounts (exact; an overflow fails loudly); returns this. */
  public BillingAmounts add(BillingAmounts c) {
    promptTokens = Math.addExact(promptTokens, c.promptTokens);
    completionTokens = Math.addExact(completionTokens, c.completionTokens);
    energyMicrojoules = Math.addExact(energyMicrojoules, c.energyMicrojoules);
    energyCostPicos = Math.addExact(energyCostPicos, c.energyCostPicos);
    capacityCostPicos = Math.addExact(capacityCostPicos, c.capacityCostPicos);
    withoutTariff += c.withoutTariff;
    withoutGpuRate += c.withoutGpuRate;
    unpricedSamples += c.unpricedSamples;
    return this;
  }

  public long promptTokens() {
    return promptTokens;
  }

  public long completionTokens() {
    return completionTokens;
  }

  public double energyJ() {
    return FixedPoint.joules(energyMicrojoules);
  }

  /** Null when an attributed sample had no tariff. */
  public Double energyCost() {
    return withoutTariff > 0 ? null : FixedPoint.money(energyCostPicos);
  }

  /** Null when an attributed sample had no GPU rate. */
  public Double capacityCost() {
    return withoutGpuRate > 0 ? null : FixedPoint.money(capacityCostPicos);
  }

  /** energyCost + capacityCost; null when either is null. */
  public Double totalCost() {
    return withoutTariff > 0 || withoutGpuRate > 0 ? null : FixedPoint.money(energyCostPicos + capacityCostPicos);
  }

  /** totalCost / (prompt + completion tokens) × 1e6; null without tokens or without a total. */
  public Double costPerMillionTokens() {
    Double total = totalCost();
    long tokens = promptTokens + completionTokens;
    return total == null || tokens == 0 ? null : total / tokens * 1e6;
  }

  public long unpricedSamples() {
    return unpricedSamples;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BillingAmounts b && promptTokens == b.promptTokens && completionTokens == b.completionTokens
        && energyMicrojoules == b.energyMicrojoules && energyCostPicos == b.energyCostPicos
        && capacityCostPicos == b.capacityCostPicos && withoutTariff == b.withoutTariff && withoutGpuRate == b.withoutGpuRate
        && unpricedSamples == b.unpricedSamples;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(promptTokens, completionTokens, energyMicrojoules, energyCostPicos, capacityCostPicos);
  }

  @Override
  public String toString() {
    return "BillingAmounts{prompt=" + promptTokens + ", completion=" + completionTokens + ", energyMicroJ=" + energyMicrojoules
        + ", energyCostPicos=" + energyCostPicos + ", capacityCostPicos=" + capacityCostPicos + ", unpriced=" + unpricedSamples + "}";
  }
}
