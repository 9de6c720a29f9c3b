package io.factorymeter.app.rollup;

import io.factorymeter.app.billing.BillingAmounts;
import io.factorymeter.app.metering.WindowFigures;

/**
 * What an input partition's intake sends, through one repartition topic, to the tasks that roll
 * clusters, the fleet and billing up. Deltas are sums over many samples of one partition (the
 * rollups add them, so how the intake batches them changes no figure); every event carries the
 * partition's stream time, which is how a rollup task knows when every partition has passed a
 * point of event time (see {@link PartitionWatermarks}).
 */
public sealed interface RollupEvent {

  /** The input partition the event comes from. */
  int sourcePartition();

  /** That partition's stream time when the event was sent, epoch ms. */
  long sourceStreamTime();

  /** What a cluster or the fleet sums. */
  enum Group {
    CLUSTER, FLEET
  }

  /**
   * Sums of samples of one partition for a cluster's or the fleet's window.
   *
   * @param windowStart start of the metric window, epoch ms
   */
  record GroupDelta(Group group, String groupId, long windowStart, WindowFigures figures, int sourcePartition,
      long sourceStreamTime) implements RollupEvent {
  }

  /**
   * Shares of samples of one partition for a tenant and model in a billing period, all belonging
   * to the batch that closes at {@code batchClose} (see {@code BillingPeriods}).
   *
   * @param periodStart start of the billing period, epoch ms
   * @param batchClose when the batch closes, epoch ms of event time
   */
  record BillingDelta(String tenantId, String modelId, long periodStart, long batchClose, BillingAmounts amounts,
      int sourcePartition, long sourceStreamTime) implements RollupEvent {
  }

  /** Input partition {@code sourcePartition} has reached stream time {@code sourceStreamTime}; sent to every rollup partition. */
  record Watermark(int sourcePartition, long sourceStreamTime) implements RollupEvent {
  }
}
