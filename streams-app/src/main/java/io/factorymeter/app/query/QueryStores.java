package io.factorymeter.app.query;

import io.factorymeter.app.serde.InternalAvroSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The state stores the query API reads (issue 10, SPEC §4 output records kept for interactive
 * queries). Each lives in the sub-topology that writes its records, so a key's records are in
 * the task, and on the instance, that owns the key:
 * <ul>
 *   <li>node windows and the node alerts: the intake, partitioned like {@code factory.telemetry}
 *       (by nodeId, Kafka's default partitioner);</li>
 *   <li>cluster and fleet windows, cluster alerts and billing lines: after the rollup topic,
 *       partitioned by the rollup key ({@code CLUSTER|id}, {@code FLEET|fleet},
 *       tenant|model|period).</li>
 * </ul>
 * Window stores are keyed by the record's id with the window (or period) start as their time and
 * keep {@code factory.meter.query.retention} of event time; values are plain Avro binary. Only
 * the node windows live in RocksDB; the others are small and live on the heap ({@link #windows}).
 */
public final class QueryStores {

  /** Node windows by nodeId and windowStart. */
  public static final String NODE_WINDOWS = "query-node-windows";
  /** The newest node window of each node, by nodeId. */
  public static final String NODE_LATEST = "query-node-latest";
  /** Node alerts by alert key ({@code nodeId|alertType|startTime}). */
  public static final String NODE_ALERTS = "query-node-alerts";
  /** Cluster windows by clusterId and windowStart. */
  public static final String CLUSTER_WINDOWS = "query-cluster-windows";
  /** The newest cluster window of each cluster, by clusterId. */
  public static final String CLUSTER_LATEST = "query-cluster-latest";
  /** Fleet windows by fleetId and windowStart. */
  public static final String FLEET_WINDOWS = "query-fleet-windows";
  /** Cluster alerts by alert key. */
  public static final String CLUSTER_ALERTS = "query-cluster-alerts";
  /** Billing lines, latest revision, by {@code tenantId|modelId} and periodStart. */
  public static final String BILLING_LINES = "query-billing-lines";

  private QueryStores() {
  }

  /**
   * A window store of records of {@code type} kept {@code retention} (event time) with windows of
   * {@code size}: in RocksDB for the node windows (one per node and minute: large), on the heap for
   * the others (a few per cluster, the fleet or a tenant and period). Both are restored from their
   * changelogs. On the heap, Kafka Streams' flush at each checkpoint costs nothing; every RocksDB
   * store adds a memtable flush there, which showed in the bench's p99 latency.
   */
  static <V extends SpecificRecord> StoreBuilder<WindowStore<String, V>> windows(String name, Class<V> type,
      Duration retention, Duration size) {
    var supplier = name.equals(NODE_WINDOWS)
        ? Stores.persistentWindowStore(name, retention, size, false)
        : Stores.inMemoryWindowStore(name, retention, size, false);
    return Stores.windowStoreBuilder(supplier, Serdes.String(), new InternalAvroSerde<>(type)).withCachingEnabled();
  }

  /** Deletes the entries of {@code store} whose value is {@code gone} (keys collected first, then deleted). */
  static <V> void deleteWhere(KeyValueStore<String, V> store, Predicate<V> gone) {
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, V> it = store.all()) {
      it.forEachRemaining(kv -> {
        if (gone.test(kv.value)) {
          keys.add(kv.key);
        }
      });
    }
    keys.forEach(store::delete);
  }

  /** A key-value store of records of {@code type}, on the heap (one per node, cluster or open alert), restored from its changelog. */
  static <V extends SpecificRecord> StoreBuilder<KeyValueStore<String, V>> latest(String name, Class<V> type) {
    return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), new InternalAvroSerde<>(type))
        .withCachingEnabled();
  }
}
