package io.factorymeter.app.query;

import io.factorymeter.app.rollup.RollupEvent;

/**
 * What the query API reads from one store of {@link QueryStores}, and how a key finds the
 * instance that holds it: the routing key is the key of the record that the store's task
 * partitioned by (Kafka's default partitioner over its UTF-8 bytes, as the telemetry producers
 * and {@code RollupPartitioner} place them).
 */
public enum View {
  /** Node windows of one node. */
  NODE_WINDOWS(QueryStores.NODE_WINDOWS, ""),
  /** Each node's newest window. */
  NODE_LATEST(QueryStores.NODE_LATEST, ""),
  /** Node alerts. */
  NODE_ALERTS(QueryStores.NODE_ALERTS, ""),
  /** Cluster windows of one cluster. */
  CLUSTER_WINDOWS(QueryStores.CLUSTER_WINDOWS, RollupEvent.Group.CLUSTER.name() + "|"),
  /** Each cluster's newest window. */
  CLUSTER_LATEST(QueryStores.CLUSTER_LATEST, RollupEvent.Group.CLUSTER.name() + "|"),
  /** Cluster alerts. */
  CLUSTER_ALERTS(QueryStores.CLUSTER_ALERTS, RollupEvent.Group.CLUSTER.name() + "|"),
  /** Fleet windows. */
  FLEET_WINDOWS(QueryStores.FLEET_WINDOWS, RollupEvent.Group.FLEET.name() + "|"),
  /** Billing lines (of one tenant, or of all). */
  BILLING_LINES(QueryStores.BILLING_LINES, "");

  private final String store;
  private final String routingPrefix;

  View(String store, String routingPrefix) {
    this.store = store;
    this.routingPrefix = routingPrefix;
  }

  /** The store's name. */
  public String store() {
    return store;
  }

  /** The key the store's records of {@code id} were partitioned by. */
  public String routingKey(String id) {
    return routingPrefix + id;
  }
}
