package io.factorymeter.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factorymeter.registry.client.RegisteredSchema;
import io.factorymeter.registry.client.RegistryClientConfig;
import io.factorymeter.registry.client.SchemaRegistryClient;
import io.factorymeter.registry.serde.SchemaRegistryAvroSerde;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.UsageEntry;
import io.factorymeter.stack.LocalStack;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Confluent's own Node.js clients ({@code examples/node/interop.mjs}) read a NodeSample our Java serde
 * wrote, and write one our Java serde reads, through the local stack's broker and registry.
 */
class NodeClientInteropTest {

  private static final String JAVA_TO_NODE = "interop.java-to-node";
  private static final String NODE_TO_JAVA = "interop.node-to-java";
  private static final Duration NODE_TIMEOUT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final NodeSample JAVA_SAMPLE = NodeSample.newBuilder()
      .setNodeId("node-java-7")
      .setClusterId("cluster-java-eu")
      .setSite("site-java-fra")
      .setGpuModel("B200-SXM6-180GB")
      .setGpuCount(4)
      .setTimestamp(Instant.parse("2025-11-26T09:59:50.123Z"))
      .setIntervalMs(15000)
      .setPowerWatts(4321.25)
      .setEnergyJoules(64818.75)
      .setTemperatureC(68.25f)
      .setGpuUtilization(0.5625f)
      .setUsage(List.of(
          new UsageEntry("tenant-a", "llama-3.1-70b", 123456789012L, 9876543210L),
          new UsageEntry("tenant-b", "mistral-7b", 0L, 42L)))
      .setAgent("java-bridge/1.0")   // NodeSample version 2
      .build();

  /** What interop.mjs must print for JAVA_SAMPLE: longs and the timestamp as JSON numbers (epoch millis). */
  private static final String JAVA_SAMPLE_AS_JSON = """
      {"key": "node-java-7",
       "value": {"nodeId": "node-java-7", "clusterId": "cluster-java-eu", "site": "site-java-fra",
                 "gpuModel": "B200-SXM6-180GB", "gpuCount": 4, "timestamp": 1764151190123, "intervalMs": 15000,
                 "powerWatts": 4321.25, "energyJoules": 64818.75, "temperatureC": 68.25, "gpuUtilization": 0.5625,
                 "usage": [{"tenantId": "tenant-a", "modelId": "llama-3.1-70b",
                            "promptTokens": 123456789012, "completionTokens": 9876543210},
                           {"tenantId": "tenant-b", "modelId": "mistral-7b", "promptTokens": 0, "completionTokens": 42}],
                 "agent": "java-bridge/1.0"}}
      """;

  /** Numbers compare by value (4 equals 4.0, an int node equals a long node); everything else exactly. */
  private static final Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) -> a.isNumber() && b.isNumber()
      ? a.decimalValue().compareTo(b.decimalValue())
      : a.equals(b) ? 0 : 1;

  @Test
  void confluentNodeClientsReadAndWriteOurWireFormat(@TempDir Path tmp) throws Exception {
    Path root = NodeScript.DIR.getParent().getParent();
    NodeScript.requireNodeClients();

    try (LocalStack stack = LocalStack.builder().start();
        SchemaRegistryClient registry = new SchemaRegistryClient(RegistryClientConfig.forUrl(stack.schemaRegistryUrl()));
        SchemaRegistryAvroSerde<NodeSample> serde = SchemaRegistryAvroSerde.forType(
            NodeSample.class, registry, Map.of("schema.registry.url", stack.schemaRegistryUrl()), false)) {
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic(JAVA_TO_NODE, 1, (short) 1), new NewTopic(NODE_TO_JAVA, 1, (short) 1)))
            .all().get(30, TimeUnit.SECONDS);
      }
      try (KafkaProducer<String, NodeSample> producer = new KafkaProducer<>(
          Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()),
          new StringSerializer(), serde.serializer())) {
        producer.send(new ProducerRecord<>(JAVA_TO_NODE, JAVA_SAMPLE.getNodeId(), JAVA_SAMPLE)).get(30, TimeUnit.SECONDS);
      }

      String stdout = NodeScript.run("interop.mjs", tmp, NODE_TIMEOUT,
          "--bootstrap-servers", stack.bootstrapServers(), "--schema-registry-url", stack.schemaRegistryUrl(),
          "--in-topic", JAVA_TO_NODE, "--out-topic", NODE_TO_JAVA, "--timeout-ms", "45000");
      assertEquals(1, stdout.lines().count(), () -> "expected one line on stdout, got: " + stdout);
      JsonNode expected = JSON.readTree(JAVA_SAMPLE_AS_JSON);
      JsonNode actual = JSON.readTree(stdout);
      assertTrue(expected.equals(NUMBERS_BY_VALUE, actual), () -> "expected " + expected + "\n but Node read " + actual);

      ConsumerRecord<String, byte[]> record = firstRecord(stack.bootstrapServers(), NODE_TO_JAVA);
      assertEquals("node-js-1", record.key());
      byte[] bytes = record.value();
      assertEquals(0, bytes[0], "magic byte");
      // Node registered NodeSample.avsc as written. The generated class's schema is not that text: the
      // code generator (stringType String) adds "avro.java.string": "String" to every string type, and
      // the registry compares schemas with their properties, so lookup(subject, getClassSchema()) would
      // answer 40403. The id Node wrote is that of the subject's latest (only) version.
      String subject = NODE_TO_JAVA + "-value";
      RegisteredSchema registered = registry.latestVersion(subject);
      assertEquals(List.of(1), registry.versions(subject));
      assertEquals(new Schema.Parser().parse(root.resolve("schemas/NodeSample.avsc").toFile()), registered.schema());
      assertEquals(registered.id(), ByteBuffer.wrap(bytes, 1, 4).getInt(), "schema id");

      NodeSample sample = serde.deserializer().deserialize(NODE_TO_JAVA, bytes);
      assertEquals("node-js-1", sample.getNodeId());
      assertEquals("cluster-js", sample.getClusterId());
      assertEquals("site-js", sample.getSite());
      assertEquals("H100-SXM5-80GB", sample.getGpuModel());
      assertEquals(8, sample.getGpuCount());
      assertEquals(Instant.parse("2025-11-26T10:00:00Z"), sample.getTimestamp());
      assertEquals(10000, sample.getIntervalMs());
      assertEquals(5600.5, sample.getPowerWatts());
      assertNull(sample.getEnergyJoules());
      assertEquals(71.5f, sample.getTemperatureC());
      assertEquals(0.875f, sample.getGpuUtilization());
      assertEquals(List.of(new UsageEntry("tenant-js", "llama-3.1-8b", 1200L, 3400L)), sample.getUsage());
    }
  }

  private static ConsumerRecord<String, byte[]> firstRecord(String bootstrapServers, String topic) {
    Map<String, Object> props = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
        if (!records.isEmpty()) {
          return records.iterator().next();
        }
      }
    }
    return fail("no record on " + topic + " within 30 s");
  }
}
