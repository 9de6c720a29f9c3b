package io.factorymeter.app.billing;

/**
 * What the intake tasks send to the billing tasks, through one repartition topic: a sample's
 * share for a tenant, model and period, or the progress of an input partition. Both carry the
 * stream time of the input partition they come from, which is how a billing task knows when
 * every partition has passed a period.
 */
public sealed interface BillingEvent {

  int sourcePartition();

  long sourceStreamTime();

  /** A sample's share for one tenant and model, in the billing period starting at {@code periodStart} (epoch ms). */
  record Contribution(String tenantId, String modelId, long periodStart, BillingAmounts amounts, int sourcePartition,
      long sourceStreamTime) implements BillingEvent {
  }

  /** Input partition {@code sourcePartition} has reached stream time {@code sourceStreamTime}; sent to every billing partition. */
  record Watermark(int sourcePartition, long sourceStreamTime) implements BillingEvent {
  }
}
