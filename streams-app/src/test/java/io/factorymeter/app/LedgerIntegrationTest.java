package io.factorymeter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.ledger.LedgerHours;
import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.contract.Heartbeat;
import io.factorymeter.schema.LedgerHour;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.UsageEntry;
import io.factorymeter.stack.LocalStackExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, "the ledger balancing for every hour of the hidden-style scenario": two hours of a
 * six-node fleet on three partitions with bad input of four kinds, duplicates, samples late for
 * metrics that restate a closed hour, and samples past the restatement horizon, on a real broker
 * under exactly_once_v2. The expected ledger is worked out here, record by record, from what was
 * sent and the SPEC's rules (stream time = the largest event time of a valid sample or heartbeat
 * read on the partition; a window is closed for metrics at its end + 2 min grace; a sample is too
 * late when its hour ended 48 h or more before stream time), never from the pipeline's classes;
 * every field of every partition × hour must match, and every hour must balance.
 */
class LedgerIntegrationTest {

  @RegisterExtension
  static final LocalStackExtension STACK = new LocalStackExtension();
  private static final BrokerFixture BROKER = new BrokerFixture(STACK);
  private static final Instant DAY = Instant.parse("2026-11-26T00:00:00Z");
  private static final long HOUR = 3_600_000;
  private static final long MINUTE = 60_000;
  private static final int NODES = 6;

  /** Where a record must end, as this test intends it. */
  private enum Outcome { METERED, DUPLICATE, DEAD_LETTER, TOO_LATE, HEARTBEAT }

  /** A record as sent: its partition, its event time (samples and heartbeats), what it must become, the dead-letter reason. */
  private record Sent(int partition, long eventTime, Outcome outcome, String reason) {
  }

  /** The expected counts of one partition-hour. */
  private static final class Expected {
    long in;
    long metered;
    long late;
    long duplicates;
    long tooLate;
    long heartbeats;
    final Map<String, Long> dead = new TreeMap<>();
  }

  private final List<Sent> sent = new ArrayList<>();
  private KafkaProducer<String, byte[]> producer;
  private MeteringConfig config;

  private static int partitionOf(int node) {
    return node % 3;
  }

  private static NodeSample sample(String node, long at) {
    return NodeSample.newBuilder().setNodeId(node).setClusterId("c-" + node.charAt(node.length() - 1) % 2).setSite("site-a")
        .setGpuModel("H100-SXM5-80GB").setGpuCount(8).setTimestamp(Instant.ofEpochMilli(at)).setIntervalMs(30_000)
        .setPowerWatts(4_000).setEnergyJoules(null).setTemperatureC(55f).setGpuUtilization(0.5f)
        .setUsage(new ArrayList<>(List.of(new UsageEntry("tenant-a", "model-a", 100L, 300L)))).build();
  }

  private void send(int partition, String key, byte[] value, Sent what) throws Exception {
    producer.send(new ProducerRecord<>(config.topics().telemetry(), partition, key, value));   // idempotent: in order per partition
    sent.add(what);
  }

  private void valid(int node, long at, Outcome outcome) throws Exception {
    NodeSample s = sample("node-" + node, at);
    send(partitionOf(node), s.getNodeId(), BROKER.wireFormat(config.topics().telemetry(), s),
        new Sent(partitionOf(node), at, outcome, null));
  }

  private void invalid(int node, long at, int kind) throws Exception {
    String telemetry = config.topics().telemetry();
    NodeSample s = sample("node-" + node, at);
    int p = partitionOf(node);
    switch (kind % 4) {
      case 0 -> {
        s.setPowerWatts(-1.0);
        send(p, s.getNodeId(), BROKER.wireFormat(telemetry, s), new Sent(p, at, Outcome.DEAD_LETTER, "OUT_OF_RANGE"));
      }
      case 1 -> {
        s.setClusterId("not an id");
        send(p, s.getNodeId(), BROKER.wireFormat(telemetry, s), new Sent(p, at, Outcome.DEAD_LETTER, "INVALID_ID"));
      }
      case 2 -> send(p, s.getNodeId(), "{\"json\": true}".getBytes(StandardCharsets.UTF_8),
          new Sent(p, at, Outcome.DEAD_LETTER, "DESERIALIZATION"));
      default -> send(p, "someone-else", BROKER.wireFormat(telemetry, s), new Sent(p, at, Outcome.DEAD_LETTER, "KEY_MISMATCH"));
    }
  }

