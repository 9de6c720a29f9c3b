package io.factorymeter.producers.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.contract.Heartbeat;
import io.factorymeter.contract.TopicProvisioner;
import io.factorymeter.producers.telemetry.NodeSampleJson;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.stack.LocalStackExtension;
import java.nio.charset.StandardCharsets;
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
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Record timestamps are the sender's clock, for samples and heartbeats alike (the pipeline's FUTURE_TIMESTAMP rule). */
class AvroRecordSenderTest {

  @RegisterExtension
  static final LocalStackExtension STACK = new LocalStackExtension();

  @Test
  void samplesAndHeartbeatsAreStampedWithTheSendersClockAndPricesWithTheirOwnTime() throws Exception {
    String topic = "sender.clock";
    try (Admin admin = Admin.create(STACK.clientProps())) {
      new TopicProvisioner(admin, Optional.of(2), Optional.empty()).ensure(List.of(new TopicProvisioner.Topic(topic, FactoryTopic.TELEMETRY)));
    }
    NodeSample sample = NodeSampleJson.parse("{\"nodeId\":\"n-1\",\"clusterId\":\"c\",\"site\":\"s\",\"gpuModel\":\"g\",\"gpuCount\":1,"
        + "\"timestamp\":\"2026-11-26T10:00:00Z\",\"intervalMs\":1000,\"powerWatts\":1,\"temperatureC\":20,\"gpuUtilization\":0,\"usage\":[]}");
    long clock = Instant.parse("2026-11-26T10:00:10Z").toEpochMilli();
    long explicit = Instant.parse("2020-01-01T00:00:00Z").toEpochMilli();
    try (AvroRecordSender<NodeSample> sender = new AvroRecordSender<>(STACK.clientProps(), topic, () -> clock)) {
      sender.send("n-1", sample);
      sender.send("n-1", sample, explicit);
      sender.heartbeat(Instant.parse("2026-11-26T10:00:05Z").toEpochMilli());
      sender.flush();
    }
    List<ConsumerRecord<String, byte[]>> records = read(topic, 4);
    assertEquals(4, records.size(), "two samples and a heartbeat to each of the two partitions");
    List<Long> sampleTimestamps = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : records) {
      if (r.value() == null) {
        assertEquals(clock, r.timestamp(), "a heartbeat carries its event time in the header, not as its timestamp");
        assertEquals(String.valueOf(Instant.parse("2026-11-26T10:00:05Z").toEpochMilli()),
            new String(r.headers().lastHeader(Heartbeat.HEADER).value(), StandardCharsets.UTF_8));
      } else {
        sampleTimestamps.add(r.timestamp());
      }
    }
    assertEquals(List.of(clock, explicit), sampleTimestamps);
  }

  @Test
  void withoutAClockRecordsAreStampedWithTheWallClock() throws Exception {
    String topic = "sender.wall";
    try (Admin admin = Admin.create(STACK.clientProps())) {
      new TopicProvisioner(admin, Optional.of(1), Optional.empty()).ensure(List.of(new TopicProvisioner.Topic(topic, FactoryTopic.TELEMETRY)));
    }
    long before = System.currentTimeMillis();
    try (AvroRecordSender<NodeSample> sender = new AvroRecordSender<>(STACK.clientProps(), topic)) {
      sender.heartbeat(Instant.parse("2026-11-26T10:00:05Z").toEpochMilli());
      sender.flush();
    }
    long after = System.currentTimeMillis();
    ConsumerRecord<String, byte[]> r = read(topic, 1).get(0);
    assertNull(r.value());
    assertEquals(true, r.timestamp() >= before && r.timestamp() <= after, r.timestamp() + " in [" + before + ", " + after + "]");
  }

  private static List<ConsumerRecord<String, byte[]>> read(String topic, int expected) {
    Map<String, Object> p = STACK.clientProps();
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + topic);
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    out.sort(java.util.Comparator.comparingInt(ConsumerRecord<String, byte[]>::partition).thenComparingLong(ConsumerRecord::offset));
    return out;
  }
}
