package io.factorymeter.app.billing;

import io.factorymeter.app.metering.CostSums;
import io.factorymeter.app.serde.VersionedSerde;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** The store form of a {@link PeriodState}: the revision emitted so far, the amounts, then the figures emitted, if any. */
public final class PeriodStateSerde extends VersionedSerde<PeriodState> {

  public PeriodStateSerde() {
    super(4, "billing period state", 256);
  }

  @Override
  protected void write(DataOutput out, PeriodState state) throws IOException {
    out.writeInt(state.revision());
    state.amounts().writeTo(out);
    out.writeBoolean(state.emitted() != null);
    if (state.emitted() != null) {
      state.emitted().writeTo(out);
    }
  }

  @Override
  protected PeriodState read(DataInput in) throws IOException {
    int revision = in.readInt();
    BillingAmounts amounts = BillingAmounts.readFrom(in);
    return new PeriodState(revision, amounts, in.readBoolean() ? CostSums.readFrom(in) : null);
  }
}
