package io.factorymeter.app.query;

import io.factorymeter.contract.OutputKey;
import io.factorymeter.schema.Alert;
import io.factorymeter.schema.AlertStatus;
import java.time.Duration;
import java.util.Set;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Keeps the newest state of each alert passing to {@code factory.alerts} for the query API, and
 * passes it on unchanged (SPEC §4 alerts: key {@code nodeId|alertType|startTime}, opened, then
 * the same key resolved):
 * <ol>
 *   <li>the alert goes into the store under its key, replacing its OPEN state when resolved;</li>
 *   <li>each time the newest alert time this view has seen (start or end) moved on by
 *       {@link WindowView#PURGE_EVERY}, resolved alerts whose end is more than the retention before
 *       it leave the store. Open alerts stay, however old. Event time only, as in {@link WindowView}.</li>
 * </ol>
 */
public final class AlertView implements FixedKeyProcessorSupplier<String, Alert, Alert> {

  private final String store;
  private final Duration retention;

  /** @param store the store's name; @param retention how long resolved alerts are kept, event time */
  public AlertView(String store, Duration retention) {
    this.store = store;
    this.retention = retention;
  }

  @Override
  public Set<StoreBuilder<?>> stores() {
    return Set.of(QueryStores.latest(store, Alert.class));
  }

  @Override
  public FixedKeyProcessor<String, Alert, Alert> get() {
    return new FixedKeyProcessor<>() {
      private FixedKeyProcessorContext<String, Alert> context;
      private KeyValueStore<String, Alert> alerts;
      private final ViewTime time = new ViewTime(WindowView.PURGE_EVERY);

      @Override
      public void init(FixedKeyProcessorContext<String, Alert> context) {
        this.context = context;
        this.alerts = context.getStateStore(store);
      }

      @Override
      public void process(FixedKeyRecord<String, Alert> record) {
        Alert alert = record.value();
        if (alert != null) {
          alerts.put(OutputKey.alert(alert.getNodeId(), alert.getAlertType(), alert.getStartTime()), alert);
          long at = alert.getEndTime() == null ? alert.getStartTime().toEpochMilli() : alert.getEndTime().toEpochMilli();
          if (time.advanceTo(at)) {
            long oldest = time.newest() - retention.toMillis();
            QueryStores.deleteWhere(alerts,
                a -> a.getStatus() == AlertStatus.RESOLVED && a.getEndTime() != null && a.getEndTime().toEpochMilli() < oldest);
          }
        }
        context.forward(record);
      }
    };
  }
}