  private void heartbeats(long at) throws Exception {
    for (int p = 0; p < 3; p++) {
      producer.send(new ProducerRecord<>(config.topics().telemetry(), p, at, Heartbeat.KEY, null,
          new RecordHeaders().add(Heartbeat.HEADER, Heartbeat.headerValue(at)))).get();
      sent.add(new Sent(p, at, Outcome.HEARTBEAT, null));
    }
  }

  @Test
  void everyHourOfEveryPartitionBalancesAndMatchesTheRecordsSent(@TempDir Path stateDir) throws Exception {
    config = MeteringApplication.provisionTopics(BROKER.clientProps(), BrokerFixture.config("ledger-it."));
    assertEquals(3, config.inputPartitions());
    BROKER.publishPrices(config);
    long start = DAY.toEpochMilli();
    int records = 0;
    try (KafkaProducer<String, byte[]> p = BROKER.rawProducer()) {
      producer = p;
      // 00:00 .. 02:00, 30 s samples; every 37th record a copy of the sample before it, every 53rd an invalid record
      for (long t = start; t < start + 2 * HOUR; t += 30_000) {
        for (int n = 0; n < NODES; n++) {
          valid(n, t, Outcome.METERED);
          records++;
          if (records % 37 == 0) {
            valid(n, t, Outcome.DUPLICATE);
          }
          if (records % 53 == 0) {
            invalid(n, t, records / 53);
          }
        }
        if (t == start + HOUR + 15 * MINUTE) {
          // stream time 01:15: hour 00:00 closed at 01:10 on every partition; node-3 (partition 0) sends 12 samples
          // of 00:20 .. 00:26 it had held back: late for metrics, billed, restating the closed hour
          for (long late = start + 20 * MINUTE; late < start + 26 * MINUTE; late += 30_000) {
            valid(3, late + 15_000, Outcome.METERED);   // node-3's own timestamps, 15 s apart from its on-time ones
          }
        }
      }
      // two days later on partition 1: a sample of 01:59 is too late, one of 02:30 (stream time 02:30 of the 28th) metered
      long twoDaysOn = start + 2 * 24 * HOUR + 2 * HOUR + 30 * MINUTE;
      valid(1, twoDaysOn, Outcome.METERED);
      valid(4, start + HOUR + 59 * MINUTE + 15_000, Outcome.TOO_LATE);
      valid(4, start + 2 * 24 * HOUR + HOUR, Outcome.METERED);   // 01:00 of the 28th: late for metrics, still billed
      invalid(1, start, 2);                                       // a dead letter counts at stream time: 02:00 of the 28th
      heartbeats(start + 2 * HOUR + 10 * MINUTE);                 // closes 01:00 of the 26th on partitions 0 and 2
      heartbeats(start + 2 * 24 * HOUR + 3 * HOUR + 10 * MINUTE); // closes 02:00 of the 28th
    }

    try (MeteringApplication app = MeteringApplication.start(BROKER.clientProps(), config,
        new MeteringApplication.Options("ledger-it", stateDir, 1))) {
      assertTrue(app.awaitRunning(Duration.ofSeconds(120)), "running");
      assertTrue(InputLag.awaitCaughtUp(BROKER.clientProps(), "ledger-it", config.topics().telemetry(), Duration.ofSeconds(180)),
          "caught up");
    }

    Map<String, Expected> expected = expectedLedger();
    Map<String, LedgerHour> actual = new TreeMap<>();
    for (LedgerHour h : LedgerHours.read(BROKER.clientProps(), config.topics().name(FactoryTopic.LEDGER_HOURLY),
        Instant.EPOCH, DAY.plus(Duration.ofDays(10)))) {
      actual.put(h.getPartition() + "|" + Instant.ofEpochMilli(h.getPeriodStart().toEpochMilli()), h);
    }
    assertEquals(expected.keySet(), actual.keySet(), "closed partition-hours");
    long in = 0;
    for (Map.Entry<String, Expected> e : expected.entrySet()) {
      LedgerHour h = actual.get(e.getKey());
      Expected x = e.getValue();
      String where = e.getKey();
      assertEquals(Optional.empty(), LedgerHours.imbalance(h), where);
      assertEquals(x.in, h.getRecordsIn(), where + " in");
      assertEquals(x.metered, h.getMetered(), where + " metered");
      assertEquals(x.late, h.getLateForMetrics(), where + " late for metrics");
      assertEquals(x.duplicates, h.getDuplicates(), where + " duplicates");
      assertEquals(x.dead, h.getDeadLettersByReason(), where + " dead letters");
      assertEquals(x.tooLate, h.getTooLate(), where + " too late");
      assertEquals(x.heartbeats, h.getHeartbeats(), where + " heartbeats");
      in += h.getRecordsIn();
    }
    // the late samples of node-3 (partition 0) restated its closed 00:00 hour once
    assertEquals(2, actual.get("0|" + DAY).getRevision(), "00:00 of partition 0 restated");
    assertEquals(1, actual.get("1|" + DAY).getRevision());
    assertTrue(expected.values().stream().anyMatch(x -> x.late > 0) && expected.values().stream().anyMatch(x -> x.tooLate > 0)
        && expected.values().stream().anyMatch(x -> !x.dead.isEmpty()) && expected.values().stream().anyMatch(x -> x.duplicates > 0),
        "the scenario has late, too-late, invalid and duplicate records");
    System.out.printf("Ledger: %d records in over %d partition-hours, all as expected%n", in, expected.size());
  }

