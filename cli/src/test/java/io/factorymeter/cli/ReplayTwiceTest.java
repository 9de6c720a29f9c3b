package io.factorymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.app.InputLag;
import io.factorymeter.app.MeteringApplication;
import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.registry.serde.SchemaRegistryAvroDeserializer;
import io.factorymeter.stack.LocalStackExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replaying the same history file twice into a running pipeline changes nothing: every metric
 * and billing line stays as it is, and not one record more is written to the output topics.
 */
class ReplayTwiceTest {

  @RegisterExtension
  static final LocalStackExtension STACK = new LocalStackExtension();

  private static final List<FactoryTopic> OUTPUTS = List.of(FactoryTopic.NODE_METRICS, FactoryTopic.CLUSTER_METRICS,
      FactoryTopic.FLEET_METRICS, FactoryTopic.BILLING_HOURLY, FactoryTopic.TELEMETRY_DLQ, FactoryTopic.TELEMETRY_LATE);

  /** Latest value of every key, and the end offset of every partition, of the output topics. */
  private static Map<String, Object> snapshot() {
    Map<String, Object> snapshot = new TreeMap<>();
    Map<String, Object> p = new HashMap<>(STACK.clientProps());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    SchemaRegistryAvroDeserializer<GenericRecord> values = new SchemaRegistryAvroDeserializer<>();
    values.configure(STACK.clientProps(), false);
    for (FactoryTopic t : OUTPUTS) {
      try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
          new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
        List<TopicPartition> partitions = consumer.partitionsFor(t.defaultName(), Duration.ofSeconds(10)).stream()
            .map((PartitionInfo i) -> new TopicPartition(i.topic(), i.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        ends.forEach((tp, end) -> snapshot.put("end " + tp, end));
        while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            Object v = t == FactoryTopic.TELEMETRY_DLQ || r.value() == null ? r.value() == null ? null : r.value().length
                : values.deserialize(r.topic(), r.value()).toString();
            snapshot.put(t.defaultName() + " " + r.key(), v);
          }
        }
      }
    }
    return snapshot;
  }

  @Test
  void replayingAFileTwiceLeavesEveryMetricAndBillingLineUnchanged(@TempDir Path dir) throws Exception {
    Path history = dir.resolve("history.csv.gz");
    CommandLineTest.Run simulated = CommandLineTest.runWith(STACK.stack(), "simulate", "--nodes", "8", "--clusters", "2",
        "--start", "2026-11-26T06:00:00Z", "--duration", "2h", "--output", history.toString());
    assertEquals(0, simulated.exitCode(), simulated.err());
    Map<String, Object> props = STACK.clientProps();
    try (MeteringApplication app = MeteringApplication.start(props, MeteringConfig.defaults(),
        new MeteringApplication.Options("replay-twice", dir.resolve("state"), 2))) {
      assertTrue(app.awaitRunning(Duration.ofSeconds(60)));
      assertEquals(0, CommandLineTest.runWith(STACK.stack(), "prices", "load", Path.of("../examples/prices.jsonl").toString()).exitCode());

      CommandLineTest.Run first = CommandLineTest.runWith(STACK.stack(), "replay", history.toString());
      assertEquals(0, first.exitCode(), first.err());
      assertTrue(first.out().startsWith("Sent "), first.out());
      assertEquals(0, CommandLineTest.runWith(STACK.stack(), "heartbeat", "--event-time", "2026-11-26T09:10:00Z").exitCode());
      assertTrue(InputLag.awaitCaughtUp(props, "replay-twice", "factory.telemetry", Duration.ofSeconds(120)));
      Map<String, Object> once = snapshot();
      assertTrue(once.keySet().stream().anyMatch(k -> k.startsWith("factory.billing.hourly tenant-")), "billed");
      assertTrue(once.keySet().stream().anyMatch(k -> k.startsWith("factory.metrics.fleet.1m fleet|2026-11-26T07:59")), "metered");

      CommandLineTest.Run second = CommandLineTest.runWith(STACK.stack(), "replay", history.toString());
      assertEquals(0, second.exitCode(), second.err());
      assertEquals(0, CommandLineTest.runWith(STACK.stack(), "heartbeat", "--event-time", "2026-11-26T09:10:00Z").exitCode());
      assertTrue(InputLag.awaitCaughtUp(props, "replay-twice", "factory.telemetry", Duration.ofSeconds(120)));
      Map<String, Object> twice = snapshot();
      assertEquals(once, twice, "same lines, same end offsets: nothing written");
      Map<String, Double> counters = app.counters();
      assertEquals(counters.get("samples-in") / 2, counters.get("duplicates"), "the second replay was all duplicates");
      assertFalse(counters.get("duplicates") == 0.0);
    }
  }
}
