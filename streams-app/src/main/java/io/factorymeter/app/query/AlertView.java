package io.factorymeter.app.query;

import io.factorymeter.contract.OutputKey;
import io.factorymeter.schema.Alert;
import io.factorymeter.schema.AlertStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Keeps the newest state of each alert passing to {@code factory.alerts} for the query API, and
 * passes it on unchanged (SPEC §4 alerts: key {@code nodeId|alertType|startTime}, opened, then
 * the same key resolved):
 * <ol>
 *   <li>the alert goes into the store under its key, replacing its OPEN state when resolved;</li>
 *   <li>every {@link WindowView#PURGE_EVERY} of stream time, resolved alerts whose end is more
 *       than the retention before stream time leave the store. Open alerts stay, however old.</li>
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

      @Override
      public void init(FixedKeyProcessorContext<String, Alert> context) {
        this.context = context;
        this.alerts = context.getStateStore(store);
        context.schedule(WindowView.PURGE_EVERY, PunctuationType.STREAM_TIME, this::purge);
      }

      @Override
      public void process(FixedKeyRecord<String, Alert> record) {
        Alert alert = record.value();
        if (alert != null) {
          alerts.put(OutputKey.alert(alert.getNodeId(), alert.getAlertType(), alert.getStartTime()), alert);
        }
        context.forward(record);
      }

      private void purge(long streamTime) {
        long oldest = streamTime - retention.toMillis();
        List<String> gone = new ArrayList<>();
        try (KeyValueIterator<String, Alert> it = alerts.all()) {
          while (it.hasNext()) {
            KeyValue<String, Alert> kv = it.next();
            Alert a = kv.value;
            if (a.getStatus() == AlertStatus.RESOLVED && a.getEndTime() != null && a.getEndTime().toEpochMilli() < oldest) {
              gone.add(kv.key);
            }
          }
        }
        gone.forEach(alerts::delete);
      }
    };
  }
}
