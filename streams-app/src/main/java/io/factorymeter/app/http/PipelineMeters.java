package io.factorymeter.app.http;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The meters of a running pipeline for {@code /metrics} (Micrometer, Prometheus registry): Kafka
 * Streams' client metrics through Micrometer's Kafka binder — the stream threads', tasks',
 * stores', consumers' and producers', and the pipeline's own counters, which are Kafka Streams
 * sensors of the group {@code stream-factory-meter-metrics} (samples-in, duplicates,
 * invalid-* by reason, late-for-metrics, late-beyond-restatement, unpriced, …; see
 * {@code MeteringCounters}) and so appear as {@code kafka_stream_factory_meter_<counter>_total}
 * with the task as a tag — and the JVM's memory, GC, threads and CPU.
 */
public final class PipelineMeters implements AutoCloseable {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final KafkaStreamsMetrics kafkaStreams;
  private final JvmGcMetrics gc = new JvmGcMetrics();

  /** How often the binder looks for Kafka Streams metrics made since (a task's sensors appear with its first record). */
  public static final Duration REFRESH = Duration.ofSeconds(10);

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "factory-meter-metrics-refresh");
    t.setDaemon(true);
    return t;
  });

  /** Binds the meters of {@code streams} (and the JVM's) to a new registry, looking for new ones every {@link #REFRESH}. */
  public PipelineMeters(KafkaStreams streams) {
    this(streams, REFRESH);
  }

  /** As {@link #PipelineMeters(KafkaStreams)}, looking for new Kafka Streams metrics every {@code refresh}. */
  public PipelineMeters(KafkaStreams streams, Duration refresh) {
    this.kafkaStreams = new KafkaStreamsMetrics(streams, List.of(), scheduler, refresh);
    kafkaStreams.bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    kafkaStreams.close();
    scheduler.shutdownNow();
    gc.close();
    registry.close();
  }
}
