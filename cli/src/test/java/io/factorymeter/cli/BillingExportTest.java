package io.factorymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factorymeter.registry.serde.SchemaRegistryAvroSerde;
import io.factorymeter.schema.BillingLine;
import io.factorymeter.stack.LocalStackExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code billing export}: latest revision per key, range and tenant filters, order, CSV and JSON, bad input. */
class BillingExportTest {

  @RegisterExtension
  static final LocalStackExtension STACK = new LocalStackExtension();
  private static final String TOPIC = "export.billing.hourly";

  @BeforeAll
  static void writeLines() throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", STACK.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
          .all().get(30, TimeUnit.SECONDS);
    }
    SchemaRegistryAvroSerde<BillingLine> serde = SchemaRegistryAvroSerde.forType(BillingLine.class,
        Map.of("schema.registry.url", STACK.schemaRegistryUrl()), false);
    try (KafkaProducer<String, BillingLine> producer = new KafkaProducer<>(Map.of("bootstrap.servers", STACK.bootstrapServers(),
        "acks", "all"), new StringSerializer(), serde.serializer())) {
      for (BillingLine l : List.of(
          line("t2", "m1", "2026-11-26T10:00:00Z", 0.5, 1),
          line("t1", "m2", "2026-11-26T11:00:00Z", 0.25, 1),
          line("t1", "m1", "2026-11-26T11:00:00Z", 1.0, 1),
          line("t1", "m1", "2026-11-26T10:00:00Z", 2.0, 1),
          withCarbon(line("t1", "m1", "2026-11-26T10:00:00Z", 2.5, 2), 120.5, 4.25),   // restatement: replaces the line above
          line("t1", "m1", "2026-11-26T12:00:00Z", 9.0, 1))) {    // outside [10:00, 12:00)
        producer.send(new ProducerRecord<>(TOPIC, l.getTenantId() + "|" + l.getModelId() + "|" + l.getPeriodStart(), l))
            .get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static BillingLine line(String tenant, String model, String start, double totalCost, int revision) {
    Instant s = Instant.parse(start);
    return BillingLine.newBuilder().setTenantId(tenant).setModelId(model).setPeriodStart(s).setPeriodEnd(s.plusSeconds(3600))
        .setPromptTokens(100).setCompletionTokens(300).setEnergyJ(3_600_000.5).setEnergyCost(totalCost / 5)
        .setCapacityCost(totalCost * 4 / 5).setTotalCost(totalCost).setCurrency("USD")
        .setCostPerMillionTokens(totalCost / 400 * 1e6).setRevision(revision).setIsFinal(true).setUnpricedSamples(0).build();
  }

  /** A line with carbon figures (SPEC 2a); the others have none (null: no grid intensity or embodied figure). */
  private static BillingLine withCarbon(BillingLine l, double operational, double embodied) {
    l.setOperationalCarbonG(operational);
    l.setEmbodiedCarbonG(embodied);
    l.setCarbonG(operational + embodied);
    return l;
  }

  @Test
  void csvHasTheLatestRevisionOfEachLineInRangeSortedByTenantModelPeriod() {
    CommandLineTest.Run run = CommandLineTest.runWith(STACK.stack(), "billing", "export", "--topic", TOPIC,
        "--from", "2026-11-26T10:00:00Z", "--to", "2026-11-26T12:00:00Z", "--format", "csv");
    assertEquals(0, run.exitCode(), run.err());
    List<String> rows = run.outLines();
    assertEquals("tenantId,modelId,periodStart,periodEnd,promptTokens,completionTokens,energyJ,energyCost,capacityCost,totalCost,"
        + "currency,costPerMillionTokens,revision,unpricedSamples,operationalCarbonG,embodiedCarbonG,carbonG", rows.get(0));
    assertEquals(List.of(
        "t1,m1,2026-11-26T10:00:00Z,2026-11-26T11:00:00Z,100,300,3600000.5,0.5,2.0,2.5,USD,6250.0,2,0,120.5,4.25,124.75",
        "t1,m1,2026-11-26T11:00:00Z,2026-11-26T12:00:00Z,100,300,3600000.5,0.2,0.8,1.0,USD,2500.0,1,0,,,",
        "t1,m2,2026-11-26T11:00:00Z,2026-11-26T12:00:00Z,100,300,3600000.5,0.05,0.2,0.25,USD,625.0,1,0,,,",
        "t2,m1,2026-11-26T10:00:00Z,2026-11-26T11:00:00Z,100,300,3600000.5,0.1,0.4,0.5,USD,1250.0,1,0,,,"), rows.subList(1, rows.size()));
  }

  @Test
  void jsonForOneTenantToAFile(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("t2.jsonl");
    CommandLineTest.Run run = CommandLineTest.runWith(STACK.stack(), "billing", "export", "--topic", TOPIC,
        "--from", "2026-11-26T00:00:00Z", "--to", "2026-11-27T00:00:00Z", "--format", "json", "--tenant", "t2",
        "--output", out.toString());
    assertEquals(0, run.exitCode(), run.err());
    List<String> lines = Files.readAllLines(out);
    assertEquals(1, lines.size());
    JsonNode l = new ObjectMapper().readTree(lines.get(0));
    assertEquals("t2", l.get("tenantId").asText());
    assertEquals("2026-11-26T10:00:00Z", l.get("periodStart").asText());
    assertEquals(0.5, l.get("totalCost").asDouble());
    assertEquals(1, l.get("revision").asInt());
    assertTrue(l.get("carbonG").isNull(), "no carbon figure: null, not 0");
  }

  @Test
  void badInputIsOneLineAndANonZeroExit() {
    for (String[] args : List.of(
        new String[] {"--from", "2026-11-27T00:00:00Z", "--to", "2026-11-26T00:00:00Z"},
        new String[] {"--from", "2026-11-26T00:00:00Z", "--to", "2026-11-27T00:00:00Z", "--format", "xml"},
        new String[] {"--from", "yesterday", "--to", "2026-11-27T00:00:00Z"})) {
      String[] all = new String[args.length + 4];
      all[0] = "billing";
      all[1] = "export";
      all[2] = "--topic";
      all[3] = TOPIC;
      System.arraycopy(args, 0, all, 4, args.length);
      CommandLineTest.Run run = CommandLineTest.runWith(STACK.stack(), all);
      assertEquals(2, run.exitCode(), String.join(" ", args));
      assertEquals(1, run.err().strip().lines().count(), run.err());
      assertTrue(run.err().startsWith("factory-meter: "), run.err());
    }
    CommandLineTest.Run noTopic = CommandLineTest.runWith(STACK.stack(), "billing", "export", "--topic", "no.such.topic",
        "--from", "2026-11-26T00:00:00Z", "--to", "2026-11-27T00:00:00Z");
    assertEquals(1, noTopic.exitCode());
    assertEquals("factory-meter: Topic no.such.topic does not exist", noTopic.err().strip());
  }
}
