package io.factorymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factorymeter.stack.LocalStackExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Record timestamps are the producer's clock (the pipeline dead-letters a sample or heartbeat more
 * than 5 min ahead of its record's timestamp as FUTURE_TIMESTAMP): the wall clock for replay and
 * heartbeat, the simulated clock for a simulated fleet; and what replay --close and heartbeat send.
 */
class ProducerClockTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  @RegisterExtension
  static final LocalStackExtension STACK = new LocalStackExtension();

  static CommandLineTest.Run run(String... args) {
    return CommandLineTest.runWith(STACK.stack(), args);
  }

  /** The records of a topic as tail prints them. */
  static List<JsonNode> tail(String topic, int max) throws Exception {
    return tail(topic, max, "20s");
  }

  /** @param idle how long tail waits for another record before it stops */
  static List<JsonNode> tail(String topic, int max, String idle) throws Exception {
    CommandLineTest.Run tail = run("tail", topic, "--from-beginning", "--max", Integer.toString(max), "--timeout", idle);
    assertEquals(0, tail.exitCode(), tail.err());
    List<JsonNode> records = new ArrayList<>();
    for (String line : tail.outLines()) {
      records.add(JSON.readTree(line));
    }
    return records;
  }

  static long heartbeatTime(JsonNode record) {
    return Long.parseLong(record.get("headers").get("factory.meter.heartbeat").asText());
  }

  static long ms(String iso) {
    return Instant.parse(iso).toEpochMilli();
  }

  @Test
  void aHeartbeatFarAheadOfThisMachinesClockIsAUsageError(@TempDir Path dir) throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    CommandLineTest.Run ahead = run("heartbeat", "--event-time", now.plusSeconds(3600).toString(), "--topic", "clock.hb");
    assertEquals(2, ahead.exitCode());
    assertEquals(1, ahead.err().strip().lines().count(), ahead.err());
    assertTrue(ahead.err().contains("more than 5m ahead of this machine's clock") && ahead.err().contains("FUTURE_TIMESTAMP"), ahead.err());

    Path config = dir.resolve("skew.properties");
    Files.writeString(config, "factory.meter.max.future.skew=1m\n");
    CommandLineTest.Run tighter = run("heartbeat", "--event-time", now.plusSeconds(180).toString(), "--topic", "clock.hb",
        "--config", config.toString());
    assertEquals(2, tighter.exitCode(), "the pipeline's skew setting is the limit: " + tighter.err());

    long before = System.currentTimeMillis();
    CommandLineTest.Run within = run("heartbeat", "--event-time", "2026-11-27T00:10:00Z", "--topic", "clock.hb");
    assertEquals(0, within.exitCode(), within.err());
    List<JsonNode> records = tail("clock.hb", 3);
    assertEquals(3, records.size(), "one heartbeat per partition");
    for (JsonNode r : records) {
      assertEquals(ms("2026-11-27T00:10:00Z"), heartbeatTime(r));
      long stamped = Instant.parse(r.get("timestamp").asText()).toEpochMilli();
      assertTrue(stamped >= before - 1 && stamped <= System.currentTimeMillis(), "stamped with the wall clock, not the event time: " + r);
    }
  }

  private static final String SAMPLE = "{\"nodeId\":\"%s\",\"clusterId\":\"c-1\",\"site\":\"s-1\",\"gpuModel\":\"H100-SXM5-80GB\","
      + "\"gpuCount\":8,\"timestamp\":\"%s\",\"intervalMs\":10000,\"powerWatts\":5600.5,"
      + "\"temperatureC\":71.5,\"gpuUtilization\":0.875,\"usage\":[]}";

  @Test
  void replayCloseEndsWithAHeartbeatThatClosesTheLastSamplesBillingHour(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("day-end.jsonl");
    Files.write(file, List.of(String.format(SAMPLE, "n-a", "2026-11-26T23:59:40Z"), String.format(SAMPLE, "n-b", "2026-11-26T23:59:50Z"),
        String.format(SAMPLE, "n-c", "2026-11-26T22:10:00Z")));
    long before = System.currentTimeMillis();
    CommandLineTest.Run replay = run("replay", "--close", "--topic", "clock.close", file.toString());
    assertEquals(0, replay.exitCode(), replay.err());
    assertTrue(replay.err().contains("Heartbeat at 2026-11-27T00:10:00Z sent to every partition of clock.close"
        + " (closes the billing hour 2026-11-26T23:00:00Z)"), replay.err());
    List<JsonNode> records = tail("clock.close", 6);
    int heartbeats = 0;
    for (JsonNode r : records) {
      long stamped = Instant.parse(r.get("timestamp").asText()).toEpochMilli();
      assertTrue(stamped >= before - 1 && stamped <= System.currentTimeMillis(), "the wall clock at sending: " + r);
      if (r.get("value").isNull()) {
        heartbeats++;
        // the hour 23:00-24:00 of the latest sample (23:59:50) + the 10 min billing grace; not + 1 h 10 min
        assertEquals(ms("2026-11-27T00:10:00Z"), heartbeatTime(r));
      }
    }
    assertEquals(3, heartbeats, "one to each of the three partitions");
    assertEquals(6, records.size());
  }

  @Test
  void replaySaysWhatThePipelineWouldDeadLetterAsFutureTimestamp(@TempDir Path dir) throws Exception {
    Instant future = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
    Path file = dir.resolve("future.jsonl");
    Files.write(file, List.of(String.format(SAMPLE, "n-a", "2026-11-26T10:00:00Z"), String.format(SAMPLE, "n-b", future)));
    CommandLineTest.Run replay = run("replay", "--close", "--topic", "clock.future", file.toString());
    assertEquals(0, replay.exitCode(), replay.err());
    assertTrue(replay.out().startsWith("Sent 2 records"), "sent all the same: " + replay.out());
    assertTrue(replay.err().contains("factory-meter: warning: 1 sample(s) lay more than 5m ahead of this machine's clock when sent;"
        + " the pipeline dead-letters them as FUTURE_TIMESTAMP"), replay.err());
    assertTrue(replay.err().contains("factory-meter: no heartbeat sent: its event time "), replay.err());
    assertTrue(replay.err().contains(" lies more than 5m ahead of this machine's clock"), replay.err());
    List<JsonNode> records = tail("clock.future", 5, "8s");
    assertEquals(2, records.size(), "the two samples, no heartbeat: " + records);
  }

  @Test
  void aSimulatedFleetStampsItsRecordsWithItsOwnClockAndTheBrokerLogsNoErrors() throws Exception {
    Logger replicaManager = (Logger) LoggerFactory.getLogger("kafka.server.ReplicaManager");
    ListAppender<ILoggingEvent> brokerErrors = new ListAppender<>();
    brokerErrors.start();
    replicaManager.addAppender(brokerErrors);
    try {
      // a fleet two hours ahead of the wall clock (as --speedup makes it): its records carry its own time
      Instant start = Instant.now().plus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MINUTES);
      CommandLineTest.Run ahead = run("simulate", "--nodes", "3", "--clusters", "1", "--sites", "1", "--start", start.toString(),
          "--duration", "1m", "--speedup", "max", "--topic", "clock.ahead");
      assertEquals(0, ahead.exitCode(), ahead.err());
      List<JsonNode> records = tail("clock.ahead", 1000, "8s");
      int samples = 0;
      for (JsonNode r : records) {
        long stamped = Instant.parse(r.get("timestamp").asText()).toEpochMilli();
        if (r.get("value").isNull()) {
          assertTrue(stamped >= heartbeatTime(r), "a heartbeat is never stamped before its event time: " + r);
        } else {
          samples++;
          long t = Instant.parse(r.get("value").get("timestamp").asText()).toEpochMilli();
          // the simulated now when it is sent: the end of the sample's 10 s interval
          assertTrue(stamped > t && stamped <= t + 10_000, "stamped with the simulated clock: " + r);
        }
      }
      assertTrue(samples >= 15 && samples <= 18, "3 nodes x 6 intervals, less a failed node's: " + samples);

      // a fleet simulating the past: stamped with the wall clock at sending (the later one)
      long before = System.currentTimeMillis();
      CommandLineTest.Run past = run("simulate", "--nodes", "3", "--clusters", "1", "--sites", "1", "--start", "2026-11-26T00:00:00Z",
          "--duration", "1m", "--speedup", "max", "--topic", "clock.past");
      assertEquals(0, past.exitCode(), past.err());
      List<JsonNode> pastRecords = tail("clock.past", 1000, "8s");
      assertTrue(pastRecords.size() >= 15, "samples and heartbeats: " + pastRecords.size());
      for (JsonNode r : pastRecords) {
        long stamped = Instant.parse(r.get("timestamp").asText()).toEpochMilli();
        assertTrue(stamped >= before - 1 && stamped <= System.currentTimeMillis(), r.toString());
      }
    } finally {
      replicaManager.detachAppender(brokerErrors);
    }
    List<String> errors = brokerErrors.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
        .map(ILoggingEvent::getFormattedMessage).toList();
    assertEquals(List.of(), errors, "the first sends to new topics raced no partition into OutOfOrderSequenceException");
  }
}