  /**
   * The ledger worked out from the records sent, partition by partition in the order sent: only
   * hours that closed (stream time at or past their end + 10 min) are expected.
   */
  private Map<String, Expected> expectedLedger() {
    Map<String, Expected> byHour = new TreeMap<>();
    long[] streamTime = {Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE};
    for (Sent s : sent) {
      int p = s.partition();
      boolean movesTime = s.outcome() == Outcome.METERED || s.outcome() == Outcome.DUPLICATE || s.outcome() == Outcome.HEARTBEAT
          || s.outcome() == Outcome.TOO_LATE;
      if (movesTime) {
        streamTime[p] = Math.max(streamTime[p], s.eventTime());
      }
      boolean ownHour = s.outcome() == Outcome.METERED || s.outcome() == Outcome.DUPLICATE;
      long hour = Math.floorDiv(ownHour ? s.eventTime() : streamTime[p], HOUR) * HOUR;
      Expected x = byHour.computeIfAbsent(p + "|" + Instant.ofEpochMilli(hour), k -> new Expected());
      switch (s.outcome()) {
        case METERED -> {
          x.in++;
          x.metered++;
          long windowEnd = Math.floorDiv(s.eventTime(), MINUTE) * MINUTE + MINUTE;
          if (windowEnd + 2 * MINUTE <= streamTime[p]) {
            x.late++;
          }
        }
        case DUPLICATE -> {
          x.in++;
          x.duplicates++;
        }
        case DEAD_LETTER -> {
          x.in++;
          x.dead.merge(s.reason(), 1L, Long::sum);
        }
        case TOO_LATE -> {
          x.in++;
          x.tooLate++;
        }
        case HEARTBEAT -> x.heartbeats++;
        default -> throw new IllegalStateException();
      }
    }
    byHour.entrySet().removeIf(e -> {
      int p = Integer.parseInt(e.getKey().substring(0, e.getKey().indexOf('|')));
      long hour = Instant.parse(e.getKey().substring(e.getKey().indexOf('|') + 1)).toEpochMilli();
      return streamTime[p] < hour + HOUR + 10 * MINUTE;
    });
    return byHour;
  }
}
