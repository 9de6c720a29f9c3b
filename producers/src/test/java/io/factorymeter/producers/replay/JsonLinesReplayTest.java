package io.factorymeter.producers.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.contract.TopicProvisioner;
import io.factorymeter.producers.kafka.AvroRecordSender;
import io.factorymeter.producers.simulate.FleetSimulator;
import io.factorymeter.producers.simulate.FleetSpec;
import io.factorymeter.producers.telemetry.NodeSampleJson;
import io.factorymeter.registry.serde.SchemaRegistryAvroSerde;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.stack.LocalStackExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Replays JSON Lines through the real broker and registry and reads the samples back. */
class JsonLinesReplayTest {

  @RegisterExtension
  static final LocalStackExtension STACK = new LocalStackExtension();

  private static Map<String, Object> clientProps() {
    return STACK.clientProps();
  }

  private static void createTopic(String name) {
    try (Admin admin = Admin.create(clientProps())) {
      new TopicProvisioner(admin, Optional.of(1), Optional.empty())
          .ensure(List.of(new TopicProvisioner.Topic(name, FactoryTopic.TELEMETRY)));
    }
  }

  private static List<ConsumerRecord<String, NodeSample>> readAll(String topic, int expected) {
    Map<String, Object> p = clientProps();
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + topic);
    SchemaRegistryAvroSerde<NodeSample> serde = SchemaRegistryAvroSerde.forType(NodeSample.class, clientProps(), false);
    List<ConsumerRecord<String, NodeSample>> out = new ArrayList<>();
    try (KafkaConsumer<String, NodeSample> consumer = new KafkaConsumer<>(p, new StringDeserializer(), serde.deserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      // nothing beyond what was expected
      consumer.poll(Duration.ofMillis(500)).forEach(out::add);
    }
    return out;
  }

  @Test
  void samplesRoundTripThroughTheBrokerAndBadLinesAreReportedWithTheirNumbers(@TempDir Path dir) throws Exception {
    String topic = "replay.roundtrip";
    createTopic(topic);
    FleetSimulator sim = new FleetSimulator(new FleetSpec(5, 2, 1, 3, 8, Duration.ofSeconds(10), 7L),
        Instant.parse("2026-11-26T09:00:00Z"));
    List<NodeSample> samples = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      samples.addAll(sim.step());
    }
    List<String> lines = new ArrayList<>();
    samples.forEach(s -> lines.add(NodeSampleJson.format(s)));
    lines.add(3, "{\"nodeId\": \"broken\"");                 // line 4: bad JSON
    lines.add(10, "");                                        // line 11: blank, ignored
    lines.add(20, NodeSampleJson.format(samples.get(0)).replace("\"gpuCount\":8", "\"gpuCount\":\"eight\"")); // line 21
    Path file = dir.resolve("history.jsonl");
    Files.write(file, lines);

    List<RejectedLine> reported = new ArrayList<>();
    ReplayReport report;
    try (AvroRecordSender<NodeSample> sender = new AvroRecordSender<>(clientProps(), topic)) {
      report = new TelemetryReplay(sender, new TelemetryReplay.Options(Optional.empty(), false, false, 0), reported::add).replay(List.of(file));
    }
    assertEquals(samples.size(), report.sent());
    assertFalse(report.stoppedEarly());
    assertEquals(List.of(4L, 21L), report.rejected().stream().map(RejectedLine::lineNumber).toList());
    assertEquals("field \"gpuCount\" must be a whole number (int), got \"eight\"", report.rejected().get(1).reason());
    assertEquals(report.rejected(), reported);

    List<ConsumerRecord<String, NodeSample>> read = readAll(topic, samples.size());
    assertEquals(samples, read.stream().map(ConsumerRecord::value).toList());
    for (ConsumerRecord<String, NodeSample> r : read) {
      assertEquals(r.value().getNodeId(), r.key(), "keyed by nodeId");
    }
  }

  @Test
  void strictChecksTheWholeFileFirstAndSendsNothingWhenALineIsBad(@TempDir Path dir) throws Exception {
    String topic = "replay.strict";
    createTopic(topic);
    NodeSample a = NodeSampleJson.parse("{\"nodeId\":\"n-1\",\"clusterId\":\"c\",\"site\":\"s\",\"gpuModel\":\"g\",\"gpuCount\":1,"
        + "\"timestamp\":0,\"intervalMs\":1000,\"powerWatts\":1,\"temperatureC\":20,\"gpuUtilization\":0,\"usage\":[]}");
    Path file = dir.resolve("strict.jsonl");
    Files.write(file, List.of(NodeSampleJson.format(a), "not json", NodeSampleJson.format(a), "{}"));
    ReplayReport report;
    try (AvroRecordSender<NodeSample> sender = new AvroRecordSender<>(clientProps(), topic)) {
      report = new TelemetryReplay(sender, new TelemetryReplay.Options(Optional.empty(), true, false, 0), r -> { }).replay(List.of(file));
    }
    assertTrue(report.stoppedEarly());
    assertEquals(0, report.sent());
    assertEquals(List.of(2L, 4L), report.rejected().stream().map(RejectedLine::lineNumber).toList(), "every bad line reported");
    assertEquals(0, readAll(topic, 0).size(), "not even the good line before the bad one was sent");
  }
}
