package io.factorymeter.app.metering;

import io.factorymeter.app.pricing.ReferenceView;
import io.factorymeter.contract.Apportionment;
import io.factorymeter.schema.GpuEmbodied;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.GridIntensity;
import io.factorymeter.schema.Tariff;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.Objects;

/**
 * The SPEC §2 cost rules and §2a carbon rules in one place, for metric windows and billing lines
 * alike: energy, costs and carbon summed in fixed point ({@link FixedPoint}: µJ, 10⁻¹² currency
 * units, nanograms of CO2e), with the counts of samples that lacked the reference value a figure
 * needs at their timestamp, which make that figure null:
 * <ul>
 *   <li>energyCost = Σ energy / 3.6e6 × pricePerKwh × pue, null when a sample had no tariff;</li>
 *   <li>capacityCost = Σ gpuCount × intervalMs in hours × hourlyRate, null when a sample had no GPU rate;</li>
 *   <li>totalCost = energyCost + capacityCost, null when either is;</li>
 *   <li>costPerMillionTokens = totalCost / tokens × 1e6, null when tokens = 0 or totalCost is null;</li>
 *   <li>operationalCarbonG = Σ energy / 3.6e6 × pue × gco2ePerKwh, null when a sample had no grid
 *       intensity or no tariff (its pue);</li>
 *   <li>embodiedCarbonG = Σ gpuCount × intervalMs in hours × gco2ePerGpuHour, null when a sample had
 *       no embodied figure;</li>
 *   <li>carbonG = operationalCarbonG + embodiedCarbonG, null when either is; carbonPerMillionTokens =
 *       carbonG / tokens × 1e6, null when tokens = 0 or carbonG is null.</li>
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
  long operationalCarbonNanograms;
  long embodiedCarbonNanograms;
  /** Samples without a grid intensity or a tariff (pue) at their timestamp. */
  long withoutIntensity;
  /** Samples without an embodied figure at their timestamp. */
  long withoutEmbodied;

  public CostSums() {
  }

  private CostSums(long energyMicrojoules, long energyCostPicos, long capacityCostPicos, long withoutTariff,
      long withoutGpuRate, long unpricedSamples, long operationalCarbonNanograms, long embodiedCarbonNanograms,
      long withoutIntensity, long withoutEmbodied) {
    this.energyMicrojoules = energyMicrojoules;
    this.energyCostPicos = energyCostPicos;
    this.capacityCostPicos = capacityCostPicos;
    this.withoutTariff = withoutTariff;
    this.withoutGpuRate = withoutGpuRate;
    this.unpricedSamples = unpricedSamples;
    this.operationalCarbonNanograms = operationalCarbonNanograms;
    this.embodiedCarbonNanograms = embodiedCarbonNanograms;
    this.withoutIntensity = withoutIntensity;
    this.withoutEmbodied = withoutEmbodied;
  }

  /** One sample's energy, costs and carbon, each rounded once to fixed point. */
  public static CostSums of(PricedSample priced) {
    Double energyCost = priced.energyCost();
    Double capacityCost = priced.capacityCost();
    Double operational = priced.operationalCarbonG();
    Double embodied = priced.embodiedCarbonG();
    return new CostSums(FixedPoint.microjoules(priced.energyJoules()),
        energyCost == null ? 0 : FixedPoint.picos(energyCost), capacityCost == null ? 0 : FixedPoint.picos(capacityCost),
        energyCost == null ? 1 : 0, capacityCost == null ? 1 : 0, priced.unpriced() ? 1 : 0,
        operational == null ? 0 : FixedPoint.nanograms(operational), embodied == null ? 0 : FixedPoint.nanograms(embodied),
        operational == null ? 1 : 0, embodied == null ? 1 : 0);
  }

  /**
   * A billing line's energy, costs and carbon (SPEC §2, §2a) from its quantities, each bucket
   * priced by the versions {@code view} has in effect at the bucket's start. Each figure is the
   * exact sum over buckets (BigDecimal: the exact binary value of every price), rounded once, half
   * to even, to fixed point:
   * <ul>
   *   <li>energyCost, 10⁻¹² units = Σ µJ × pricePerKwh × pue ÷ 3.6;</li>
   *   <li>capacityCost, 10⁻¹² units = Σ GPU-ns × hourlyRate ÷ 3.6;</li>
   *   <li>operationalCarbon, ng = Σ µJ × pue × gco2ePerKwh ÷ 3,600;</li>
   *   <li>embodiedCarbon, ng = Σ GPU-ns × gco2ePerGpuHour ÷ 3,600.</li>
   * </ul>
   * A bucket without the version a figure needs adds its sample count to that figure's missing
   * count (the figure is then null). The result depends on the quantities and the view only, not
   * on the order of buckets or on how samples were grouped into them.
   */
  public static CostSums of(ReferenceQuantities quantities, ReferenceView view) {
    BigDecimal energyCost = BigDecimal.ZERO;
    BigDecimal capacityCost = BigDecimal.ZERO;
    BigDecimal operational = BigDecimal.ZERO;
    BigDecimal embodied = BigDecimal.ZERO;
    long energy = 0;
    long withoutTariff = 0;
    long withoutGpuRate = 0;
    long unpriced = 0;
    long withoutIntensity = 0;
    long withoutEmbodied = 0;
    for (Map.Entry<ReferenceQuantities.Bucket, long[]> e : quantities.buckets.entrySet()) {
      ReferenceQuantities.Bucket b = e.getKey();
      long samples = e.getValue()[0];
      BigDecimal microjoules = BigDecimal.valueOf(e.getValue()[1]);
      BigDecimal gpuNanos = BigDecimal.valueOf(e.getValue()[2]);
      energy = Math.addExact(energy, e.getValue()[1]);
      Tariff tariff = view.tariffAt(b.site(), b.start());
      GpuRate rate = view.gpuRateAt(b.gpuModel(), b.start());
      GridIntensity intensity = view.gridIntensityAt(b.site(), b.start());
      GpuEmbodied perGpuHour = view.gpuEmbodiedAt(b.gpuModel(), b.start());
      if (tariff != null) {
        BigDecimal facility = microjoules.multiply(new BigDecimal(tariff.getPue()));
        energyCost = energyCost.add(facility.multiply(new BigDecimal(tariff.getPricePerKwh())));
        if (intensity != null) {
          operational = operational.add(facility.multiply(new BigDecimal(intensity.getGco2ePerKwh())));
        }
      } else {
        withoutTariff += samples;
      }
      if (tariff == null || intensity == null) {
        withoutIntensity += samples;
      }
      if (rate != null) {
        capacityCost = capacityCost.add(gpuNanos.multiply(new BigDecimal(rate.getHourlyRate())));
      } else {
        withoutGpuRate += samples;
      }
      if (tariff == null || rate == null) {
        unpriced += samples;
      }
      if (perGpuHour != null) {
        embodied = embodied.add(gpuNanos.multiply(new BigDecimal(perGpuHour.getGco2ePerGpuHour())));
      } else {
        withoutEmbodied += samples;
      }
    }
    return new CostSums(energy, rounded(energyCost, PICOS_DIVISOR), rounded(capacityCost, PICOS_DIVISOR), withoutTariff,
        withoutGpuRate, unpriced, rounded(operational, NANOGRAMS_DIVISOR), rounded(embodied, NANOGRAMS_DIVISOR),
        withoutIntensity, withoutEmbodied);
  }

  /** µJ × currency/kWh → 10⁻¹² currency: ÷ 3.6e12 µJ/kWh × 1e12; GPU-ns × currency/GPU-h likewise (3.6e12 ns/h). */
  private static final BigDecimal PICOS_DIVISOR = new BigDecimal("3.6");
  /** µJ × g/kWh → ng: ÷ 3.6e12 × 1e9; GPU-ns × g/GPU-h likewise. */
  private static final BigDecimal NANOGRAMS_DIVISOR = new BigDecimal("3600");

  private static long rounded(BigDecimal exact, BigDecimal divisor) {
    return exact.divide(divisor, 0, RoundingMode.HALF_EVEN).longValueExact();
  }

  /**
   * These sums split in proportion to {@code weights} by the largest-remainder method: the parts'
   * energy, costs and carbon add up to these exactly; each part keeps the counts of missing
   * reference values (the part of an unpriced sample is unpriced too).
   */
  public CostSums[] split(double[] weights) {
    long[] energy = Apportionment.split(energyMicrojoules, weights);
    long[] energyCost = Apportionment.split(energyCostPicos, weights);
    long[] capacityCost = Apportionment.split(capacityCostPicos, weights);
    long[] operational = Apportionment.split(operationalCarbonNanograms, weights);
    long[] embodied = Apportionment.split(embodiedCarbonNanograms, weights);
    CostSums[] parts = new CostSums[weights.length];
    for (int i = 0; i < parts.length; i++) {
      parts[i] = new CostSums(energy[i], energyCost[i], capacityCost[i], withoutTariff, withoutGpuRate, unpricedSamples,
          operational[i], embodied[i], withoutIntensity, withoutEmbodied);
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
    operationalCarbonNanograms = Math.addExact(operationalCarbonNanograms, c.operationalCarbonNanograms);
    embodiedCarbonNanograms = Math.addExact(embodiedCarbonNanograms, c.embodiedCarbonNanograms);
    withoutIntensity = Math.addExact(withoutIntensity, c.withoutIntensity);
    withoutEmbodied = Math.addExact(withoutEmbodied, c.withoutEmbodied);
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

  /** Operational carbon, gCO2e; null when a sample had no grid intensity or no tariff at its timestamp. */
  public Double operationalCarbonG() {
    return withoutIntensity > 0 ? null : FixedPoint.grams(operationalCarbonNanograms);
  }

  /** Embodied carbon, gCO2e; null when a sample had no embodied figure at its timestamp. */
  public Double embodiedCarbonG() {
    return withoutEmbodied > 0 ? null : FixedPoint.grams(embodiedCarbonNanograms);
  }

  /** operationalCarbonG + embodiedCarbonG, gCO2e; null when either is null. */
  public Double carbonG() {
    return withoutIntensity > 0 || withoutEmbodied > 0 ? null
        : FixedPoint.grams(Math.addExact(operationalCarbonNanograms, embodiedCarbonNanograms));
  }

  /** carbonG / tokens × 1e6, gCO2e per million tokens; null when tokens = 0 or carbonG is null. */
  public Double carbonPerMillionTokens(long tokens) {
    Double carbon = carbonG();
    return carbon == null || tokens == 0 ? null : carbon / tokens * 1e6;
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
    out.writeLong(operationalCarbonNanograms);
    out.writeLong(embodiedCarbonNanograms);
    out.writeLong(withoutIntensity);
    out.writeLong(withoutEmbodied);
  }

  /** Reads what {@link #writeTo} wrote. */
  public static CostSums readFrom(DataInput in) throws IOException {
    return new CostSums(in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong(),
        in.readLong(), in.readLong(), in.readLong(), in.readLong());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CostSums c && energyMicrojoules == c.energyMicrojoules && energyCostPicos == c.energyCostPicos
        && capacityCostPicos == c.capacityCostPicos && withoutTariff == c.withoutTariff && withoutGpuRate == c.withoutGpuRate
        && unpricedSamples == c.unpricedSamples && operationalCarbonNanograms == c.operationalCarbonNanograms
        && embodiedCarbonNanograms == c.embodiedCarbonNanograms && withoutIntensity == c.withoutIntensity
        && withoutEmbodied == c.withoutEmbodied;
  }

  @Override
  public int hashCode() {
    return Objects.hash(energyMicrojoules, energyCostPicos, capacityCostPicos, withoutTariff, withoutGpuRate, unpricedSamples,
        operationalCarbonNanograms, embodiedCarbonNanograms, withoutIntensity, withoutEmbodied);
  }

  @Override
  public String toString() {
    return "energyMicroJ=" + energyMicrojoules + ", energyCostPicos=" + energyCostPicos + ", capacityCostPicos="
        + capacityCostPicos + ", unpriced=" + unpricedSamples + ", operationalCarbonNg=" + operationalCarbonNanograms
        + ", embodiedCarbonNg=" + embodiedCarbonNanograms;
  }
}
