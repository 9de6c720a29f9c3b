package io.factorymeter.app.billing;

import io.factorymeter.app.metering.CostSums;

/**
 * A tenant and model's billing period in the store: the amounts so far, the revision last emitted
 * (0: not emitted yet) and the figures it was emitted with (null while not emitted), so that a
 * correction of reference data (SPEC §2a) restates the line only when its figures change.
 */
public record PeriodState(int revision, BillingAmounts amounts, CostSums emitted) {

  /** Amounts not emitted yet (a pending batch). */
  public PeriodState(BillingAmounts amounts) {
    this(0, amounts, null);
  }
}
