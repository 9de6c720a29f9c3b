package io.factorymeter.cli;

import io.factorymeter.kafka.TopicSnapshot;
import io.factorymeter.registry.serde.SchemaRegistryAvroSerde;
import io.factorymeter.schema.FleetMetrics;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The demo's live view: reads the fleet metrics topic (read_committed) and gives one line per
 * window once the next window has started.
 */
final class FleetSummary implements AutoCloseable {

  private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

  private final KafkaConsumer<String, FleetMetrics> consumer;
  private final TreeMap<Instant, FleetMetrics> windows = new TreeMap<>();
  private final java.util.Set<Instant> printed = new java.util.HashSet<>();

  FleetSummary(Map<String, Object> props, String topic) {
    SchemaRegistryAvroSerde<FleetMetrics> serde = SchemaRegistryAvroSerde.forType(FleetMetrics.class, props, false);
    consumer = new KafkaConsumer<>(TopicSnapshot.readerProps(props), new StringDeserializer(), serde.deserializer());
    consumer.seekToBeginning(TopicSnapshot.assignAll(consumer, topic));
  }

  /** Reads what arrived during {@code wait}; returns the lines of windows that are now complete. */
  List<String> poll(Duration wait) {
    for (ConsumerRecord<String, FleetMetrics> r : consumer.poll(wait)) {
      windows.put(r.value().getWindowStart(), r.value());
    }
    List<String> lines = new ArrayList<>();
    if (windows.size() < 2) {
      return lines;
    }
    Instant newest = windows.lastKey();
    for (Map.Entry<Instant, FleetMetrics> e : windows.headMap(newest).entrySet()) {
      if (printed.add(e.getKey())) {
        lines.add(line(e.getValue()));
      }
    }
    while (windows.size() > 60) {
      printed.remove(windows.pollFirstEntry().getKey());
    }
    return lines;
  }

  static String line(FleetMetrics f) {
    String cost = f.getCostPerMillionTokens() == null ? "n/a (unpriced)"
        : String.format(java.util.Locale.ROOT, "%.4f %s", f.getCostPerMillionTokens(), f.getCurrency());
    // SPEC 2a: grams of CO2e per million tokens, operational (grid, PUE included) + embodied
    String carbon = f.getCarbonPerMillionTokens() == null ? "n/a"
        : String.format(java.util.Locale.ROOT, "%.1f g", f.getCarbonPerMillionTokens());
    // output tokens per joule beside all tokens per joule: energy per generated token is how
    // ML.ENERGY and most benchmarks report it; the total, prompt tokens included, reads 2-3x better
    return String.format(java.util.Locale.ROOT,
        "%s UTC  nodes %3d  power %7.1f kW  tokens/s %,10.0f  tokens/J %6.2f (output %5.2f)  cost/M tokens %s  CO2e/M tokens %s"
            + "  uptime %5.1f%%",
        MINUTE.format(f.getWindowStart()), f.getNodesReporting(), f.getAvgPowerW() / 1000.0, f.getTokensPerSecond(),
        f.getTokensPerJoule() == null ? 0.0 : f.getTokensPerJoule(),
        f.getOutputTokensPerJoule() == null ? 0.0 : f.getOutputTokensPerJoule(), cost, carbon, f.getCoverage() * 100);
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(2));
  }
}
