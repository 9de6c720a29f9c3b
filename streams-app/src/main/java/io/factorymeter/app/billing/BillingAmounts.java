package io.factorymeter.app.billing;

import io.factorymeter.app.metering.CostSums;
import io.factorymeter.app.metering.ReferenceQuantities;
import io.factorymeter.app.pricing.ReferenceView;
import io.factorymeter.app.serde.VersionedSerde;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Objects;

/**
 * What is billed to one tenant and model (SPEC §3), from one sample (a share) or summed over a
 * period: tokens, and the physical quantities per reference interval ({@link ReferenceQuantities}),
 * never money, so that a line can be priced again when reference data is corrected (SPEC §2a).
 * {@link #priced} gives the energy, costs and carbon under a view of the reference data. Mutable:
 * {@link #add} folds one in.
 */
public final class BillingAmounts {

  long promptTokens;
  long completionTokens;
  ReferenceQuantities quantities;

  public BillingAmounts() {
    this(0, 0, new ReferenceQuantities());
  }

  BillingAmounts(long promptTokens, long completionTokens, ReferenceQuantities quantities) {
    this.promptTokens = promptTokens;
    this.completionTokens = completionTokens;
    this.quantities = quantities;
  }

  /** Folds {@code c} into these amounts (exact; an overflow fails loudly); returns this. */
  public BillingAmounts add(BillingAmounts c) {
    promptTokens = Math.addExact(promptTokens, c.promptTokens);
    completionTokens = Math.addExact(completionTokens, c.completionTokens);
    quantities.add(c.quantities);
    return this;
  }

  public long promptTokens() {
    return promptTokens;
  }

  public long completionTokens() {
    return completionTokens;
  }

  /** prompt + completion tokens. */
  public long tokens() {
    return Math.addExact(promptTokens, completionTokens);
  }

  public ReferenceQuantities quantities() {
    return quantities;
  }

  /** Energy, costs and carbon (SPEC §2, §2a) with the reference data of {@code view}. */
  public CostSums priced(ReferenceView view) {
    return CostSums.of(quantities, view);
  }

  /** Writes the amounts (for the internal binary serdes). */
  public void writeTo(DataOutput out) throws IOException {
    out.writeLong(promptTokens);
    out.writeLong(completionTokens);
    quantities.writeTo(out);
  }

  /** Reads what {@link #writeTo} wrote. */
  public static BillingAmounts readFrom(DataInput in) throws IOException {
    return new BillingAmounts(in.readLong(), in.readLong(), ReferenceQuantities.readFrom(in));
  }

  /** Its binary form in a state store. */
  public static final class Serde extends VersionedSerde<BillingAmounts> {

    public Serde() {
      super(3, "billing amounts", 128);
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
        && quantities.equals(b.quantities);
  }

  @Override
  public int hashCode() {
    return Objects.hash(promptTokens, completionTokens, quantities);
  }

  @Override
  public String toString() {
    return "BillingAmounts{prompt=" + promptTokens + ", completion=" + completionTokens + ", " + quantities + "}";
  }
}
