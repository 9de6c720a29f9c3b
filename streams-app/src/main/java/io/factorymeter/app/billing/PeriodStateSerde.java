package io.factorymeter.app.billing;

import io.factorymeter.app.serde.VersionedSerde;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** The store form of a {@link PeriodState}: the revision emitted so far, then the amounts. */
public final class PeriodStateSerde extends VersionedSerde<PeriodState> {

  public PeriodStateSerde() {
    super(3, "billing period state", 128);
  }

  @Override
  protected void write(DataOutput out, PeriodState state) throws IOException {
    out.writeInt(state.revision());
    state.amounts().writeTo(out);
  }

  @Override
  protected PeriodState read(DataInput in) throws IOException {
    int revision = in.readInt();
    return new PeriodState(revision, BillingAmounts.readFrom(in));
  }
}
