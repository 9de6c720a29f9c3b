package io.factorymeter.app.query;

import java.time.Duration;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Keeps the metric windows or billing lines that pass on their way to an output topic for the
 * query API (those it is told to keep: metric windows once final, since partial minutes are sent
 * on at every flush and keeping each cost throughput and latency in the bench), and passes them
 * all on unchanged:
 * <ol>
 *   <li>the record goes into the window store under its id at its window start (a newer
 *       revision of the same window replaces the older: latest revision);</li>
 *   <li>if it is the id's newest window so far, it goes into the latest store too;</li>
 *   <li>each time the newest window start this view has seen ("view time") moved on by
 *       {@link #PURGE_EVERY}, ids whose newest window started more than the retention before it
 *       leave the latest store (the window store drops its old segments by itself, by the same
 *       window starts), so a departed node leaves {@code /v1/nodes}.</li>
 * </ol>
 * Event time only: view time comes from the records' window starts, not from Kafka's stream time
 * (the telemetry records' timestamps, stamped when they were produced: a replay of last month
 * would look a month old) nor from the wall clock.
 *
 * @param <V> the record type (NodeMetrics, ClusterMetrics, FleetMetrics, BillingLine)
 */
public final class WindowView<V extends SpecificRecord> implements FixedKeyProcessorSupplier<String, V, V> {

  /** How often, in view time, the latest store is purged. */
  static final Duration PURGE_EVERY = Duration.ofMinutes(10);

  private final String windowStore;
  private final String latestStore;
  private final Class<V> type;
  private final Function<V, String> id;
  private final ToLongFunction<V> start;
  private final Duration retention;
  private final Duration size;
  private final Predicate<V> kept;

  /**
   * @param windowStore name of the window store
   * @param latestStore name of the store of each id's newest window, or null for none
   * @param id the record's id (nodeId, clusterId, fleetId, tenantId|modelId)
   * @param start the record's window or period start, epoch ms
   * @param retention how long windows are kept, event time
   * @param size length of a window (or billing period)
   * @param kept which records the view keeps (all pass on to the topic)
   */
  public WindowView(String windowStore, String latestStore, Class<V> type, Function<V, String> id, ToLongFunction<V> start,
      Duration retention, Duration size, Predicate<V> kept) {
    this.windowStore = windowStore;
    this.latestStore = latestStore;
    this.type = type;
    this.id = id;
    this.start = start;
    this.retention = retention.compareTo(size) < 0 ? size : retention;
    this.size = size;
    this.kept = kept;
  }

  @Override
  public Set<StoreBuilder<?>> stores() {
    return latestStore == null
        ? Set.of(QueryStores.windows(windowStore, type, retention, size))
        : Set.of(QueryStores.windows(windowStore, type, retention, size), QueryStores.latest(latestStore, type));
  }

  @Override
  public FixedKeyProcessor<String, V, V> get() {
    return new FixedKeyProcessor<>() {
      private FixedKeyProcessorContext<String, V> context;
      private WindowStore<String, V> windows;
      private KeyValueStore<String, V> latest;
      private final ViewTime time = new ViewTime(PURGE_EVERY);

      @Override
      public void init(FixedKeyProcessorContext<String, V> context) {
        this.context = context;
        this.windows = context.getStateStore(windowStore);
        if (latestStore != null) {
          this.latest = context.getStateStore(latestStore);
        }
      }

      @Override
      public void process(FixedKeyRecord<String, V> record) {
        V value = record.value();
        if (value != null && kept.test(value)) {
          String key = id.apply(value);
          long windowStart = start.applyAsLong(value);
          windows.put(key, value, windowStart);
          if (latest != null) {
            V newest = latest.get(key);
            if (newest == null || start.applyAsLong(newest) <= windowStart) {
              latest.put(key, value);
            }
            if (time.advanceTo(windowStart)) {
              long oldest = time.newest() - retention.toMillis();
              QueryStores.deleteWhere(latest, v -> start.applyAsLong(v) < oldest);
            }
          }
        }
        context.forward(record);
      }
    };
  }
}
