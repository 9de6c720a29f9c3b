package io.factorymeter.app.metering;

import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.rollup.GroupMinutes;
import io.factorymeter.app.rollup.RollupEvent;
import io.factorymeter.contract.OutputKey;
import io.factorymeter.schema.Alert;
import io.factorymeter.schema.AlertStatus;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * {@value #LOW_CLUSTER_COVERAGE} alerts on {@code factory.alerts}: a cluster's coverage against the
 * nodes it knows (SPEC §4 {@code uptimeKnown} = min(1, covered / (window × nodesKnown))) below the
 * threshold ({@code factory.meter.alert.cluster.coverage}) in a final window opens an alert
 * (startTime = the window's start, value = its uptimeKnown); the first later final window at or
 * above the threshold resolves it (endTime = that window's start). {@code uptimeKnown}, not
 * {@code coverage}: coverage counts only the nodes reporting in the window, so a node that stopped
 * reporting does not lower it. The key's and the record's nodeId part is the clusterId:
 * {@code clusterId|LOW_CLUSTER_COVERAGE|startTime}.
 *
 * <p>Decided on the first final record of each cluster window ({@link GroupMinutes}: what it holds
 * depends only on the input partitions' records), in window order; a later final record of the same
 * or an earlier window (a restatement by samples late for node metrics) decides nothing, so a replay
 * raises the same alerts. Per cluster the last window decided and the open alert's start are kept
 * in a logged store.
 */
public final class ClusterAlerts implements Processor<String, GroupMinutes.Figures, String, Alert> {

  static final String LOW_CLUSTER_COVERAGE = "LOW_CLUSTER_COVERAGE";
  public static final String STORE = "cluster-alerts";
  private static final String DECIDED = "decided|";
  private static final String OPEN = "open|";

  private final double threshold;
  private final long windowMs;
  private ProcessorContext<String, Alert> context;
  private KeyValueStore<String, Long> store;

  private ClusterAlerts(MeteringConfig config) {
    this.threshold = config.alerts().clusterCoverage();
    this.windowMs = config.window().toMillis();
  }

  /** Creates the processor and owns its store. */
  public static ProcessorSupplier<String, GroupMinutes.Figures, String, Alert> supplier(MeteringConfig config) {
    return new ProcessorSupplier<>() {
      @Override
      public Processor<String, GroupMinutes.Figures, String, Alert> get() {
        return new ClusterAlerts(config);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(), Serdes.Long())
            .withCachingEnabled());
      }
    };
  }

  @Override
  public void init(ProcessorContext<String, Alert> context) {
    this.context = context;
    this.store = context.getStateStore(STORE);
  }

  @Override
  public void process(Record<String, GroupMinutes.Figures> record) {
    GroupMinutes.Figures g = record.value();
    if (g.group() != RollupEvent.Group.CLUSTER || !g.isFinal()) {
      return;
    }
    String clusterId = g.groupId();
    Long decided = store.get(DECIDED + clusterId);
    if (decided != null && g.windowStart() <= decided) {
      return;   // a restatement: decided on the window's first final record
    }
    store.put(DECIDED + clusterId, g.windowStart());
    Double uptime = new MetricFigures(g.figures(), Instant.ofEpochMilli(g.windowStart()), windowMs).uptimeKnown();
    if (uptime == null) {
      return;   // no node known: nothing to cover
    }
    Long open = store.get(OPEN + clusterId);
    long decidedAt = g.windowStart() + windowMs;
    if (open == null && uptime < threshold) {
      store.put(OPEN + clusterId, g.windowStart());
      send(clusterId, AlertStatus.OPEN, g.windowStart(), null, uptime, String.format(Locale.ROOT,
          "cluster %s covered %.1f%% of its %d known nodes' time in the window from %s, below %.1f%%", clusterId,
          100 * uptime, (int) g.figures().nodesKnown, OutputKey.iso(Instant.ofEpochMilli(g.windowStart())), 100 * threshold),
          decidedAt);
    } else if (open != null && uptime >= threshold) {
      store.delete(OPEN + clusterId);
      send(clusterId, AlertStatus.RESOLVED, open, g.windowStart(), uptime, String.format(Locale.ROOT,
          "cluster %s covered %.1f%% of its known nodes' time in the window from %s, at or above %.1f%%", clusterId,
          100 * uptime, OutputKey.iso(Instant.ofEpochMilli(g.windowStart())), 100 * threshold), decidedAt);
    }
  }

  private void send(String clusterId, AlertStatus status, long startTime, Long endTime, double value, String message,
      long timestamp) {
    Alert alert = NodeAlerts.alert(clusterId, clusterId, LOW_CLUSTER_COVERAGE, status, startTime, endTime, value, threshold, message);
    context.forward(new Record<>(OutputKey.alert(clusterId, LOW_CLUSTER_COVERAGE, Instant.ofEpochMilli(startTime)), alert,
        Math.max(0, timestamp)));
  }
}
