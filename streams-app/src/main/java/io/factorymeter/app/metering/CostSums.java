package io.factorymeter.app.metering;

import io.factorymeter.contract.Apportionment;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Objects;

/**
 * The SPEC §2 cost rules in one place, for metric windows and billing lines alike: energy and
 * costs summed in fixed point ({@link FixedPoint}: µJ and 10⁻¹² currency units), with the counts
 * of samples that lacked a tariff or a GPU rate at their timestamp, which make the costs null:
 * <ul>
 *   <li>energyCost = Σ energy / 3.6e6 × pricePerKwh × pue, null when a sample had no tariff;</li>
 *   <li>capacityCost = Σ gpuCount × intervalMs in hours × hourlyRate, null when a sample had no GPU rate;</li>
 *   <li>totalCost = energyCost + capacityCost, null when either is;</li>
 *   <li>costPerMillionTokens = totalCost / tokens × 1e6, null when tokens = 0 or totalCost is null.</li>
 * </ul>
 * Mutable: {@link #add} folds other sums in, exactly (an overflow fails loudly instead of wrapping).
 */
public final class CostSums {

  long energyMicrojoules;
  long energyCostPicos;
  long capacityCostPicos;
  /** Samples without a tariff at their timestamp. */
  long withoutTariff;
  /** Samples without a GPU rate at their timestamp. */
  long withoutGpuRate;
  /** Samples without a tariff or without a GPU rate. */
  long unpricedSamples;

  public CostSums() {
  }

  private CostSums(long energyMicrojoules, long energyCostPicos, long capacityCostPicos, long withoutTariff,
      long withoutGpuRate, long unpricedSamples) {
    this.energyMicrojoules = energyMicrojoules;
    this.energyCostPicos = energyCostPicos;
    this.capacityCostPicos = capacityCostPicos;
    this.withoutTariff = withoutTariff;
    this.withoutGpuRate = withoutGpuRate;
    this.unpricedSamples = unpricedSamples;
  }

  /** One sample's energy and costs, each rounded once to fixed point. */
  public static CostSums of(PricedSample priced) {
    Double energyCost = priced.energyCost();
    Double capacityCost = priced.capacityCost();
    return new CostSums(FixedPoint.microjoules(priced.energyJoules()),
        energyCost == null ? 0 : FixedPoint.picos(energyCost), capacityCost == null ? 0 : FixedPoint.picos(capacityCost),
        energyCost == null ? 1 : 0, capacityCost == null ? 1 : 0, priced.unpriced() ? 1 : 0);
  }

  /**
   * These sums split in proportion to {@code weights} by the largest-remainder method: the parts'
   * energy and costs add up to these exactly; each part keeps the counts of missing prices (the
   * part of an unpriced sample is unpriced too).
   */
  public CostSums[] split(double[] weights) {
    long[] energy = Apportionment.split(energyMicrojoules, weights);
    long[] energyCost = Apportionment.split(energyCostPicos, weights);
    long[] capacityCost = Apportionment.split(capacityCostPicos, weights);
    CostSums[] parts = new CostSums[weights.length];
    for (int i = 0; i < parts.length; i++) {
      parts[i] = new CostSums(energy[i], energyCost[i], capacityCost[i], withoutTariff, withoutGpuRate, unpricedSamples);
    }
    return parts;
  }

  /** Folds {@code c} into these sums; returns this. */
  public CostSums add(CostSums c) {
    energyMicrojoules = Math.addExact(energyMicrojoules, c.energyMicrojoules);
    energyCostPicos = Math.addExact(energyCostPicos, c.energyCostPicos);
    capacityCostPicos = Math.addExact(capacityCostPicos, c.capacityCostPicos);
    withoutTariff = Math.addExact(withoutTariff, c.withoutTariff);
    withoutGpuRate = Math.addExact(withoutGpuRate, c.withoutGpuRate);
    unpricedSamples = Math.addExact(unpricedSamples, c.unpricedSamples);
    return this;
  }

  /** Energy, J. */
  public double energyJ() {
    return FixedPoint.joules(energyMicrojoules);
  }

  /** Whether no energy was summed (tokens per joule is then null). */
  public boolean noEnergy() {
    return energyMicrojoules == 0;
  }

  /** Energy cost, currency; null when a sample had no tariff at its timestamp. */
  public Double energyCost() {
    return withoutTariff > 0 ? null : FixedPoint.money(energyCostPicos);
  }

  /** Capacity cost, currency; null when a sample had no GPU rate at its timestamp. */
  public Double capacityCost() {
    return withoutGpuRate > 0 ? null : FixedPoint.money(capacityCostPicos);
  }

  /** energyCost + capacityCost, currency; null when either is null. */
  public Double totalCost() {
    return withoutTariff > 0 || withoutGpuRate > 0 ? null : FixedPoint.money(Math.addExact(energyCostPicos, capacityCostPicos));
  }

  /** totalCost / tokens × 1e6, currency per million tokens; null when tokens = 0 or totalCost is null. */
  public Double costPerMillionTokens(long tokens) {
    Double total = totalCost();
    return total == null || tokens == 0 ? null : total / tokens * 1e6;
  }

  /** Samples without a tariff or a GPU rate. */
  public long unpricedSamples() {
    return unpricedSamples;
  }

  /** Writes the sums (for the internal binary serdes). */
  public void writeTo(DataOutput out) throws IOException {
    out.writeLong(energyMicrojoules);
    out.writeLong(energyCostPicos);
    out.writeLong(capacityCostPicos);
    out.writeLong(withoutTariff);
    out.writeLong(withoutGpuRate);
    out.writeLong(unpricedSamples);
  }

  /** Reads what {@link #writeTo} wrote. */
  public static CostSums readFrom(DataInput in) throws IOException {
    return new CostSums(in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CostSums c && energyMicrojoules == c.energyMicrojoules && energyCostPicos == c.energyCostPicos
        && capacityCostPicos == c.capacityCostPicos && withoutTariff == c.withoutTariff && withoutGpuRate == c.withoutGpuRate
        && unpricedSamples == c.unpricedSamples;
  }

  @Override
  public int hashCode() {
    return Objects.hash(energyMicrojoules, energyCostPicos, capacityCostPicos, withoutTariff, withoutGpuRate, unpricedSamples);
  }

  @Override
  public String toString() {
    return "energyMicroJ=" + energyMicrojoules + ", energyCostPicos=" + energyCostPicos + ", capacityCostPicos="
        + capacityCostPicos + ", unpriced=" + unpricedSamples;
  }
}
