package io.factorymeter.app.billing;

/**
 * A tenant and model's billing period in the store: the amounts so far and the revision last
 * emitted (0: not emitted yet).
 */
public record PeriodState(int revision, BillingAmounts amounts) {
}
