package io.factorymeter.app.metering;

import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.StreamsMetrics;

/**
 * Counters an operator reads (JMX, {@code KafkaStreams#metrics()}, the {@code run} command's
 * status line): Kafka Streams custom sensors in the metric group {@code stream-factory-meter-metrics},
 * each with a {@code -total} and a {@code -rate} metric, tagged with the task or global processor.
 */
public final class MeteringCounters {

  /** Metric group of every counter (Kafka Streams prefixes the scope with "stream-" and suffixes "-metrics"). */
  public static final String GROUP = "stream-factory-meter-metrics";
  static final String SCOPE = "factory-meter";

  /** What is counted; the metric is {@code <name>-total}. */
  public enum Counter {
    SAMPLES_IN("samples-in"),
    HEARTBEATS("heartbeats"),
    DUPLICATES("duplicates"),
    INVALID_DESERIALIZATION("invalid-deserialization"),
    INVALID_KEY_MISMATCH("invalid-key-mismatch"),
    INVALID_INVALID_ID("invalid-invalid-id"),
    INVALID_OUT_OF_RANGE("invalid-out-of-range"),
    INVALID_NAN("invalid-nan"),
    INVALID_RESERVED_ID("invalid-reserved-id"),
    INVALID_FUTURE_TIMESTAMP("invalid-future-timestamp"),
    LATE_FOR_METRICS("late-for-metrics"),
    LATE_BEYOND_RESTATEMENT("late-beyond-restatement"),
    UNPRICED("unpriced"),
    PRICES_IGNORED_CURRENCY("prices-ignored-currency"),
    PRICES_INVALID("prices-invalid"),
    PRICES_STORED("prices-stored"),
    PRICE_VERSIONS_DROPPED("price-versions-dropped"),
    PRICES_REGISTRY_RETRIES("prices-registry-retries"),
    /** A correction of reference data (SPEC §2a) reached its batch close and was applied to the lines still restatable. */
    CORRECTIONS_APPLIED("corrections-applied"),
    /** A correction covers periods past the restatement horizon: those are not restated. */
    CORRECTIONS_BEYOND_HORIZON("corrections-beyond-horizon"),
    /** A version arrived after billing had passed its anchor: applied at the next close, when a replay may apply it earlier. */
    CORRECTIONS_ANCHOR_PASSED("corrections-anchor-passed");

    private final String metricName;

    Counter(String metricName) {
      this.metricName = metricName;
    }

    /** The operation name; the total is {@code metricName() + "-total"}. */
    public String metricName() {
      return metricName;
    }

    static Counter invalid(SampleValidation.Reason reason) {
      return switch (reason) {
        case DESERIALIZATION -> INVALID_DESERIALIZATION;
        case KEY_MISMATCH -> INVALID_KEY_MISMATCH;
        case INVALID_ID -> INVALID_INVALID_ID;
        case OUT_OF_RANGE -> INVALID_OUT_OF_RANGE;
        case NAN -> INVALID_NAN;
        case RESERVED_ID -> INVALID_RESERVED_ID;
        case FUTURE_TIMESTAMP -> INVALID_FUTURE_TIMESTAMP;
      };
    }
  }

  private final StreamsMetrics metrics;
  private final String entity;
  private final Map<Counter, Sensor> sensors = new EnumMap<>(Counter.class);

  /** Counters of one task or global processor, {@code entity} naming it (e.g. the task id). */
  public MeteringCounters(StreamsMetrics metrics, String entity) {
    this.metrics = metrics;
    this.entity = entity;
  }

  /**
   * Creates the sensors of {@code counters} now, at 0, so that they are visible (JMX, /metrics)
   * before their first event: a scraper then sees 0 instead of no series.
   */
  public void register(Counter... counters) {
    for (Counter c : counters) {
      sensor(c);
    }
  }

  public void increment(Counter counter) {
    sensor(counter).record();
  }

  private Sensor sensor(Counter counter) {
    return sensors.computeIfAbsent(counter, c -> metrics.addRateTotalSensor(SCOPE, entity, c.metricName(),
        Sensor.RecordingLevel.INFO));
  }

  /** Removes this entity's sensors (a closed task). */
  public void close() {
    sensors.values().forEach(metrics::removeSensor);
    sensors.clear();
  }
}
