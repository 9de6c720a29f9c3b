package io.factorymeter.app.http;

import io.factorymeter.kafka.TopicSnapshot;
import io.factorymeter.registry.serde.SchemaRegistryAvroSerde;
import io.factorymeter.schema.FleetMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges of the fleet's latest settled window (SPEC §2 figures of the newest fleet record with
 * {@code isFinal} true) for {@code /metrics}: {@code factory_meter_fleet_tokens_per_second},
 * {@code …_tokens_per_joule}, {@code …_output_tokens_per_joule},
 * {@code …_cost_per_million_tokens} (currency units), {@code …_power_watts},
 * {@code …_coverage_ratio}, {@code …_nodes_reporting} and {@code …_window_start_seconds} (epoch s
 * of that window). NaN until a settled window is read, and for a figure that is null (no energy,
 * unpriced). Read from the fleet metrics topic ({@code read_committed}, from the last records of
 * each partition), so every instance shows the same whichever owns the fleet's partition.
 */
public final class FleetGauges implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(FleetGauges.class);
  /** Records read back from the end of each partition at start, to find the latest settled window. */
  private static final long LOOK_BACK = 500;

  private volatile FleetMetrics latest;
  private KafkaConsumer<String, FleetMetrics> consumer;
  private Thread reader;
  private volatile boolean stop;

  /** Registers the gauges in {@code registry}; they show what {@link #offer} keeps. */
  public FleetGauges(MeterRegistry registry) {
    gauge(registry, "factory.meter.fleet.tokens.per.second", "tokens/s of the fleet's latest settled window", f -> f.getTokensPerSecond());
    gauge(registry, "factory.meter.fleet.tokens.per.joule", "all tokens per joule", f -> orNaN(f.getTokensPerJoule()));
    gauge(registry, "factory.meter.fleet.output.tokens.per.joule", "generated tokens per joule", f -> orNaN(f.getOutputTokensPerJoule()));
    gauge(registry, "factory.meter.fleet.cost.per.million.tokens", "total cost per million tokens, currency units",
        f -> orNaN(f.getCostPerMillionTokens()));
    gauge(registry, "factory.meter.fleet.power.watts", "the fleet's mean draw over the window, W", f -> f.getAvgPowerW());
    gauge(registry, "factory.meter.fleet.coverage.ratio", "covered / (window x nodes reporting)", f -> f.getCoverage());
    gauge(registry, "factory.meter.fleet.uptime.known.ratio", "covered / (window x nodes known)", f -> orNaN(f.getUptimeKnown()));
    gauge(registry, "factory.meter.fleet.nodes.reporting", "distinct nodes that reported in the window", f -> f.getNodesReporting());
    gauge(registry, "factory.meter.fleet.nodes.known", "distinct nodes that reported within the horizon",
        f -> f.getNodesKnown() == null ? Double.NaN : f.getNodesKnown());
    gauge(registry, "factory.meter.fleet.window.start.seconds", "start of that window, epoch seconds",
        f -> f.getWindowStart().getEpochSecond());
  }

  /**
   * Keeps the gauges up to date from {@code topic} (the fleet metrics topic, {@code read_committed},
   * from the last records of each partition) on a thread of its own until {@link #close}.
   */
  public FleetGauges startReading(Map<String, Object> clientProps, String topic) {
    SchemaRegistryAvroSerde<FleetMetrics> serde = SchemaRegistryAvroSerde.forType(FleetMetrics.class, clientProps, false);
    consumer = new KafkaConsumer<>(TopicSnapshot.readerProps(clientProps), new StringDeserializer(), serde.deserializer());
    List<TopicPartition> partitions = TopicSnapshot.assignAll(consumer, topic);
    consumer.endOffsets(partitions).forEach((tp, end) -> consumer.seek(tp, Math.max(0, end - LOOK_BACK)));
    reader = new Thread(this::read, "factory-meter-fleet-gauges");
    reader.setDaemon(true);
    reader.start();
    return this;
  }

  private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<FleetMetrics> figure) {
    Gauge.builder(name, this, g -> g.latest == null ? Double.NaN : figure.applyAsDouble(g.latest))
        .description(description).register(registry);
  }

  private static double orNaN(Double v) {
    return v == null ? Double.NaN : v;
  }

  private void read() {
    try {
      while (!stop) {
        for (ConsumerRecord<String, FleetMetrics> r : consumer.poll(Duration.ofSeconds(1))) {
          offer(r.value());
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      log.warn("Fleet gauges stopped reading: {}", e.toString());
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  /** Keeps {@code f} when it is settled ({@code isFinal}) and its window is not older than the one held. */
  public void offer(FleetMetrics f) {
    if (f == null || !f.getIsFinal()) {
      return;
    }
    FleetMetrics held = latest;
    if (held == null || !f.getWindowStart().isBefore(held.getWindowStart())) {
      latest = f;
    }
  }

  /** The window the gauges show, or null. */
  public Instant windowStart() {
    FleetMetrics f = latest;
    return f == null ? null : f.getWindowStart();
  }

  @Override
  public void close() {
    stop = true;
    if (consumer != null) {
      consumer.wakeup();
      try {
        reader.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
