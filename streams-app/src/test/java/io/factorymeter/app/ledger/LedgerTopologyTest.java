package io.factorymeter.app.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.app.TestDrivers;
import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.metering.MeteringTopology;
import io.factorymeter.app.serde.AppSerdes;
import io.factorymeter.contract.Heartbeat;
import io.factorymeter.schema.LedgerHour;
import io.factorymeter.schema.NodeSample;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The intake ledger (issue 11) on one input partition, every count worked out by hand from the
 * records sent: which hour each record counts in, when an hour closes (hour end + 10 min billing
 * grace of stream time), when a late record restates it (at the end of the stream-time minute it
 * came in), and when it is forgotten (past the 48 h restatement horizon).
 */
class LedgerTopologyTest {

  private static final Instant RECORD_TIME = Instant.parse("2026-12-01T00:00:00Z");

  private TopologyTestDriver driver;
  private Serde<NodeSample> samples;
  private TestInputTopic<String, byte[]> telemetry;
  private TestOutputTopic<String, LedgerHour> ledger;

  @BeforeEach
  void start() {
    AppSerdes serdes = new AppSerdes(Map.of("schema.registry.url", TestDrivers.registryUrl()));
    samples = serdes.values(NodeSample.class);
    driver = TestDrivers.driver(MeteringTopology.build(MeteringConfig.defaults(), serdes));
    telemetry = driver.createInputTopic("factory.telemetry", new StringSerializer(), new ByteArraySerializer());
    ledger = driver.createOutputTopic("factory.ledger.hourly", new StringDeserializer(),
        serdes.values(LedgerHour.class).deserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private static Instant at(String iso) {
    return Instant.parse("2026-11-" + iso + "Z");
  }

  private void sample(String when, Consumer<NodeSample.Builder> change) {
    NodeSample.Builder b = NodeSample.newBuilder()
        .setNodeId("n1").setClusterId("c1").setSite("s1").setGpuModel("H100-SXM5-80GB").setGpuCount(8)
        .setTimestamp(at(when)).setIntervalMs(10_000).setPowerWatts(4_000).setEnergyJoules(null)
        .setTemperatureC(60f).setGpuUtilization(0.5f).setUsage(new ArrayList<>());
    change.accept(b);
    NodeSample s = b.build();
    telemetry.pipeInput(s.getNodeId(), samples.serializer().serialize("factory.telemetry", s), RECORD_TIME);
  }

  private void sample(String when) {
    sample(when, b -> { });
  }

  private void heartbeat(String when) {
    long ms = at(when).toEpochMilli();
    telemetry.pipeInput(new TestRecord<>(Heartbeat.KEY, null,
        new RecordHeaders().add(Heartbeat.HEADER, Heartbeat.headerValue(ms)), Instant.ofEpochMilli(ms)));
  }

  private static void assertHour(LedgerHour h, String start, int revision, long in, long metered, long lateForMetrics,
      long duplicates, Map<String, Long> deadLetters, long tooLate, long heartbeats) {
    String where = h.getPeriodStart() + " revision " + h.getRevision();
    assertEquals(at(start), h.getPeriodStart(), "period start");
    assertEquals(at(start).plusSeconds(3600), h.getPeriodEnd(), where);
    assertEquals("factory.telemetry", h.getTopic(), where);
    assertEquals(0, h.getPartition(), where);
    assertEquals(revision, h.getRevision(), where);
    assertEquals(in, h.getRecordsIn(), where + " in");
    assertEquals(metered, h.getMetered(), where + " metered");
    assertEquals(lateForMetrics, h.getLateForMetrics(), where + " late for metrics");
    assertEquals(duplicates, h.getDuplicates(), where + " duplicates");
    assertEquals(deadLetters, h.getDeadLettersByReason(), where + " dead letters by reason");
    assertEquals(deadLetters.values().stream().mapToLong(Long::longValue).sum(), h.getDeadLetters(), where + " dead letters");
    assertEquals(tooLate, h.getTooLate(), where + " too late");
    assertEquals(heartbeats, h.getHeartbeats(), where + " heartbeats");
    assertTrue(LedgerHours.imbalance(h).isEmpty(), where + ": " + LedgerHours.imbalance(h));
  }

  @Test
  void eachRecordCountsOnceInTheHourItBelongsToAndHoursCloseAreRestatedAndForgotten() {
    // before the partition has a stream time: an undecodable record counts in the hour of its record timestamp (09:00)
    telemetry.pipeInput(new TestRecord<>("n1", "not avro".getBytes(StandardCharsets.UTF_8), new RecordHeaders(),
        at("26T09:59:00")));
    sample("26T10:00:00");                                  // hour 10: metered
    sample("26T10:00:10");                                  // metered
    sample("26T10:00:10");                                  // duplicate
    sample("26T10:00:20", b -> b.setPowerWatts(-1));        // OUT_OF_RANGE: the stream-time hour, 10:00
    sample("26T10:05:00");                                  // metered
    sample("26T10:00:30");                                  // window 10:00 closed at 10:03 <= 10:05: late for metrics, metered
    assertTrue(ledger.isEmpty(), "no hour closed yet");

    sample("26T10:10:00");                                  // stream time 10:10 = 09:00 + 1 h + 10 min: 09:00 closes
    List<LedgerHour> out = ledger.readValuesToList();
    assertEquals(1, out.size());
    assertHour(out.get(0), "26T09:00:00", 1, 1, 0, 0, 0, Map.of("DESERIALIZATION", 1L), 0, 0);

    heartbeat("26T11:09:59");                              // a second short of 11:10: 10:00 still open
    assertTrue(ledger.isEmpty());
    heartbeat("26T11:10:00");                              // 10:00 closes; the two heartbeats count in 11:00
    var keyed = ledger.readKeyValuesToList();
    assertEquals(1, keyed.size());
    assertEquals("0|2026-11-26T10:00:00Z", keyed.get(0).key);
    // in: 10:00:00, 10:00:10, its copy, the -1 W sample, 10:05, 10:00:30, 10:10 = 7
    assertHour(keyed.get(0).value, "26T10:00:00", 1, 7, 5, 1, 1, Map.of("OUT_OF_RANGE", 1L), 0, 0);

    sample("26T10:20:00");                                  // 10:00 is closed: billed late, restates the hour
    sample("26T10:20:00");                                  // and its copy
    assertTrue(ledger.isEmpty(), "restated once stream time reaches the end of its minute, 11:11");
    heartbeat("26T11:10:59");
    assertTrue(ledger.isEmpty());
    heartbeat("26T11:11:00");
    out = ledger.readValuesToList();
    assertEquals(1, out.size());
    assertHour(out.get(0), "26T10:00:00", 2, 9, 6, 2, 2, Map.of("OUT_OF_RANGE", 1L), 0, 0);

    // two days on: 11:00 of the 26th closes (its 4 heartbeats); 10:00 and 11:00 pass the 48 h horizon and are forgotten
    sample("28T12:00:00");
    out = ledger.readValuesToList();
    assertEquals(1, out.size());
    assertHour(out.get(0), "26T11:00:00", 1, 0, 0, 0, 0, Map.of(), 0, 4);
    sample("26T10:30:00");                                  // too late: counts in the stream-time hour, 12:00 of the 28th
    telemetry.pipeInput(new TestRecord<>("n1", new byte[] {0, 0, 0, 0}, new RecordHeaders(), RECORD_TIME));  // DESERIALIZATION
    heartbeat("28T13:10:00");
    out = ledger.readValuesToList();
    assertEquals(1, out.size(), "10:00 of the 26th is not restated: the too-late sample counts at stream time");
    assertHour(out.get(0), "28T12:00:00", 1, 3, 1, 0, 0, Map.of("DESERIALIZATION", 1L), 1, 0);
  }
}
