package io.factorymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.registry.serde.SchemaRegistryAvroSerde;
import io.factorymeter.schema.LedgerHour;
import io.factorymeter.stack.LocalStackExtension;
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

/**
 * {@code ledger}: the latest revision of each partition × hour in range, a table or JSON, and exit
 * code 1 with one line naming the hour when an hour does not balance.
 */
class LedgerCommandTest {

  @RegisterExtension
  static final LocalStackExtension STACK = new LocalStackExtension();
  private static final String TOPIC = "ledger-cmd.ledger.hourly";

  @BeforeAll
  static void writeHours() throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", STACK.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
          .all().get(30, TimeUnit.SECONDS);
    }
    SchemaRegistryAvroSerde<LedgerHour> serde = SchemaRegistryAvroSerde.forType(LedgerHour.class,
        Map.of("schema.registry.url", STACK.schemaRegistryUrl()), false);
    try (KafkaProducer<String, LedgerHour> producer = new KafkaProducer<>(Map.of("bootstrap.servers", STACK.bootstrapServers(),
        "acks", "all"), new StringSerializer(), serde.serializer())) {
      for (LedgerHour h : List.of(
          // 10:00: 100 in = 90 metered + 4 duplicates + 5 dead letters (3 + 2) + 1 too late
          hour(0, "2026-11-26T10:00:00Z", 1, 100, 90, 4, Map.of("OUT_OF_RANGE", 3L, "DESERIALIZATION", 2L), 1),
          hour(1, "2026-11-26T10:00:00Z", 1, 50, 50, 0, Map.of(), 0),
          // 11:00 of partition 0: revision 1 is short of one record; revision 2 replaces it and balances
          hour(0, "2026-11-26T11:00:00Z", 1, 10, 8, 1, Map.of(), 0),
          hour(0, "2026-11-26T11:00:00Z", 2, 12, 10, 1, Map.of("INVALID_ID", 1L), 0),
          // 12:00 of partition 1: 20 in but 19 accounted for
          hour(1, "2026-11-26T12:00:00Z", 1, 20, 17, 1, Map.of("NAN", 1L), 0))) {
        producer.send(new ProducerRecord<>(TOPIC, h.getPartition() + "|" + h.getPeriodStart(), h)).get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static LedgerHour hour(int partition, String start, int revision, long in, long metered, long duplicates,
      Map<String, Long> dead, long tooLate) {
    Instant s = Instant.parse(start);
    return LedgerHour.newBuilder().setTopic("factory.telemetry").setPartition(partition).setPeriodStart(s)
        .setPeriodEnd(s.plusSeconds(3600)).setRecordsIn(in).setMetered(metered).setDuplicates(duplicates)
        .setDeadLetters(dead.values().stream().mapToLong(Long::longValue).sum()).setDeadLettersByReason(dead)
        .setLateForMetrics(0).setTooLate(tooLate).setUnpriced(0).setHeartbeats(0).setRevision(revision).build();
  }

  @Test
  void balancedHoursPrintATableWithTotalsAndExitZero() {
    CommandLineTest.Run run = CommandLineTest.runWith(STACK.stack(), "ledger", "--topic", TOPIC,
        "--from", "2026-11-26T10:00:00Z", "--to", "2026-11-26T12:00:00Z");
    assertEquals(0, run.exitCode(), run.err());
    List<String> rows = run.outLines();
    assertEquals(5, rows.size(), run.out());   // header, three partition-hours, total
    assertTrue(rows.get(1).matches("2026-11-26T10:00:00Z\\s+0\\s+1\\s+100\\s+90\\s+0\\s+4\\s+5\\s+1\\s+0\\s+DESERIALIZATION=2 OUT_OF_RANGE=3"),
        rows.get(1));
    assertTrue(rows.get(2).matches("2026-11-26T10:00:00Z\\s+1\\s+1\\s+50\\s+50\\s+0\\s+0\\s+0\\s+0\\s+0\\s+"), rows.get(2));
    assertTrue(rows.get(3).matches("2026-11-26T11:00:00Z\\s+0\\s+2\\s+12\\s+10\\s+0\\s+1\\s+1\\s+0\\s+0\\s+INVALID_ID=1"), rows.get(3));
    // 100 + 50 + 12 in; 90 + 50 + 10 metered; 4 + 0 + 1 duplicates; 5 + 0 + 1 dead letters; 1 too late
    assertTrue(rows.get(4).matches("total\\s+162\\s+150\\s+0\\s+5\\s+6\\s+1\\s+0\\s*"), rows.get(4));
    assertTrue(run.err().contains("All 3 partition-hours balance"), run.err());
  }

  @Test
  void anHourThatDoesNotBalanceExitsOneNamingIt() {
    CommandLineTest.Run run = CommandLineTest.runWith(STACK.stack(), "ledger", "--topic", TOPIC,
        "--from", "2026-11-26T10:00:00Z", "--to", "2026-11-26T13:00:00Z");
    assertEquals(1, run.exitCode(), run.err());
    assertTrue(run.outLines().get(4).startsWith("2026-11-26T12:00:00Z") && run.outLines().get(4).endsWith("UNBALANCED"), run.out());
    List<String> errors = run.err().lines().filter(l -> !l.isBlank()).toList();
    assertEquals(1, errors.size(), run.err());
    assertTrue(errors.get(0).contains("1 of 4 partition-hours do not balance; first: partition 1 hour 2026-11-26T12:00:00Z: "
        + "records in 20 != metered 17 + duplicates 1 + dead letters 1 + too late 0 = 19"), errors.get(0));
  }

  @Test
  void jsonIsOneHourPerLine() {
    CommandLineTest.Run run = CommandLineTest.runWith(STACK.stack(), "ledger", "--topic", TOPIC,
        "--from", "2026-11-26T11:00:00Z", "--to", "2026-11-26T12:00:00Z", "--format", "json");
    assertEquals(0, run.exitCode(), run.err());
    assertEquals(List.of("{\"topic\":\"factory.telemetry\",\"partition\":0,\"periodStart\":\"2026-11-26T11:00:00Z\","
        + "\"periodEnd\":\"2026-11-26T12:00:00Z\",\"recordsIn\":12,\"metered\":10,\"duplicates\":1,\"deadLetters\":1,"
        + "\"deadLettersByReason\":{\"INVALID_ID\":1},\"lateForMetrics\":0,\"tooLate\":0,\"unpriced\":0,\"heartbeats\":0,"
        + "\"revision\":2}"), run.outLines());
  }

  @Test
  void badArgumentsAreOneLineAndExitTwo() {
    CommandLineTest.Run run = CommandLineTest.runWith(STACK.stack(), "ledger", "--topic", TOPIC,
        "--from", "2026-11-26T12:00:00Z", "--to", "2026-11-26T10:00:00Z");
    assertEquals(2, run.exitCode());
    assertTrue(run.err().contains("--from must be before --to"), run.err());
  }
}
