package io.factorymeter.app.billing;

import io.factorymeter.app.metering.CostSums;
import io.factorymeter.app.metering.FixedPoint;
import io.factorymeter.app.serde.VersionedSerde;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Objects;

/**
 * Amounts billed to one tenant and model (SPEC §3): tokens, and energy, costs and carbon in the
 * fixed point of {@link FixedPoint} with the SPEC §2 and §2a rules of {@link CostSums}, from one sample (a
 * share) or summed over a period. Mutable: {@link #add} folds one in.
 */
public final class BillingAmounts {

  long promptTokens;
  long completionTokens;
  CostSums cost;

  public BillingAmounts() {
    this(0, 0, new CostSums());
  }

  BillingAmounts(long promptTokens, long completionTokens, CostSums cost) {
    this.promptTokens = promptTokens;
    this.completionTokens = completionTokens;
    this.cost = cost;
  }

  /** Folds {@code c} into these amounts (exact; an overflow fails loudly); returns this. */
  public BillingAmounts add(BillingAmounts c) {
    promptTokens = Math.addExact(promptTokens, c.promptTokens);
    completionTokens = Math.addExact(completionTokens, c.completionTokens);
    cost.add(c.cost);
    return this;
  }

  public long promptTokens() {
    return promptTokens;
  }

  public long completionTokens() {
    return completionTokens;
  }

  /** Energy, J. */
  public double energyJ() {
    return cost.energyJ();
  }

  /** Null when an attributed sample had no tariff. */
  public Double energyCost() {
    return cost.energyCost();
  }

  /** Null when an attributed sample had no GPU rate. */
  public Double capacityCost() {
    return cost.capacityCost();
  }

  /** energyCost + capacityCost; null when either is null. */
  public Double totalCost() {
    return cost.totalCost();
  }

  /** totalCost / (prompt + completion tokens) × 1e6; null without tokens or without a total. */
  public Double costPerMillionTokens() {
    return cost.costPerMillionTokens(promptTokens + completionTokens);
  }

  public long unpricedSamples() {
    return cost.unpricedSamples();
  }

  /** SPEC §2a, gCO2e; null when an attributed sample had no grid intensity or tariff. */
  public Double operationalCarbonG() {
    return cost.operationalCarbonG();
  }

  /** SPEC §2a, gCO2e; null when an attributed sample had no embodied figure. */
  public Double embodiedCarbonG() {
    return cost.embodiedCarbonG();
  }

  /** operationalCarbonG + embodiedCarbonG; null when either is null. */
  public Double carbonG() {
    return cost.carbonG();
  }

  /** Writes the amounts (for the internal binary serdes). */
  public void writeTo(DataOutput out) throws IOException {
    out.writeLong(promptTokens);
    out.writeLong(completionTokens);
    cost.writeTo(out);
  }

  /** Reads what {@link #writeTo} wrote. */
  public static BillingAmounts readFrom(DataInput in) throws IOException {
    return new BillingAmounts(in.readLong(), in.readLong(), CostSums.readFrom(in));
  }

  /** Its binary form in a state store. */
  public static final class Serde extends VersionedSerde<BillingAmounts> {

    public Serde() {
      super(2, "billing amounts", 112);
    }

    @Override
    protected void write(DataOutput out, BillingAmounts amounts) throws IOException {
      amounts.writeTo(out);
    }

    @Override
    protected BillingAmounts read(DataInput in) throws IOException {
      return readFrom(in);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BillingAmounts b && promptTokens == b.promptTokens && completionTokens == b.completionTokens
        && cost.equals(b.cost);
  }

  @Override
  public int hashCode() {
    return Objects.hash(promptTokens, completionTokens, cost);
  }

  @Override
  public String toString() {
    return "BillingAmounts{prompt=" + promptTokens + ", completion=" + completionTokens + ", " + cost + "}";
  }
}
