package io.factorymeter.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.factorymeter.registry.serde.SchemaRegistryAvroSerde;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.stack.registry.CompatibilityLevel;
import io.factorymeter.stack.registry.KafkaSchemaJournal;
import io.factorymeter.stack.registry.SchemaRegistryServer;
import io.factorymeter.stack.registry.SchemaRepository;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The optional Docker backend: the same NodeSample round trip against Apache Kafka's own image.
 * Runs only where a Docker engine answers; skipped cleanly otherwise (the in-process broker of the
 * local stack covers the same ground everywhere).
 */
@Testcontainers(disabledWithoutDocker = true)
class DockerKafkaRoundTripTest {

  @Container
  static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.0");

  @Test
  void nodeSampleRoundTripsThroughApacheKafkaInDocker() throws Exception {
    String bootstrap = KAFKA.getBootstrapServers();
    try (KafkaSchemaJournal journal = new KafkaSchemaJournal(bootstrap, "_schemas");
         SchemaRegistryServer registry = SchemaRegistryServer.start(new SchemaRepository(journal, CompatibilityLevel.BACKWARD), 0,
             SchemaRegistryServer.Auth.NONE);
         Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.createTopics(List.of(new NewTopic("docker.telemetry", 1, (short) 1))).all().get();
      Map<String, Object> props = Map.of("bootstrap.servers", bootstrap, "schema.registry.url", registry.url());
      SchemaRegistryAvroSerde<NodeSample> serde = SchemaRegistryAvroSerde.forType(NodeSample.class, props, false);
      NodeSample sample = RegistryConformanceSuite.sample();
      try (KafkaProducer<String, NodeSample> producer = new KafkaProducer<>(props, new StringSerializer(), serde.serializer())) {
        producer.send(new ProducerRecord<>("docker.telemetry", sample.getNodeId(), sample)).get();
      }
      List<ConsumerRecord<String, NodeSample>> read = new ArrayList<>();
      try (KafkaConsumer<String, NodeSample> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
          "group.id", "docker-test", "auto.offset.reset", "earliest"), new StringDeserializer(), serde.deserializer())) {
        consumer.subscribe(List.of("docker.telemetry"));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (read.isEmpty() && System.nanoTime() < deadline) {
          consumer.poll(Duration.ofMillis(200)).forEach(read::add);
        }
      }
      assertEquals(1, read.size());
      assertEquals(sample, read.get(0).value());
    }
  }
}
