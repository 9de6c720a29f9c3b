package io.factorymeter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.ledger.LedgerHours;
import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.contract.Heartbeat;
import io.factorymeter.registry.client.SchemaRegistryClient;
import io.factorymeter.registry.client.SchemaRegistryException;
import io.factorymeter.registry.serde.WireFormat;
import io.factorymeter.schema.BillingLine;
import io.factorymeter.schema.LedgerHour;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.UsageEntry;
import io.factorymeter.stack.LocalStackExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 §4, an upgrade: NodeSample version 2 (the field {@code agent} added with a default) is
 * deployed while producers of version 1 still run. Three nodes send version 1 (the released schema,
 * {@code schemas/released/NodeSample/v1.avsc}, written as a generic record, as a producer built
 * before the change does), three send version 2, interleaved, for two event-time hours, while the
 * two instances of the pipeline are restarted one after the other (a rolling restart, each
 * instance shut down and started again on its state directory). The registry refuses a version 3
 * that breaks BACKWARD compatibility. Afterwards both versions are on the wire under their own
 * schema ids, both are billed to the token (sums made here from what was sent), and the intake
 * ledger accounts for every sample: nothing lost, nothing doubled.
 */
class UpgradeTest {

  @RegisterExtension
  static final LocalStackExtension STACK = new LocalStackExtension();
  private static final BrokerFixture BROKER = new BrokerFixture(STACK);
  private static final String APPLICATION_ID = "upgrade-metering";
  private static final Instant DAY = Instant.parse("2026-11-26T00:00:00Z");
  private static final int STEPS = 120;   // two hours of one-minute samples
  private static final int NODES_PER_VERSION = 3;

