package io.factorymeter.app.query;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factorymeter.app.serde.RecordJson;
import io.factorymeter.contract.OutputKey;
import io.factorymeter.schema.Alert;
import io.factorymeter.schema.AlertStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Answers a {@link ViewQuery} from this instance's stores only (Kafka Streams interactive
 * queries over the tasks it runs), as JSON objects with the fields of the records' Avro schemas
 * ({@link RecordJson}).
 *
 * @throws org.apache.kafka.streams.errors.InvalidStateStoreException from every method while the
 *     stores cannot be queried (starting, rebalancing)
 */
public final class LocalViews {

  /** Where the stores are: Kafka Streams' interactive queries, or a test driver's stores. */
  public interface Stores {
    /** The window store {@code name}. */
    ReadOnlyWindowStore<String, SpecificRecord> window(String name);

    /** The key-value store {@code name}. */
    ReadOnlyKeyValueStore<String, SpecificRecord> keyValue(String name);
  }

  private final Stores stores;

  public LocalViews(Stores stores) {
    this.stores = stores;
  }

  /** The stores of the tasks {@code streams} runs here. */
  public static LocalViews of(KafkaStreams streams) {
    return new LocalViews(new Stores() {
      @Override
      public ReadOnlyWindowStore<String, SpecificRecord> window(String name) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, SpecificRecord>windowStore()));
      }

      @Override
      public ReadOnlyKeyValueStore<String, SpecificRecord> keyValue(String name) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, SpecificRecord>keyValueStore()));
      }
    });
  }

  /** The records of the view that answer the query, in store order. */
  public List<ObjectNode> answer(ViewQuery q) {
    return switch (q.view()) {
      case NODE_WINDOWS, CLUSTER_WINDOWS, FLEET_WINDOWS -> windowsOf(q);
      case NODE_LATEST, CLUSTER_LATEST -> latest(q);
      case NODE_ALERTS, CLUSTER_ALERTS -> alerts(q);
      case BILLING_LINES -> billing(q);
    };
  }

  private List<ObjectNode> windowsOf(ViewQuery q) {
    if (q.id() == null) {
      throw new IllegalArgumentException("view " + q.view() + " needs an id");
    }
    List<ObjectNode> out = new ArrayList<>();
    try (WindowStoreIterator<SpecificRecord> it = windowStore(q).fetch(q.id(), start(q), lastStart(q))) {
      it.forEachRemaining(kv -> out.add(json(kv.value)));
    }
    return out;
  }

  private List<ObjectNode> billing(ViewQuery q) {
    List<ObjectNode> out = new ArrayList<>();
    ReadOnlyWindowStore<String, SpecificRecord> store = windowStore(q);
    try (KeyValueIterator<Windowed<String>, SpecificRecord> it = q.id() == null
        ? store.fetchAll(start(q), lastStart(q))
        : store.fetch(q.id() + OutputKey.SEPARATOR, q.id() + OutputKey.SEPARATOR + '\uffff', start(q), lastStart(q))) {
      it.forEachRemaining(kv -> out.add(json(kv.value)));
    }
    return out;
  }

  private List<ObjectNode> latest(ViewQuery q) {
    List<ObjectNode> out = new ArrayList<>();
    try (KeyValueIterator<String, SpecificRecord> it = keyValueStore(q).all()) {
      it.forEachRemaining(kv -> out.add(json(kv.value)));
    }
    return out;
  }

  private List<ObjectNode> alerts(ViewQuery q) {
    List<ObjectNode> out = new ArrayList<>();
    try (KeyValueIterator<String, SpecificRecord> it = keyValueStore(q).all()) {
      while (it.hasNext()) {
        KeyValue<String, SpecificRecord> kv = it.next();
        Alert a = (Alert) kv.value;
        long start = a.getStartTime().toEpochMilli();
        if ((!q.openOnly() || a.getStatus() == AlertStatus.OPEN) && start >= q.from() && start < q.to()) {
          out.add(json(a));
        }
      }
    }
    return out;
  }

  private ReadOnlyWindowStore<String, SpecificRecord> windowStore(ViewQuery q) {
    return stores.window(q.view().store());
  }

  private ReadOnlyKeyValueStore<String, SpecificRecord> keyValueStore(ViewQuery q) {
    return stores.keyValue(q.view().store());
  }

  private static Instant start(ViewQuery q) {
    return Instant.ofEpochMilli(q.from());
  }

  /** Window store ranges include both ends: the last start time in [from, to). */
  private static Instant lastStart(ViewQuery q) {
    return Instant.ofEpochMilli(q.to() == ViewQuery.LATEST ? ViewQuery.LATEST : q.to() - 1);
  }

  private static ObjectNode json(SpecificRecord record) {
    return (ObjectNode) RecordJson.toJson(record, record.getSchema());
  }
}
