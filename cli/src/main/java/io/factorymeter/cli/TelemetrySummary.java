package io.factorymeter.cli;

import io.factorymeter.registry.client.SchemaRegistryClient;
import io.factorymeter.registry.serde.SchemaRegistryAvroSerde;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.UsageEntry;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Fleet figures per event-time minute computed straight from the telemetry topic, for the
 * demo's live view: power, tokens/s, tokens per joule and uptime of the last complete minute.
 * (Duplicates are not removed here; the metering pipeline is the authoritative source.)
 */
final class TelemetrySummary implements AutoCloseable {

  private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

  private static final class Minute {
    double energyJ;
    long tokens;
    long outputTokens;
    long coveredMs;
    long samples;
    final Set<String> nodes = new HashSet<>();
  }

  private final KafkaConsumer<String, NodeSample> consumer;
  private final TreeMap<Long, Minute> minutes = new TreeMap<>();
  private long maxEventMs = Long.MIN_VALUE;
  private long maxIntervalMs;

  TelemetrySummary(Map<String, Object> props, String topic) {
    Map<String, Object> p = new HashMap<>(props);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    SchemaRegistryAvroSerde<NodeSample> serde = SchemaRegistryAvroSerde.forType(NodeSample.class,
        SchemaRegistryClient.fromConfig(props), props, false);
    consumer = new KafkaConsumer<>(p, new StringDeserializer(), serde.deserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    consumer.partitionsFor(topic, Duration.ofSeconds(10)).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  /** Reads what arrived during {@code wait}. */
  void poll(Duration wait) {
    for (ConsumerRecord<String, NodeSample> r : consumer.poll(wait)) {
      NodeSample s = r.value();
      long ts = s.getTimestamp().toEpochMilli();
      Minute m = minutes.computeIfAbsent(Math.floorDiv(ts, 60_000L) * 60_000L, k -> new Minute());
      m.energyJ += s.getEnergyJoules() != null ? s.getEnergyJoules() : s.getPowerWatts() * s.getIntervalMs() / 1000.0;
      for (UsageEntry u : s.getUsage()) {
        m.tokens += u.getPromptTokens() + u.getCompletionTokens();
        m.outputTokens += u.getCompletionTokens();
      }
      m.coveredMs += s.getIntervalMs();
      m.samples++;
      m.nodes.add(s.getNodeId());
      maxEventMs = Math.max(maxEventMs, ts);
      maxIntervalMs = Math.max(maxIntervalMs, s.getIntervalMs());
    }
    while (minutes.size() > 120) {
      minutes.pollFirstEntry();
    }
  }

  /** One line on the last minute whose samples have all arrived, if any. */
  Optional<String> lastCompleteMinute() {
    Long latest = null;
    for (Long start : minutes.descendingKeySet()) {
      if (start + 60_000L + maxIntervalMs <= maxEventMs) {
        latest = start;
        break;
      }
    }
    if (latest == null) {
      return Optional.empty();
    }
    Minute m = minutes.get(latest);
    double kw = m.energyJ / 60.0 / 1000.0;
    double coverage = Math.min(1.0, m.coveredMs / (60_000.0 * m.nodes.size()));
    return Optional.of(String.format("%s UTC  nodes %3d  power %8.1f kW  tokens/s %,10.0f  output tokens/s %,9.0f  tokens/J %6.2f  uptime %5.1f%%",
        MINUTE.format(Instant.ofEpochMilli(latest)), m.nodes.size(), kw, m.tokens / 60.0, m.outputTokens / 60.0,
        m.energyJ > 0 ? m.tokens / m.energyJ : 0.0, coverage * 100));
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(2));
  }
}
