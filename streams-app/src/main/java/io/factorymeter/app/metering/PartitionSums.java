package io.factorymeter.app.metering;

import io.factorymeter.app.billing.Attribution;
import io.factorymeter.app.billing.BillingAmounts;
import io.factorymeter.app.billing.BillingPeriods;
import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.metering.Intake.NodeMinute;
import io.factorymeter.app.metering.Intake.Rollup;
import io.factorymeter.app.rollup.RollupEvent;
import io.factorymeter.app.state.SortableTime;
import io.factorymeter.app.state.WriteBehindStore;
import io.factorymeter.contract.OutputKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The last step of the intake: what one input partition sums for the figures of SPEC §2 and §3,
 * so that one record goes on per node and window, and per cluster, fleet and billing key a few
 * records per flush, instead of one (or one per usage entry) per sample.
 *
 * <ul>
 *   <li><b>Node windows</b> (samples open for metrics): summed per node and window; published as
 *       partial figures at every {@link #flush} and as settled ones when the partition's stream
 *       time passes the window's end + grace.</li>
 *   <li><b>Cluster and fleet deltas</b> (every metered sample, also late for metrics): summed per
 *       group and window; sent to the rollup topic at every flush. When the partition settles a
 *       window, the deltas also say how many of the group's nodes it knows there (SPEC §4
 *       nodesKnown, {@link KnownNodes}), a group with known nodes but no sample getting a delta
 *       of that alone.</li>
 *   <li><b>Billing deltas</b>: each sample split among its tenants and models ({@link Attribution})
 *       and summed per tenant, model, period and batch ({@link BillingPeriods#batchClose}); sent at
 *       every flush, and, for a batch whose close the stream time reaches, before anything that
 *       carries that stream time: billing relies on it.</li>
 *   <li><b>Node alerts</b> ({@link NodeAlerts}): each metered sample, each settled node window and
 *       each move of stream time, decided and sent at once.</li>
 * </ul>
 * The sums live on the heap ({@link WriteBehindStore}) and in state stores, written back at every
 * commit of the task ({@code CommitHook}) and changelogged under exactly-once, so a restart loses
 * none; the flushes only decide how often sums go on, never what they add up to.
 */
final class PartitionSums {

  static final String NODE_STORE = "node-windows";
  static final String GROUP_STORE = "group-deltas";
  static final String BILLING_STORE = "billing-deltas";

  private final MeteringConfig config;
  private final long windowMs;
  private final long graceMs;
  private final double promptWeight;
  private final ProcessorContext<String, Intake> context;
  private static final String CLUSTER = "|" + RollupEvent.Group.CLUSTER.name() + "|";
  private static final String FLEET = "|" + RollupEvent.Group.FLEET.name() + "|" + OutputKey.FLEET;

  private final SortableTime.Recent windowTimes = new SortableTime.Recent();
  private final SortableTime.Recent batchTimes = new SortableTime.Recent();
  private final SortableTime.Recent periodTimes = new SortableTime.Recent();
  private final WriteBehindStore<WindowFigures> nodes;
  private final WriteBehindStore<WindowFigures> groups;
  private final WriteBehindStore<BillingAmounts> billing;
  private final KnownNodes known;
  private final NodeAlerts alerts;
  private final int partition;
  /** The earliest close of a billing batch held here; Long.MAX_VALUE when none. */
  private long nextBatchClose;
  /** Node windows starting at or before this are settled and gone. */
  private long settledUpTo = Long.MIN_VALUE;

  PartitionSums(MeteringConfig config, ProcessorContext<String, Intake> context, int partition) {
    this.config = config;
    this.windowMs = config.window().toMillis();
    this.graceMs = config.grace().toMillis();
    this.promptWeight = config.promptWeight();
    this.context = context;
    this.nodes = new WriteBehindStore<>(context.getStateStore(NODE_STORE));
    this.groups = new WriteBehindStore<>(context.getStateStore(GROUP_STORE));
    this.billing = new WriteBehindStore<>(context.getStateStore(BILLING_STORE));
    this.known = new KnownNodes(context.getStateStore(KnownNodes.NODE_STORE), context.getStateStore(KnownNodes.PROGRESS_STORE),
        windowMs, config.nodesKnownHorizon().toMillis());
    this.alerts = new NodeAlerts(config.alerts(), context);
    this.partition = partition;
    this.nextBatchClose = earliestBatchClose();
  }

  /**
   * The stores, without Kafka Streams' record cache: the heap holds the values between commits and
   * {@link #writeBack} writes them at the commit, straight to the store and its changelog.
   */
  static List<StoreBuilder<?>> stores() {
    List<StoreBuilder<?>> stores = new ArrayList<>(List.of(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(NODE_STORE), Serdes.String(), new WindowFiguresSerde())
            .withCachingDisabled(),
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(GROUP_STORE), Serdes.String(), new WindowFiguresSerde())
            .withCachingDisabled(),
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(BILLING_STORE), Serdes.String(), new BillingAmounts.Serde())
            .withCachingDisabled()));
    stores.addAll(KnownNodes.stores());
    stores.addAll(NodeAlerts.stores());
    return stores;
  }

  /** Writes the sums changed since the last commit to their stores: the task is about to commit ({@code CommitHook}). */
  void writeBack() {
    nodes.writeBack();
    groups.writeBack();
    billing.writeBack();
    known.writeBack();
    alerts.writeBack();
  }

  /**
   * Adds a metered sample.
   *
   * @param forMetrics whether its node window is still open (else it is late for metrics)
   * @param firstOfNode whether it is its node's first sample in its window
   * @param streamTime the partition's stream time right after it, epoch ms
   */
  void add(PricedSample priced, boolean forMetrics, boolean firstOfNode, long streamTime) {
    long ts = priced.sample().getTimestamp().toEpochMilli();
    long windowStart = Math.floorDiv(ts, windowMs) * windowMs;
    WindowFigures contribution = WindowFigures.of(priced, firstOfNode);
    alerts.sample(priced.sample().getNodeId(), priced.sample().getClusterId(), ts, priced.sample().getTemperatureC());
    String window = windowTimes.of(windowStart);
    if (forMetrics) {
      String key = window + "|" + priced.sample().getNodeId();
      nodes.update(key, sum -> sum == null ? contribution.copy() : sum.add(contribution));   // a copy: the groups add the same contribution
    }
    addGroup(window + CLUSTER + priced.sample().getClusterId(), contribution);
    addGroup(window + FLEET, contribution);

    long periodStart = MeteringConfig.billingPeriodStart(ts);
    long batchClose = BillingPeriods.batchClose(config, periodStart, streamTime);
    String batchAndPeriod = batchTimes.of(batchClose) + "|" + periodTimes.of(periodStart) + "|";
    for (Attribution.Share share : Attribution.of(priced, promptWeight)) {
      String key = batchAndPeriod + share.tenantId() + "|" + share.modelId();
      billing.update(key, sum -> sum == null ? share.amounts() : sum.add(share.amounts()));   // each share is its own object
    }
    nextBatchClose = Math.min(nextBatchClose, batchClose);
  }

  private void addGroup(String key, WindowFigures contribution) {
    groups.update(key, sum -> sum == null ? contribution.copy() : sum.add(contribution));
  }

  /**
   * The partition's stream time moved from {@code previous} to {@code streamTime}: settles the node
   * windows whose grace has passed, adds the nodes known in each window settled since the last time
   * to the cluster and fleet deltas, and sends those deltas and the billing deltas of batches that
   * have closed, before anything carries the new stream time. They carry the previous stream time:
   * a billing task must not see this partition past a batch's close before it has every delta of
   * the batch, and those sent here reach it one after the other.
   */
  void advanced(long previous, long streamTime) {
    long settleUpTo = WindowClose.lastClosedStart(streamTime, graceMs, windowMs);
    if (settleUpTo > settledUpTo) {
      String last = SortableTime.of(settleUpTo);
      for (KeyValue<String, WindowFigures> kv : nodes.entries(key -> SortableTime.keyAtOrBefore(key, last))) {
        emitNode(kv.key, kv.value, true);
        int bar = kv.key.indexOf('|');
        String nodeId = kv.key.substring(bar + 1);
        long windowStart = Long.parseLong(kv.key.substring(0, bar));
        known.reported(nodeId, windowStart, kv.value.clusterId());
        alerts.settled(nodeId, windowStart, windowMs, kv.value);
        nodes.delete(kv.key);
      }
      addKnown(known.countUpTo(settleUpTo));
      // the cluster and fleet deltas of those windows too, before anything carries the new stream
      // time: a rollup settles a window when every partition is past it (GroupMinutes)
      sendGroups(settleUpTo, previous);
      settledUpTo = settleUpTo;
    }
    if (nextBatchClose <= streamTime) {
      sendBilling(streamTime, previous);
    }
    alerts.streamTime(streamTime);
  }

  /**
   * Adds the nodes known per window and cluster (SPEC §4 nodesKnown) to the cluster deltas, and
   * their sum to the fleet's: a node is in one cluster.
   */
  private void addKnown(SortedMap<Long, SortedMap<String, Integer>> counts) {
    for (Map.Entry<Long, SortedMap<String, Integer>> window : counts.entrySet()) {
      String start = SortableTime.of(window.getKey());
      long fleet = 0;
      for (Map.Entry<String, Integer> cluster : window.getValue().entrySet()) {
        addGroup(start + CLUSTER + cluster.getKey(), WindowFigures.known(cluster.getValue()));
        fleet += cluster.getValue();
      }
      addGroup(start + FLEET, WindowFigures.known(fleet));
    }
  }

  /** Sends partial node figures of the windows changed since the last flush, and every delta held. */
  void flush(long streamTime) {
    // node windows changed since the last flush (none after a restart: their settled figures still go out)
    for (KeyValue<String, WindowFigures> kv : nodes.takeChanged()) {
      emitNode(kv.key, kv.value, false);
    }
    sendGroups(Long.MAX_VALUE, streamTime);
    sendBilling(Long.MAX_VALUE, streamTime);
  }

  /** Sends the cluster and fleet deltas of windows starting at or before {@code upTo}, stamped {@code stamp}. */
  private void sendGroups(long upTo, long stamp) {
    String last = SortableTime.of(upTo);
    for (KeyValue<String, WindowFigures> kv : groups.entries(key -> SortableTime.keyAtOrBefore(key, last))) {
      String[] parts = kv.key.split("\\|", 3);
      RollupEvent.Group group = RollupEvent.Group.valueOf(parts[1]);
      forward(group.name() + "|" + parts[2], new RollupEvent.GroupDelta(group, parts[2], Long.parseLong(parts[0]), kv.value,
          partition, stamp), Math.max(0, stamp));
      groups.delete(kv.key);
    }
  }

  /** Sends the billing deltas of batches closing at or before {@code upTo} (batch close first in the key), stamped {@code stamp}. */
  private void sendBilling(long upTo, long stamp) {
    String last = SortableTime.of(upTo);
    for (KeyValue<String, BillingAmounts> kv : billing.entries(key -> SortableTime.keyAtOrBefore(key, last))) {
      String[] parts = kv.key.split("\\|", 4);
      long batchClose = Long.parseLong(parts[0]);
      long periodStart = Long.parseLong(parts[1]);
      forward(OutputKey.billing(parts[2], parts[3], Instant.ofEpochMilli(periodStart)), new RollupEvent.BillingDelta(
          parts[2], parts[3], periodStart, batchClose, kv.value, partition, stamp), Math.max(0, stamp));
      billing.delete(kv.key);
    }
    nextBatchClose = earliestBatchClose();
  }

  /** Tells the rollups the partition's stream time. */
  void progress(long streamTime) {
    forward("", new RollupEvent.Watermark(partition, streamTime), streamTime);
  }

  private void emitNode(String key, WindowFigures sum, boolean settled) {
    int bar = key.indexOf('|');
    long windowStart = Long.parseLong(key.substring(0, bar));
    String nodeId = key.substring(bar + 1);
    context.forward(new Record<>(OutputKey.window(nodeId, Instant.ofEpochMilli(windowStart)),
        (Intake) new NodeMinute(nodeId, windowStart, sum, settled), windowStart));
  }

  private void forward(String key, RollupEvent event, long timestamp) {
    context.forward(new Record<>(key, (Intake) new Rollup(event), timestamp));
  }

  private long earliestBatchClose() {
    long earliest = Long.MAX_VALUE;
    for (KeyValue<String, BillingAmounts> kv : billing.entries(key -> true)) {
      earliest = Math.min(earliest, SortableTime.ofKey(kv.key));
    }
    return earliest;
  }

}