  @Test
  void bothVersionsAreMeteredThroughARollingRestartAndAnIncompatibleVersionIsRefused(@TempDir Path dir) throws Exception {
    MeteringConfig config = MeteringApplication.provisionTopics(BROKER.clientProps(), BrokerFixture.config("upgrade."));
    String telemetry = config.topics().telemetry();
    String subject = telemetry + "-value";
    BROKER.publishPrices(config);
    Schema v1 = new Schema.Parser().parse(Path.of("../schemas/released/NodeSample/v1.avsc").toFile());
    assertFalse(v1.getFields().stream().anyMatch(f -> f.name().equals("agent")), "v1 is the schema before the change");

    int v1Id;
    try (SchemaRegistryClient registry = SchemaRegistryClient.fromConfig(BROKER.clientProps())) {
      v1Id = registry.register(subject, v1);   // the old producers were there first
    }

    Path stateA = Files.createDirectories(dir.resolve("a"));
    Path stateB = Files.createDirectories(dir.resolve("b"));
    AtomicReference<MeteringApplication> a = new AtomicReference<>(start(config, stateA));
    AtomicReference<MeteringApplication> b = new AtomicReference<>(start(config, stateB));
    try {
      assertTrue(a.get().awaitRunning(Duration.ofSeconds(120)) && b.get().awaitRunning(Duration.ofSeconds(120)), "both running");

      // the two producer generations, interleaved, paced so that the restarts happen while they send
      AtomicInteger sent = new AtomicInteger();
      AtomicReference<Throwable> senderFailure = new AtomicReference<>();
      long[] tokens = new long[2];   // prompt + completion tokens sent by v1 and by v2 producers
      Thread sender = new Thread(() -> {
        try (KafkaProducer<String, byte[]> producer = BROKER.rawProducer()) {
          for (int step = 0; step < STEPS; step++) {
            Instant at = DAY.plus(Duration.ofMinutes(step));
            for (int n = 0; n < NODES_PER_VERSION; n++) {
              long prompt = 100 + step;
              long completion = 10L * n + step;
              producer.send(new ProducerRecord<>(telemetry, "old-" + n, version1(v1, v1Id, "old-" + n, at, prompt, completion)));
              tokens[0] += prompt + completion;
              NodeSample s = version2("new-" + n, at, 2 * prompt, completion + 1);
              producer.send(new ProducerRecord<>(telemetry, s.getNodeId(), BROKER.wireFormat(telemetry, s)));
              tokens[1] += 2 * prompt + completion + 1;
              sent.addAndGet(2);
            }
            producer.flush();
            Thread.sleep(300);
          }
        } catch (Throwable t) {
          senderFailure.set(t);
        }
      }, "upgrade-sender");
      sender.start();

      // a rolling restart: one instance after the other, each back RUNNING before the next goes down
      awaitSent(sent, 150);
      int sentAtFirstRestart = sent.get();
      restart(a, config, stateA);
      awaitSent(sent, sentAtFirstRestart + 150);
      int sentAtSecondRestart = sent.get();
      restart(b, config, stateB);
      sender.join(120_000);
      assertEquals(null, senderFailure.get(), "sender");
      int total = 2 * NODES_PER_VERSION * STEPS;
      assertEquals(total, sent.get());
      assertTrue(sentAtSecondRestart < total, "the second restart began while the producers were sending: " + sentAtSecondRestart);

      // the registry's compatibility check: a version 3 with a required field and no default is refused
      try (SchemaRegistryClient registry = SchemaRegistryClient.fromConfig(BROKER.clientProps())) {
        Schema v3 = new Schema.Parser().parse(NodeSample.getClassSchema().toString()
            .replace("\"fields\":[", "\"fields\":[{\"name\":\"rackId\",\"type\":\"string\"},"));
        assertFalse(registry.isCompatible(subject, v3));
        SchemaRegistryException refused = assertThrows(SchemaRegistryException.class, () -> registry.register(subject, v3));
        assertTrue(refused.isIncompatible(), refused.toString());
        assertEquals(List.of(1, 2), registry.versions(subject), "v1 and v2 registered, v3 refused");
      }

      // close both hours on every partition (01:00 closes at 02:10)
      try (KafkaProducer<String, byte[]> raw = BROKER.rawProducer()) {
        long close = DAY.plus(Duration.ofMinutes(130)).toEpochMilli();
        for (int p = 0; p < config.inputPartitions(); p++) {
          raw.send(new ProducerRecord<>(telemetry, p, close, Heartbeat.KEY, null,
              new RecordHeaders().add(Heartbeat.HEADER, Heartbeat.headerValue(close)))).get();
        }
      }
      assertTrue(InputLag.awaitCaughtUp(BROKER.clientProps(), APPLICATION_ID, telemetry, Duration.ofSeconds(180)), "caught up");

      // both versions on the wire, under their own schema ids
      Map<Integer, Integer> bySchemaId = new TreeMap<>();
      for (ConsumerRecord<String, byte[]> r : BROKER.readAll(telemetry, new ByteArrayDeserializer())) {
        if (r.value() != null) {
          bySchemaId.merge(WireFormat.readSchemaId(ByteBuffer.wrap(r.value()), telemetry), 1, Integer::sum);
        }
      }
      assertEquals(2, bySchemaId.size(), "two schema ids: " + bySchemaId);
      assertEquals(total / 2, bySchemaId.get(v1Id));
      bySchemaId.remove(v1Id);
      int v2Id = bySchemaId.keySet().iterator().next();
      assertNotEquals(v1Id, v2Id);
      assertEquals(total / 2, bySchemaId.get(v2Id));

      // the ledger: both hours of every partition, balanced, every sample metered once
      List<LedgerHour> hours = awaitLedger(config, 2 * config.inputPartitions());
      for (LedgerHour h : hours) {
        assertEquals(Optional.empty(), LedgerHours.imbalance(h), h.toString());
      }
      assertEquals(total, hours.stream().mapToLong(LedgerHour::getRecordsIn).sum(), "records in");
      assertEquals(total, hours.stream().mapToLong(LedgerHour::getMetered).sum(), "metered");
      assertEquals(0, hours.stream().mapToLong(h -> h.getDuplicates() + h.getDeadLetters() + h.getTooLate()).sum(), "lost or doubled");

      // both generations billed to the token
      Map<String, Long> billed = billedTokens(config, 2 * 2);
      assertEquals(tokens[0], billed.get("tenant-v1"), "tokens of the version-1 producers");
      assertEquals(tokens[1], billed.get("tenant-v2"), "tokens of the version-2 producers");
    } finally {
      a.get().close();
      b.get().close();
    }
  }

