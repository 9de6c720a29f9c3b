package io.factorymeter.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factorymeter.registry.serde.SchemaRegistryAvroSerde;
import io.factorymeter.schema.BillingLine;
import io.factorymeter.stack.LocalStack;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example billing consumer outside the JVM ({@code examples/node/billing-totals.mjs}, Confluent's
 * Node.js clients) reads billing lines written by the Java serde, keeps the latest revision of each
 * key, and prints per-tenant totals that match totals worked out here by hand.
 */
class NodeBillingConsumerTest {

  private static BillingLine line(String tenant, String model, String periodStart, long prompt, long completion,
      double energyJ, Double totalCost, int revision) {
    Instant start = Instant.parse(periodStart);
    return BillingLine.newBuilder().setTenantId(tenant).setModelId(model).setPeriodStart(start)
        .setPeriodEnd(start.plusSeconds(3600)).setPromptTokens(prompt).setCompletionTokens(completion).setEnergyJ(energyJ)
        .setEnergyCost(totalCost == null ? null : totalCost / 4).setCapacityCost(totalCost == null ? null : totalCost * 3 / 4)
        .setTotalCost(totalCost).setCurrency("USD")
        .setCostPerMillionTokens(totalCost == null ? null : totalCost / (prompt + completion) * 1e6)
        .setRevision(revision).setIsFinal(true).setUnpricedSamples(totalCost == null ? 1 : 0).build();
  }

  @Test
  void perTenantTotalsOfTheLatestRevisions(@TempDir Path tmp) throws Exception {
    NodeScript.requireNodeClients();
    String topic = "node.billing.hourly";
    try (LocalStack stack = LocalStack.builder().start()) {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
            .all().get(30, TimeUnit.SECONDS);
      }
      SchemaRegistryAvroSerde<BillingLine> serde = SchemaRegistryAvroSerde.forType(BillingLine.class,
          Map.of("schema.registry.url", stack.schemaRegistryUrl()), false);
      List<BillingLine> lines = List.of(
          line("tenant-a", "m1", "2026-11-26T10:00:00Z", 1_000, 3_000, 7_200_000, 1.25, 1),
          line("tenant-a", "m1", "2026-11-26T10:00:00Z", 1_100, 3_300, 9_000_000, 1.50, 2),   // restates the line above
          line("tenant-a", "m2", "2026-11-26T11:00:00Z", 500, 500, 3_600_000, 0.75, 1),
          line("tenant-b", "m1", "2026-11-26T10:00:00Z", 10, 20, 360_000, null, 1),          // unpriced
          line("_idle", "_idle", "2026-11-26T10:00:00Z", 0, 0, 1_800_000, 0.10, 1));
      try (KafkaProducer<String, BillingLine> producer = new KafkaProducer<>(Map.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
          new StringSerializer(), serde.serializer())) {
        for (BillingLine l : lines) {
          String key = l.getTenantId() + "|" + l.getModelId() + "|" + l.getPeriodStart();
          producer.send(new ProducerRecord<>(topic, key, l)).get(30, TimeUnit.SECONDS);
        }
      }
      String out = NodeScript.run("billing-totals.mjs", tmp, Duration.ofSeconds(90),
          "--bootstrap-servers", stack.bootstrapServers(), "--schema-registry-url", stack.schemaRegistryUrl(),
          "--topic", topic, "--idle-ms", "4000");
      List<JsonNode> tenants = out.lines().map(NodeBillingConsumerTest::json).toList();
      assertEquals(3, tenants.size(), out);

      JsonNode idle = tenants.get(0);
      assertEquals("_idle", idle.get("tenantId").asText());
      assertEquals(0.5, idle.get("energyKwh").asDouble(), 1e-12);        // 1.8 MJ
      JsonNode a = tenants.get(1);
      assertEquals("tenant-a", a.get("tenantId").asText());
      assertEquals(2, a.get("lines").asInt());                          // m1 (revision 2 only) and m2
      assertEquals(1_100 + 500, a.get("promptTokens").asLong());
      assertEquals(3_300 + 500, a.get("completionTokens").asLong());
      assertEquals(2.5 + 1.0, a.get("energyKwh").asDouble(), 1e-12);     // 9 MJ + 3.6 MJ
      assertEquals(1.50 + 0.75, a.get("totalCost").asDouble(), 1e-12);
      assertEquals(0, a.get("unpricedLines").asInt());
      JsonNode b = tenants.get(2);
      assertEquals("tenant-b", b.get("tenantId").asText());
      assertEquals(1, b.get("unpricedLines").asInt());
      assertEquals(0.0, b.get("totalCost").asDouble());
      assertEquals("USD", b.get("currency").asText());
    }
  }

  private static JsonNode json(String s) {
    try {
      return new ObjectMapper().readTree(s);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + s, e);
    }
  }
}