  private static MeteringApplication start(MeteringConfig config, Path stateDir) {
    return MeteringApplication.start(BROKER.clientProps(), config, new MeteringApplication.Options(APPLICATION_ID, stateDir, 1));
  }

  private static void restart(AtomicReference<MeteringApplication> instance, MeteringConfig config, Path stateDir)
      throws InterruptedException {
    instance.get().close();
    instance.set(start(config, stateDir));
    assertTrue(instance.get().awaitRunning(Duration.ofSeconds(120)), "restarted instance running");
  }

  private static void awaitSent(AtomicInteger sent, int atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (sent.get() < atLeast && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  private static List<LedgerHour> awaitLedger(MeteringConfig config, int hours) throws InterruptedException {
    String topic = config.topics().name(FactoryTopic.LEDGER_HOURLY);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    List<LedgerHour> found;
    do {
      found = LedgerHours.read(BROKER.clientProps(), topic, DAY, DAY.plus(Duration.ofHours(2)));
      if (found.size() < hours) {
        Thread.sleep(500);
      }
    } while (found.size() < hours && System.nanoTime() < deadline);
    assertEquals(hours, found.size(), "ledger hours: " + found);
    return found;
  }

  /** Tokens per tenant over the final billing lines, once {@code lines} final lines are out (billing runs behind the intake). */
  private static Map<String, Long> billedTokens(MeteringConfig config, int lines) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      Map<String, BillingLine> all = BROKER.latest(config.topics().name(FactoryTopic.BILLING_HOURLY), BillingLine.class);
      if (all.values().stream().filter(BillingLine::getIsFinal).count() >= lines || System.nanoTime() > deadline) {
        Map<String, Long> billed = new TreeMap<>();
        all.values().forEach(l -> billed.merge(l.getTenantId(), l.getPromptTokens() + l.getCompletionTokens(), Long::sum));
        return billed;
      }
      Thread.sleep(500);
    }
  }

  /** A sample as a producer built before version 2 writes it: a generic record of the v1 schema in wire format. */
  private static byte[] version1(Schema v1, int schemaId, String node, Instant at, long prompt, long completion) throws IOException {
    Schema usageSchema = v1.getField("usage").schema().getElementType();
    GenericRecord usage = new GenericData.Record(usageSchema);
    usage.put("tenantId", "tenant-v1");
    usage.put("modelId", "model-a");
    usage.put("promptTokens", prompt);
    usage.put("completionTokens", completion);
    GenericRecord r = new GenericData.Record(v1);
    r.put("nodeId", node);
    r.put("clusterId", "cluster-old");
    r.put("site", "site-a");
    r.put("gpuModel", "H100-SXM5-80GB");
    r.put("gpuCount", 8);
    r.put("timestamp", at.toEpochMilli());
    r.put("intervalMs", 60_000);
    r.put("powerWatts", 4_000.0);
    r.put("energyJoules", null);
    r.put("temperatureC", 55f);
    r.put("gpuUtilization", 0.5f);
    r.put("usage", new GenericData.Array<>(v1.getField("usage").schema(), List.of(usage)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer header = ByteBuffer.allocate(WireFormat.HEADER_LENGTH);
    WireFormat.writeHeader(header, schemaId);
    out.write(header.array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(v1).write(r, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  /** A sample of version 2, naming its agent. */
  private static NodeSample version2(String node, Instant at, long prompt, long completion) {
    return NodeSample.newBuilder().setNodeId(node).setClusterId("cluster-new").setSite("site-a")
        .setGpuModel("H100-SXM5-80GB").setGpuCount(8).setTimestamp(at).setIntervalMs(60_000).setPowerWatts(4_000)
        .setEnergyJoules(null).setTemperatureC(55f).setGpuUtilization(0.5f)
        .setUsage(new ArrayList<>(List.of(new UsageEntry("tenant-v2", "model-a", prompt, completion))))
        .setAgent("dcgm-bridge/2.0.0").build();
  }
}
