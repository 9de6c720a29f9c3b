package io.factorymeter.app.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.factorymeter.app.InputLag;
import io.factorymeter.app.MeteringApplication;
import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.deadletter.DeadLetterHeaders;
import io.factorymeter.app.ledger.LedgerHours;
import io.factorymeter.app.serde.AppSerdes;
import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.contract.Heartbeat;
import io.factorymeter.producers.kafka.AvroRecordSender;
import io.factorymeter.producers.prices.PriceLoader;
import io.factorymeter.schema.BillingLine;
import io.factorymeter.schema.ClusterMetrics;
import io.factorymeter.schema.FleetMetrics;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.LedgerHour;
import io.factorymeter.schema.NodeMetrics;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.Tariff;
import io.factorymeter.schema.UsageEntry;
import io.factorymeter.stack.LocalStackExtension;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The bad-input corpus (issue 8 §5): malformed and hostile records, each between rounds of valid
 * samples, sent to one running pipeline on the real in-process broker (exactly_once_v2). One
 * dynamic test per kind checks where its record ended (the dead-letter topic with its reason and
 * the whole original, or metered, or counted as a duplicate or heartbeat, or the late topic); the
 * other tests check that the application stayed RUNNING on the same threads, that the valid
 * samples were metered exactly (node, cluster, fleet and billing figures against sums made here
 * from the samples, {@link CorpusSums}), that the counters add up, and that no output carries a
 * header a producer forged.
 *
 * <p>Everything is sent after the application is RUNNING, with record timestamp = now (the samples
 * are dated 2026-11-26, in the past), so the FUTURE_TIMESTAMP rule (event time at most 5 minutes
 * ahead of the record's timestamp) only catches the records meant to break it. Kinds go to input
 * partition 0 together with two of the four valid nodes; the other two valid nodes are on
 * partitions 1 and 2.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CorpusTest {

  @RegisterExtension
  static final LocalStackExtension STACK = new LocalStackExtension();

  private static final String PREFIX = "corpus.";
  private static final String APPLICATION_ID = PREFIX + "metering";
  /** The valid samples' first step; the dates are in the past, so record timestamp = now is always after them. */
  static final Instant BASE = Instant.parse("2026-11-26T10:00:00Z");
  private static final long STEP_MS = 10_000;
  /** A heartbeat at this offset from BASE, sent after all else was read, closes the ledger's 11:00 hour (+ 1 h + 10 min grace). */
  private static final Duration LEDGER_CLOSE = Duration.ofMinutes(131);
  private static final int KINDS_PARTITION = 0;
  /** Header on every corpus record naming its kind (and showing that producer headers reach the dead letter). */
  static final String KIND_HEADER = "corpus.kind";
  private static final String FORGED = "forged-by-a-producer";
  private static final int DEAD_LETTER_MAX_BYTES = 1_000_000;
  /** Just under the broker's message.max.bytes (1,048,588 for the whole batch) once key, headers and batch overhead are added. */
  private static final int NEARLY_ONE_MB = 1_048_000;
  private static final long TWO_POW_63_MINUS_1000 = Long.MAX_VALUE - 999;   // 2^63 - 1000

  /** The valid nodes sending a sample each round: id, cluster, site, GPU model, GPUs, input partition. */
  private record Node(String id, String cluster, String site, String gpuModel, int gpuCount, int partition) {
  }

  private static final List<Node> ROTATION = List.of(
      new Node("v-a1", "c-a", "site-a", "H100-SXM5-80GB", 8, 0),
      new Node("v-a2", "c-a", "site-a", "B200-SXM-180GB", 8, 1),
      new Node("v-b1", "c-b", "site-b", "H200-SXM-141GB", 4, 2),
      new Node("v-b2", "c-b", "site-b", "H100-SXM5-80GB", 8, 0));

  /** Where a record must end. */
  private record Outcome(Type type, String reason, NodeSample sample) {
    enum Type { DEAD_LETTER, METERED, DUPLICATE, LATE, HEARTBEAT }
  }

  private static Outcome deadLetter(String reason) {
    return new Outcome(Outcome.Type.DEAD_LETTER, reason, null);
  }

  private static Outcome meteredAs(NodeSample s) {
    return new Outcome(Outcome.Type.METERED, null, s);
  }

  private static Outcome duplicate() {
    return new Outcome(Outcome.Type.DUPLICATE, null, null);
  }

  private static Outcome late(String reason) {
    return new Outcome(Outcome.Type.LATE, reason, null);
  }

  private static Outcome heartbeat() {
    return new Outcome(Outcome.Type.HEARTBEAT, null, null);
  }

  /** A record as sent. */
  private record Sent(Kind kind, int partition, long offset, byte[] key, byte[] value, Header[] headers, Outcome outcome) {
    String where() {
      return "partition " + partition + " offset " + offset;
    }
  }

  /** One kind of bad input: what it is, what must become of it, how it is sent, and any check of its own. */
  private static final class Kind {
    final String name;
    final String expected;
    final Runnable body;
    Consumer<Kind> check = k -> { };
    /**
     * Set when the pipeline is known not to do what SPEC says for this kind: the checks still run;
     * while they fail the test is aborted (reported as skipped) with this text, and once they pass it
     * fails, so that the note is removed.
     */
    String knownDeviation;
    final List<Sent> records = new ArrayList<>();
    List<Sent> before = List.of();
    List<Sent> after = List.of();
    final int index;

    Kind(int index, String name, String expected, Runnable body) {
      this.index = index;
      this.name = name;
      this.expected = expected;
      this.body = body;
    }

    Sent record() {
      return records.get(0);
    }

    @Override
    public String toString() {
      return String.format("%02d %s -> %s", index, name, expected);
    }
  }

  private MeteringConfig config;
  private String telemetry;
  private int partitions;
  private AppSerdes serdes;
  private Serializer<NodeSample> sampleSerializer;
  private KafkaProducer<byte[], byte[]> producer;
  private MeteringApplication app;
  private final Set<KafkaStreams.State> statesSeen = ConcurrentHashMap.newKeySet();
  private volatile boolean watching = true;
  private Thread stateWatcher;

  private final List<Kind> kinds = new ArrayList<>();
  private Kind current;
  private final List<Sent> sent = new ArrayList<>();
  private final List<NodeSample> metered = new ArrayList<>();
  private long step;
  private int rotationCounter;
  private long sendMillis;

  // what came out
  private final Map<String, List<ConsumerRecord<byte[], byte[]>>> deadLetters = new TreeMap<>();
  private List<ConsumerRecord<byte[], byte[]>> deadLetterRecords;
  private final Map<String, List<ConsumerRecord<byte[], byte[]>>> lateRecords = new TreeMap<>();
  private Map<String, NodeMetrics> nodeMetrics;
  private Map<String, ClusterMetrics> clusterMetrics;
  private Map<String, FleetMetrics> fleetMetrics;
  private Map<String, BillingLine> billingLines;
  private final Map<String, List<ConsumerRecord<byte[], byte[]>>> outputs = new TreeMap<>();
  private Map<String, Double> counters;
  private double processingErrorsBefore;
  private double productionErrorsBefore;
  private KafkaStreams.State finalState;
  private List<String> threadsAtStart;
  private List<String> threadsAtEnd;
  private CorpusSums expected;
  private List<LedgerHour> ledgerHours;

  // --- the run --------------------------------------------------------------------------------------

  @BeforeAll
  void runTheCorpus() throws Exception {
    long started = System.nanoTime();
    assertTrue(Instant.now().isAfter(BASE.plus(LEDGER_CLOSE).plus(Duration.ofMinutes(5))),
        "the corpus is dated " + BASE + " and sent with record timestamp = now: the wall clock must be past its closing heartbeat");
    Map<String, Object> props = new HashMap<>();
    for (FactoryTopic t : FactoryTopic.values()) {
      props.put(MeteringConfig.TOPIC_PREFIX + t.name().toLowerCase().replace('_', '-'), PREFIX + t.defaultName());
    }
    config = MeteringApplication.provisionTopics(STACK.clientProps(), MeteringConfig.from(props));
    telemetry = config.topics().telemetry();
    partitions = config.inputPartitions();
    assertTrue(partitions >= 3, "the telemetry topic has at least 3 partitions (the broker default), got " + partitions);
    serdes = new AppSerdes(STACK.clientProps());
    sampleSerializer = serdes.values(NodeSample.class).serializer();
    try (AvroRecordSender<Tariff> t = new AvroRecordSender<>(STACK.clientProps(), config.topics().name(FactoryTopic.TARIFFS));
         AvroRecordSender<GpuRate> g = new AvroRecordSender<>(STACK.clientProps(), config.topics().name(FactoryTopic.GPU_RATES))) {
      new PriceLoader(t, g).publish(PriceLoader.read(Path.of("../examples/prices.jsonl")));
    }

    Path stateDir = Files.createDirectories(Path.of("target"));
    stateDir = Files.createTempDirectory(stateDir, "corpus-state-");
    app = MeteringApplication.start(STACK.clientProps(), config, new MeteringApplication.Options(APPLICATION_ID, stateDir, 1));
    stateWatcher = new Thread(() -> {
      while (watching) {
        statesSeen.add(app.streams().state());
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "corpus-state-watcher");
    stateWatcher.setDaemon(true);
    stateWatcher.start();
    assertTrue(app.awaitRunning(Duration.ofSeconds(120)), "application running, state " + app.streams().state());
    threadsAtStart = threadNames();
    processingErrorsBefore = app.counters().get("processing-errors");
    productionErrorsBefore = app.counters().get("production-errors");

    Map<String, Object> producerProps = STACK.clientProps();
    producerProps.remove("schema.registry.url");
    producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
    producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    producerProps.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
    producerProps.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2_000_000);
    producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());

    defineKinds();
    long sendStart = System.nanoTime();
    List<Sent> previous = round();
    for (Kind k : kinds) {
      current = k;
      k.before = previous;
      k.body.run();
      current = null;
      assertFalse(k.records.isEmpty(), k.name + " sent nothing");
      previous = round();
      k.after = previous;
    }
    // close every window and the billing hour on every partition: period end + billing grace (10 min) + 1 min
    long close = BASE.plus(Duration.ofMinutes(71)).toEpochMilli();
    for (int p = 0; p < partitions; p++) {
      send(p, Heartbeat.KEY.getBytes(StandardCharsets.UTF_8), null, null, heartbeat(),
          new RecordHeader(Heartbeat.HEADER, Heartbeat.headerValue(close)));
    }
    producer.close(Duration.ofSeconds(30));
    sendMillis = Duration.ofNanos(System.nanoTime() - sendStart).toMillis();
    // every partition at 11:11: windows up to the one starting 11:08 settled (11:08 + 1 min window + 2 min grace = 11:11)
    expected = new CorpusSums(metered, BASE.plus(Duration.ofMinutes(68)).toEpochMilli());

    assertTrue(InputLag.awaitCaughtUp(STACK.clientProps(), APPLICATION_ID, telemetry, Duration.ofSeconds(180)),
        "the application caught up with the corpus; state " + app.streams().state());
    readOutputs();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!outputsComplete() && System.nanoTime() < deadline) {
      Thread.sleep(1_000);
      InputLag.awaitCaughtUp(STACK.clientProps(), APPLICATION_ID, telemetry, Duration.ofSeconds(30));
      readOutputs();
    }
    counters = app.counters();
    finalState = app.streams().state();
    threadsAtEnd = threadNames();
    readLedger();
    System.out.printf("Corpus: %d kinds, %d records sent (%d valid samples metered) in %d ms; whole run %d s%n",
        kinds.size(), sent.size(), metered.size(), sendMillis, Duration.ofNanos(System.nanoTime() - started).toSeconds());
    for (Kind k : kinds) {
      Sent s = k.record();
      int size = (s.key() == null ? 0 : s.key().length) + (s.value() == null ? 0 : s.value().length);
      if (size > 100_000) {
        System.out.printf("  %s: key %d + value %d bytes%n", k.name, s.key() == null ? 0 : s.key().length,
            s.value() == null ? 0 : s.value().length);
      }
    }
  }

  /**
   * After everything else was read: a heartbeat at 12:11 on every partition closes the ledger's
   * 11:00 hour (the corpus's closing heartbeat at 11:11 closed 10:00); then the ledger is read
   * once both hours of every partition are out.
   */
  private void readLedger() throws InterruptedException {
    Map<String, Object> producerProps = STACK.clientProps();
    producerProps.remove("schema.registry.url");
    producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> closer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int p = 0; p < partitions; p++) {
        closer.send(new ProducerRecord<>(telemetry, p, null, utf8(Heartbeat.KEY), null,
            new RecordHeaders().add(Heartbeat.HEADER, Heartbeat.headerValue(BASE.plus(LEDGER_CLOSE).toEpochMilli()))));
      }
    }
    String topic = config.topics().name(FactoryTopic.LEDGER_HOURLY);
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    do {
      Thread.sleep(500);
      ledgerHours = LedgerHours.read(STACK.clientProps(), topic, Instant.EPOCH, BASE.plus(Duration.ofDays(1)));
    } while (ledgerHours.size() < 2 * partitions && System.nanoTime() < deadline);
  }

  /** Whether every billing line, cluster and fleet window expected is out, the windows final (the rollups may lag the intake). */
  private boolean outputsComplete() {
    return billingLines.keySet().containsAll(expected.billing.keySet())
        && clusterMetrics.keySet().containsAll(expected.clusters.keySet())
        && clusterMetrics.values().stream().allMatch(ClusterMetrics::getIsFinal)
        && fleetMetrics.keySet().containsAll(expected.fleet.keySet())
        && fleetMetrics.values().stream().allMatch(FleetMetrics::getIsFinal);
  }

  @AfterAll
  void stop() throws InterruptedException {
    watching = false;
    if (stateWatcher != null) {
      stateWatcher.join(1_000);
    }
    if (app != null) {
      app.close();
    }
  }

  private List<String> threadNames() {
    return app.streams().metadataForLocalThreads().stream().map(ThreadMetadata::threadName).sorted().toList();
  }

  // --- sending ------------------------------------------------------------------------------------------

  private Instant stepTime() {
    return BASE.plusMillis(step * STEP_MS);
  }

  /** One valid sample of each rotation node at the current step; then the step moves on. */
  private List<Sent> round() {
    List<Sent> out = new ArrayList<>();
    for (Node n : ROTATION) {
      int r = rotationCounter++;
      double power = n.gpuCount() * (100 + (r * 37) % 1_800);
      List<UsageEntry> usage = switch (r % 5) {
        case 0 -> List.of();   // idle
        case 1 -> List.of(new UsageEntry("tenant-a", "llama-70b", 10L * r + 1, 3L * r));
        case 2 -> List.of(new UsageEntry("tenant-a", "llama-70b", 5L * r, 7L * r + 2), new UsageEntry("tenant-b", "mixtral", 1_000L + r, 0L));
        case 3 -> List.of(new UsageEntry("tenant-b", "mixtral", 13L * r, 11L * r), new UsageEntry("tenant-c", "llama-8b", 2L, 1L));
        default -> List.of(new UsageEntry("tenant-c", "llama-8b", 0L, 100_000L + r));
      };
      NodeSample s = NodeSample.newBuilder()
          .setNodeId(n.id()).setClusterId(n.cluster()).setSite(n.site()).setGpuModel(n.gpuModel()).setGpuCount(n.gpuCount())
          .setTimestamp(stepTime()).setIntervalMs((int) STEP_MS).setPowerWatts(power)
          // B200 nodes report their energy counter: authoritative, a little under power x interval
          .setEnergyJoules(n.gpuModel().startsWith("B200") ? power * STEP_MS / 1000.0 * 0.97 : null)
          .setTemperatureC(40f + (r * 7) % 50).setGpuUtilization(((r * 13) % 101) / 100f)
          .setUsage(usage).build();
      metered.add(s);
      out.add(send(n.partition(), utf8(n.id()), bytes(s), null, meteredAs(s)));
    }
    step++;
    return out;
  }

  private Sent send(int partition, byte[] key, byte[] value, Long timestampMs, Outcome outcome, Header... headers) {
    List<Header> all = new ArrayList<>();
    if (current != null) {
      all.add(new RecordHeader(KIND_HEADER, utf8(current.name)));
    }
    all.addAll(Arrays.asList(headers));
    Header[] hs = all.toArray(new Header[0]);
    long offset;
    try {
      offset = producer.send(new ProducerRecord<>(telemetry, partition, timestampMs, key, value, new RecordHeaders(hs)))
          .get().offset();
    } catch (Exception e) {
      throw new AssertionError("Sending " + (current == null ? "a valid sample" : current.name) + " failed: " + e, e);
    }
    Sent s = new Sent(current, partition, offset, key, value, hs, outcome);
    sent.add(s);
    if (current != null) {
      current.records.add(s);
    }
    return s;
  }

  private byte[] bytes(NodeSample s) {
    return sampleSerializer.serialize(telemetry, s);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  /** A valid sample of the kind's own node at the current step (cluster c-k, site-a, 8 x H100, one usage entry). */
  private NodeSample.Builder template() {
    return template("k" + current.index);
  }

  private NodeSample.Builder template(String nodeId) {
    return NodeSample.newBuilder()
        .setNodeId(nodeId).setClusterId("c-k").setSite("site-a").setGpuModel("H100-SXM5-80GB").setGpuCount(8)
        .setTimestamp(stepTime()).setIntervalMs((int) STEP_MS).setPowerWatts(4_000.0).setEnergyJoules(null)
        .setTemperatureC(60f).setGpuUtilization(0.5f)
        .setUsage(new ArrayList<>(List.of(new UsageEntry("tenant-k", "model-k", 100L, 200L))));
  }

  private Sent sample(NodeSample s, Outcome outcome, Header... headers) {
    return send(KINDS_PARTITION, utf8(s.getNodeId()), bytes(s), null, outcome, headers);
  }

  /** The template changed by {@code change}, sent keyed by its nodeId; it must be dead-lettered with {@code reason}. */
  private Sent bad(String reason, Consumer<NodeSample.Builder> change) {
    NodeSample.Builder b = template();
    change.accept(b);
    return sample(b.build(), deadLetter(reason));
  }

  /** A valid sample that must be metered. */
  private Sent good(NodeSample s, Header... headers) {
    metered.add(s);
    return sample(s, meteredAs(s), headers);
  }

  private Sent raw(byte[] key, byte[] value, String reason, Header... headers) {
    return send(KINDS_PARTITION, key, value, null, deadLetter(reason), headers);
  }

  private Sent heartbeatRecord(byte[] headerValue, Outcome outcome) {
    return send(KINDS_PARTITION, Heartbeat.KEY.getBytes(StandardCharsets.UTF_8), null, null, outcome,
        new RecordHeader(Heartbeat.HEADER, headerValue));
  }

  private Kind kind(String name, String expected, Runnable body) {
    Kind k = new Kind(kinds.size() + 1, name, expected, body);
    kinds.add(k);
    return k;
  }

  private static List<UsageEntry> entries(int n, String tenant, String model) {
    List<UsageEntry> usage = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      usage.add(new UsageEntry(tenant, model, 1L, 1L));
    }
    return usage;
  }

  private static Instant at(String iso) {
    return Instant.parse(iso);
  }

  // --- the kinds ------------------------------------------------------------------------------------------

  private void defineKinds() {
    final String DESER = "DESERIALIZATION";
    final String KEY = "KEY_MISMATCH";
    final String ID = "INVALID_ID";
    final String RANGE = "OUT_OF_RANGE";
    final String NAN = "NAN";
    final String RESERVED = "RESERVED_ID";
    final String FUTURE = "FUTURE_TIMESTAMP";

    // --- does not decode ---
    kind("truncated Avro (first half of a valid sample's bytes)", DESER, () -> {
      byte[] whole = bytes(template().build());
      raw(utf8("k" + current.index), Arrays.copyOf(whole, whole.length / 2), DESER);
    });
    kind("truncated Avro (last byte missing)", DESER, () -> {
      byte[] whole = bytes(template().build());
      raw(utf8("k" + current.index), Arrays.copyOf(whole, whole.length - 1), DESER);
    });
    kind("wrong magic byte 0x01", DESER, () -> {
      byte[] b = bytes(template().build());
      b[0] = 1;
      raw(utf8("k" + current.index), b, DESER);
    }).check = k -> assertTrue(detail(k).contains("magic byte"), detail(k));
    kind("unknown schema id 999999", DESER, () -> {
      byte[] b = bytes(template().build());
      ByteBuffer.wrap(b).putInt(1, 999_999);
      raw(utf8("k" + current.index), b, DESER);
    }).check = k -> assertTrue(detail(k).contains("999999"), detail(k));
    kind("negative schema id -1", DESER, () -> {
      byte[] b = bytes(template().build());
      ByteBuffer.wrap(b).putInt(1, -1);
      raw(utf8("k" + current.index), b, DESER);
    });
    kind("empty value (0 bytes)", DESER, () -> raw(utf8("k" + current.index), new byte[0], DESER));
    kind("value shorter than the wire-format header (3 bytes)", DESER,
        () -> raw(utf8("k" + current.index), new byte[] {0, 0, 1}, DESER));
    kind("JSON instead of Avro", DESER, () -> raw(utf8("k" + current.index),
        utf8("{\"nodeId\":\"k" + current.index + "\",\"powerWatts\":4000}"), DESER));
    kind("tombstone: null value, no heartbeat header", DESER, () -> raw(utf8("k" + current.index), null, DESER))
        .check = k -> assertTrue(detail(k).contains("tombstone"), detail(k));
    kind("a Tariff in wire format (valid record of another schema)", DESER, () -> {
      Tariff t = new Tariff("site-a", "USD", 0.085, 1.25, at("2026-01-01T00:00:00Z"), null);
      byte[] b = serdes.values(Tariff.class).serializer().serialize(config.topics().name(FactoryTopic.TARIFFS), t);
      raw(utf8("site-a"), b, DESER);
    });
    kind("null key, undecodable value", DESER, () -> raw(null, utf8("not avro at all"), DESER))
        .check = k -> assertNull(dead(k).key(), "the dead letter keeps the null key");
    kind("null key, null value", DESER, () -> raw(null, null, DESER))
        .check = k -> assertNull(dead(k).key());
    kind("null key, valid sample", KEY, () -> send(KINDS_PARTITION, null, bytes(template().build()), null, deadLetter(KEY)))
        .check = k -> assertNull(dead(k).key());
    kind("key is not the nodeId", KEY, () -> send(KINDS_PARTITION, utf8("someone-else"), bytes(template().build()), null,
        deadLetter(KEY))).check = k -> assertTrue(detail(k).contains("someone-else"), detail(k));
    kind("key that is not UTF-8 (0xC3 0x28), valid sample", KEY + ", the original key bytes kept", () -> send(KINDS_PARTITION,
        new byte[] {(byte) 0xC3, 0x28}, bytes(template().build()), null, deadLetter(KEY)));
    kind("valid sample followed by 16 junk bytes", "metered (Avro stops at the record's end; the rest is not read)", () -> {
      NodeSample s = template().build();
      byte[] b = Arrays.copyOf(bytes(s), bytes(s).length + 16);
      Arrays.fill(b, b.length - 16, b.length, (byte) 0x7f);
      metered.add(s);
      send(KINDS_PARTITION, utf8(s.getNodeId()), b, null, meteredAs(s));
    });

    // --- identifiers ---
    kind("nodeId with a NUL character (key the same)", ID, () -> {
      NodeSample s = template("k" + current.index + "\u0000x").build();
      sample(s, deadLetter(ID));
    });
    kind("clusterId with a newline", ID, () -> bad(ID, b -> b.setClusterId("c-k\nDELETE")));
    kind("site with an ESC sequence", ID, () -> bad(ID, b -> b.setSite("site-a\u001b[2J")));
    kind("tenantId with a tab", ID, () -> bad(ID, b -> b.setUsage(List.of(new UsageEntry("tenant\tk", "model-k", 1L, 1L)))));
    kind("modelId with DEL (0x7f)", ID, () -> bad(ID, b -> b.setUsage(List.of(new UsageEntry("tenant-k", "model\u007f", 1L, 1L)))));
    kind("gpuModel with a control character", ID, () -> bad(ID, b -> b.setGpuModel("H100-SXM5-80GB\u0007")));
    kind("nodeId of 10 KB (key the same)", ID, () -> sample(template("n".repeat(10_240)).build(), deadLetter(ID)))
        .check = k -> assertEquals(10_240, dead(k).key().length);
    kind("clusterId of 10 KB", ID, () -> bad(ID, b -> b.setClusterId("c".repeat(10_240))));
    kind("tenantId of 10 KB", ID, () -> bad(ID, b -> b.setUsage(List.of(new UsageEntry("t".repeat(10_240), "model-k", 1L, 1L)))));
    kind("modelId of 10 KB", ID, () -> bad(ID, b -> b.setUsage(List.of(new UsageEntry("tenant-k", "m".repeat(10_240), 1L, 1L)))));
    kind("gpuModel of 10 KB", ID, () -> bad(ID, b -> b.setGpuModel("G".repeat(10_240))));
    kind("empty nodeId and key", ID, () -> sample(template("").build(), deadLetter(ID)));
    kind("non-ASCII nodeId (key the same)", ID, () -> sample(template("nöde-\uD83D\uDE00").build(), deadLetter(ID)))
        .check = k -> assertArrayEquals(utf8("nöde-\uD83D\uDE00"), dead(k).key());
    kind("tenantId with the key separator |", ID,
        () -> bad(ID, b -> b.setUsage(List.of(new UsageEntry("tenant|k", "model-k", 1L, 1L)))));
    kind("identifiers of exactly 128 characters", "metered (the longest identifiers allowed)", () -> {
      NodeSample s = template("N".repeat(127) + current.index % 10).setClusterId("C".repeat(128)).setSite("site-a")
          .setGpuModel("H100-SXM5-80GB")
          .setUsage(List.of(new UsageEntry("T".repeat(128), "M".repeat(128), 7L, 8L))).build();
      good(s);
    });
    kind("tenantId _idle", RESERVED, () -> bad(RESERVED, b -> b.setUsage(List.of(new UsageEntry("_idle", "model-k", 5L, 5L)))));
    kind("modelId _idle", RESERVED, () -> bad(RESERVED, b -> b.setUsage(List.of(new UsageEntry("tenant-k", "_idle", 5L, 5L)))));
    kind("tenantId and modelId _idle", RESERVED,
        () -> bad(RESERVED, b -> b.setUsage(List.of(new UsageEntry("_idle", "_idle", 5L, 5L)))));

    // --- NaN and infinities in every double and float ---
    kind("powerWatts NaN", NAN, () -> bad(NAN, b -> b.setPowerWatts(Double.NaN)));
    kind("powerWatts +Infinity", RANGE, () -> bad(RANGE, b -> b.setPowerWatts(Double.POSITIVE_INFINITY)));
    kind("powerWatts -Infinity", RANGE, () -> bad(RANGE, b -> b.setPowerWatts(Double.NEGATIVE_INFINITY)));
    kind("energyJoules NaN", NAN, () -> bad(NAN, b -> b.setEnergyJoules(Double.NaN)));
    kind("energyJoules +Infinity", RANGE, () -> bad(RANGE, b -> b.setEnergyJoules(Double.POSITIVE_INFINITY)));
    kind("energyJoules -Infinity", RANGE, () -> bad(RANGE, b -> b.setEnergyJoules(Double.NEGATIVE_INFINITY)));
    kind("temperatureC NaN", NAN, () -> bad(NAN, b -> b.setTemperatureC(Float.NaN)));
    kind("temperatureC +Infinity", RANGE, () -> bad(RANGE, b -> b.setTemperatureC(Float.POSITIVE_INFINITY)));
    kind("temperatureC -Infinity", RANGE, () -> bad(RANGE, b -> b.setTemperatureC(Float.NEGATIVE_INFINITY)));
    kind("gpuUtilization NaN", NAN, () -> bad(NAN, b -> b.setGpuUtilization(Float.NaN)));
    kind("gpuUtilization +Infinity", RANGE, () -> bad(RANGE, b -> b.setGpuUtilization(Float.POSITIVE_INFINITY)));
    kind("gpuUtilization -Infinity", RANGE, () -> bad(RANGE, b -> b.setGpuUtilization(Float.NEGATIVE_INFINITY)));

    // --- negative and absurd values ---
    kind("powerWatts -1", RANGE, () -> bad(RANGE, b -> b.setPowerWatts(-1.0)));
    kind("powerWatts 1e300", RANGE, () -> bad(RANGE, b -> b.setPowerWatts(1e300)));
    kind("powerWatts just over 2,000 W per GPU (16,000.5 W on 8 GPUs)", RANGE, () -> bad(RANGE, b -> b.setPowerWatts(16_000.5)));
    kind("energyJoules -1", RANGE, () -> bad(RANGE, b -> b.setEnergyJoules(-1.0)));
    kind("energyJoules 1e308", RANGE, () -> bad(RANGE, b -> b.setEnergyJoules(1e308)));
    kind("temperatureC -273.15", RANGE, () -> bad(RANGE, b -> b.setTemperatureC(-273.15f)));
    kind("temperatureC 1e6", RANGE, () -> bad(RANGE, b -> b.setTemperatureC(1e6f)));
    kind("gpuUtilization -0.01", RANGE, () -> bad(RANGE, b -> b.setGpuUtilization(-0.01f)));
    kind("gpuUtilization 100 (percent, not a ratio)", RANGE, () -> bad(RANGE, b -> b.setGpuUtilization(100f)));
    kind("promptTokens -1", RANGE, () -> bad(RANGE, b -> b.setUsage(List.of(new UsageEntry("tenant-k", "model-k", -1L, 10L)))));
    kind("completionTokens Long.MIN_VALUE", RANGE,
        () -> bad(RANGE, b -> b.setUsage(List.of(new UsageEntry("tenant-k", "model-k", 10L, Long.MIN_VALUE)))));
    kind("gpuCount 0", RANGE, () -> bad(RANGE, b -> b.setGpuCount(0)));
    kind("gpuCount -8", RANGE, () -> bad(RANGE, b -> b.setGpuCount(-8)));
    kind("gpuCount 1,025", RANGE, () -> bad(RANGE, b -> b.setGpuCount(1_025)));
    kind("gpuCount Integer.MAX_VALUE", RANGE, () -> bad(RANGE, b -> b.setGpuCount(Integer.MAX_VALUE)));
    kind("intervalMs 0", RANGE, () -> bad(RANGE, b -> b.setIntervalMs(0)));
    kind("intervalMs -10,000", RANGE, () -> bad(RANGE, b -> b.setIntervalMs(-10_000)));
    kind("intervalMs 3,600,001 (over 1 h)", RANGE, () -> bad(RANGE, b -> b.setIntervalMs(3_600_001)));
    kind("intervalMs Integer.MAX_VALUE", RANGE, () -> bad(RANGE, b -> b.setIntervalMs(Integer.MAX_VALUE)));
    kind("every value at its upper bound", "metered (1,024 GPUs, 2,000 W each for 1 h, 150 °C, utilization 1, 10^12 tokens)",
        () -> good(template().setGpuModel("GB200-NVL72").setGpuCount(1_024).setIntervalMs(3_600_000)
            .setPowerWatts(2_048_000.0).setEnergyJoules(2_048_000.0 * 3_600).setTemperatureC(150f).setGpuUtilization(1f)
            .setUsage(List.of(new UsageEntry("tenant-max", "model-max", 999_999_999_999L, 1L))).build()));
    kind("every value at its lower bound", "metered (1 GPU, 1 ms, 0 W, 0 J, -40 °C, utilization 0, no usage: idle)",
        () -> good(template().setGpuCount(1).setIntervalMs(1).setPowerWatts(0.0).setEnergyJoules(0.0).setTemperatureC(-40f)
            .setGpuUtilization(0f).setUsage(List.of()).build()));

    // --- time ---
    kind("timestamp before 1970 (-1 ms)", RANGE, () -> bad(RANGE, b -> b.setTimestamp(Instant.ofEpochMilli(-1))));
    kind("timestamp 1900-01-01", RANGE, () -> bad(RANGE, b -> b.setTimestamp(at("1900-01-01T00:00:00Z"))));
    kind("timestamp Long.MIN_VALUE ms", RANGE, () -> bad(RANGE, b -> b.setTimestamp(Instant.ofEpochMilli(Long.MIN_VALUE))));
    kind("timestamp 1999-12-31T23:59:59.999Z (just before 2000)", RANGE,
        () -> bad(RANGE, b -> b.setTimestamp(at("1999-12-31T23:59:59.999Z"))));
    kind("timestamp 2099 with record timestamp now (a node's clock in 2099)", FUTURE,
        () -> bad(FUTURE, b -> b.setTimestamp(at("2099-06-01T00:00:00Z"))))
        .check = k -> assertTrue(detail(k).contains("ahead of the record's timestamp"), detail(k));
    kind("timestamp 2100-01-01 (the first instant not allowed)", RANGE, () -> bad(RANGE, b -> b.setTimestamp(at("2100-01-01T00:00:00Z"))));
    kind("timestamp 2150", RANGE, () -> bad(RANGE, b -> b.setTimestamp(at("2150-01-01T00:00:00Z"))));
    kind("timestamp Long.MAX_VALUE ms", RANGE, () -> bad(RANGE, b -> b.setTimestamp(Instant.ofEpochMilli(Long.MAX_VALUE))));
    kind("valid sample of 2000-01-01 (the earliest allowed)", "late topic, BEYOND_RESTATEMENT_HORIZON, whole", () -> {
      NodeSample s = template().setTimestamp(at("2000-01-01T00:00:00Z")).build();
      sample(s, late("BEYOND_RESTATEMENT_HORIZON"));
    });
    kind("record timestamp 2099 on a valid sample (the producer's clock ahead)", "metered (only event time ahead of record time is refused)",
        () -> {
          NodeSample s = template().build();
          metered.add(s);
          send(KINDS_PARTITION, utf8(s.getNodeId()), bytes(s), at("2099-06-01T00:00:00Z").toEpochMilli(), meteredAs(s));
        });

    // --- size ---
    kind("100,000 usage entries (fits the broker limit: sent whole)", RANGE, () -> {
      NodeSample s = template().setUsage(entries(100_000, "t", "m")).build();
      sample(s, deadLetter(RANGE));
    }).check = k -> {
      assertTrue(detail(k).contains("100000 usage entries"), detail(k));
      assertTrue(k.record().value().length > 500_000, "a value of " + k.record().value().length + " bytes");
    };
    kind("4,097 usage entries (one over the bound)", RANGE, () -> bad(RANGE, b -> b.setUsage(entries(4_097, "tenant-k", "model-k"))));
    kind("4,096 usage entries of 64 tenant x model pairs", "metered, entries of a pair merged", () -> {
      List<UsageEntry> usage = new ArrayList<>();
      for (int i = 0; i < 4_096; i++) {
        usage.add(new UsageEntry("bt-" + (i % 8), "bm-" + (i / 8 % 8), (long) i, (long) (i % 7)));
      }
      good(template().setUsage(usage).build());
    });
    kind("value just under the 1 MB broker limit", RANGE + ", value cut to fit, header value.truncated = its length", () -> {
      NodeSample s = nearlyOneMegabyte(template());
      sample(s, deadLetter(RANGE));
    }).check = k -> {
      assertEquals(NEARLY_ONE_MB, k.record().value().length);
      assertEquals(Integer.toString(NEARLY_ONE_MB), header(dead(k), DeadLetterHeaders.VALUE_TRUNCATED));
    };
    kind("key of 1,000,000 bytes on a valid sample", KEY + ", key left out to fit, header key.dropped", () ->
        send(KINDS_PARTITION, utf8("K".repeat(1_000_000)), bytes(template().build()), null, deadLetter(KEY)))
        .check = k -> assertEquals("1000000", header(dead(k), DeadLetterHeaders.KEY_DROPPED));
    kind("500 KB producer header on a 540 KB undecodable value", DESER + ", headers kept, value cut to fit", () -> {
      byte[] value = new byte[540_000];
      value[0] = 1;   // not the wire format
      raw(utf8("k" + current.index), value, DESER, new RecordHeader("trace", new byte[500_000]));
    }).check = k -> {
      assertEquals("540000", header(dead(k), DeadLetterHeaders.VALUE_TRUNCATED));
      assertNotNull(dead(k).headers().lastHeader("trace"), "the producer's header is kept");
    };

    // --- tokens ---
    kind("promptTokens 2^63 - 1", RANGE,
        () -> bad(RANGE, b -> b.setUsage(List.of(new UsageEntry("tenant-k", "model-k", Long.MAX_VALUE, 0L)))));
    kind("promptTokens 2^63 - 1000, nothing else wrong", RANGE + " (no overflow in billing, cluster or fleet sums)",
        () -> bad(RANGE, b -> b.setUsage(List.of(new UsageEntry("tenant-k", "model-k", TWO_POW_63_MINUS_1000, 0L)))));
    kind("promptTokens 2^62 and completionTokens 2^62 (their sum overflows)", RANGE,
        () -> bad(RANGE, b -> b.setUsage(List.of(new UsageEntry("tenant-k", "model-k", 1L << 62, 1L << 62)))));
    kind("two entries of 6 x 10^11 tokens (10^12 exceeded per sample)", RANGE, () -> bad(RANGE, b -> b.setUsage(List.of(
        new UsageEntry("tenant-k", "model-k", 600_000_000_000L, 0L), new UsageEntry("tenant-j", "model-k", 0L, 600_000_000_000L)))));
    kind("exactly 10^12 tokens (the bound)", "metered", () -> good(template().setUsage(List.of(
        new UsageEntry("tenant-big", "model-big", 600_000_000_000L, 400_000_000_000L))).build()));

    // --- duplicates ---
    kind("duplicate usage entries (same tenant and model twice)", "metered, the two entries merged", () -> good(template()
        .setUsage(List.of(new UsageEntry("tenant-dup", "model-dup", 100L, 10L), new UsageEntry("tenant-dup", "model-dup", 50L, 5L)))
        .build())).check = k -> {
          BillingLine line = billingLines.get("tenant-dup|model-dup|" + CorpusSums.iso(BASE.toEpochMilli()));
          assertNotNull(line, "billing line of the merged entries");
          assertEquals(150, line.getPromptTokens());
          assertEquals(15, line.getCompletionTokens());
          assertEquals(165, nodeMetrics.get(nodeKey(k.record().outcome().sample())).getTokens());
        };
    kind("the same sample sent twice (a retry)", "the second is a duplicate, counted once", () -> {
      Sent first = good(template().build());
      send(KINDS_PARTITION, first.key(), first.value(), null, duplicate());
    });
    kind("same node and timestamp as an earlier sample, other values", "duplicate: the first one counts", () -> {
      Sent earlier = current.before.get(0);   // v-a1 of the round just sent, on this partition
      NodeSample other = NodeSample.newBuilder(earlier.outcome().sample()).setPowerWatts(1.0)
          .setUsage(List.of(new UsageEntry("tenant-z", "model-z", 999L, 999L))).build();
      send(earlier.partition(), earlier.key(), bytes(other), null, duplicate());
    }).check = k -> assertNull(billingLines.get("tenant-z|model-z|" + CorpusSums.iso(BASE.toEpochMilli())));
    kind("an invalid copy before the valid sample of the same node and time", "invalid copy dead-lettered, the valid one metered", () -> {
      NodeSample valid = template().build();
      sample(NodeSample.newBuilder(valid).setPowerWatts(-5.0).build(), deadLetter(RANGE));
      good(valid);
    });

    // --- headers ---
    kind("forged reason headers on a valid sample", "metered; no output carries the forged headers", () -> good(template().build(),
        new RecordHeader(DeadLetterHeaders.REASON, utf8(FORGED)), new RecordHeader(DeadLetterHeaders.SOURCE_OFFSET, utf8("-1"))));
    kind("forged reason headers on an invalid sample", RANGE + "; forged headers renamed producer.factory.meter.*", () ->
        sample(template().setPowerWatts(-1.0).build(), deadLetter(RANGE),
            new RecordHeader(DeadLetterHeaders.REASON, utf8(FORGED)),
            new RecordHeader(DeadLetterHeaders.SOURCE_OFFSET, utf8("-1")),
            new RecordHeader(DeadLetterHeaders.VALUE_TRUNCATED, utf8("5"))))
        .check = k -> {
          ConsumerRecord<byte[], byte[]> d = dead(k);
          assertEquals(FORGED, header(d, DeadLetterHeaders.FROM_PRODUCER + DeadLetterHeaders.REASON));
          assertEquals("-1", header(d, DeadLetterHeaders.FROM_PRODUCER + DeadLetterHeaders.SOURCE_OFFSET));
          assertEquals("5", header(d, DeadLetterHeaders.FROM_PRODUCER + DeadLetterHeaders.VALUE_TRUNCATED));
          assertEquals(1, count(d, DeadLetterHeaders.REASON), "one reason header: the pipeline's");
          assertNull(header(d, DeadLetterHeaders.VALUE_TRUNCATED), "the forged truncation note is not ours");
        };
    kind("heartbeat header (2099) on a valid sample", "metered as a sample; stream time not moved to 2099", () ->
        good(template().build(), new RecordHeader(Heartbeat.HEADER, Heartbeat.headerValue(at("2099-06-01T00:00:00Z").toEpochMilli()))));
    kind("empty value with a heartbeat header", DESER + " (a record with a value is a sample)", () ->
        raw(utf8("k" + current.index), new byte[0], DESER, new RecordHeader(Heartbeat.HEADER, Heartbeat.headerValue(stepTime().toEpochMilli()))));
    kind("heartbeat far in the future (2099, record timestamp now)", FUTURE,
        () -> heartbeatRecord(Heartbeat.headerValue(at("2099-06-01T00:00:00Z").toEpochMilli()), deadLetter(FUTURE)));
    kind("heartbeat in 2150", DESER, () -> heartbeatRecord(Heartbeat.headerValue(at("2150-01-01T00:00:00Z").toEpochMilli()), deadLetter(DESER)));
    kind("heartbeat with a non-numeric header", DESER, () -> heartbeatRecord(utf8("soon"), deadLetter(DESER)));
    kind("heartbeat header without a value", DESER, () -> heartbeatRecord(null, deadLetter(DESER)));
    kind("heartbeat before 1970 (-5 ms)", DESER, () -> heartbeatRecord(Heartbeat.headerValue(-5), deadLetter(DESER)));
    kind("heartbeat an hour in the past", "counted as a heartbeat; stream time unchanged",
        () -> heartbeatRecord(Heartbeat.headerValue(BASE.minus(Duration.ofHours(1)).toEpochMilli()), heartbeat()));
  }

  /** The sample with enough usage entries that its wire-format bytes are exactly {@link #NEARLY_ONE_MB} long. */
  private NodeSample nearlyOneMegabyte(NodeSample.Builder b) {
    List<UsageEntry> usage = entries(NEARLY_ONE_MB / 6 - 1_000, "t", "m");   // 6 bytes each
    NodeSample s = b.setUsage(usage).build();
    for (int i = 0; i < 10; i++) {
      int missing = NEARLY_ONE_MB - bytes(s).length;
      if (missing == 0) {
        return s;
      }
      String tenant = usage.get(0).getTenantId();
      usage.set(0, new UsageEntry("t".repeat(Math.max(1, tenant.length() + missing)), "m", 1L, 1L));
      s = b.setUsage(usage).build();
    }
    assertEquals(NEARLY_ONE_MB, bytes(s).length, "padding the 1 MB sample");
    return s;
  }

  // --- reading what came out ----------------------------------------------------------------------------

  private void readOutputs() {
    deadLetters.clear();
    lateRecords.clear();
    outputs.clear();
    deadLetterRecords = readAll(config.topics().name(FactoryTopic.TELEMETRY_DLQ));
    for (ConsumerRecord<byte[], byte[]> r : deadLetterRecords) {
      deadLetters.computeIfAbsent(source(r), k -> new ArrayList<>()).add(r);
    }
    for (ConsumerRecord<byte[], byte[]> r : readAll(config.topics().name(FactoryTopic.TELEMETRY_LATE))) {
      lateRecords.computeIfAbsent(source(r), k -> new ArrayList<>()).add(r);
    }
    nodeMetrics = latest(FactoryTopic.NODE_METRICS, NodeMetrics.class);
    clusterMetrics = latest(FactoryTopic.CLUSTER_METRICS, ClusterMetrics.class);
    fleetMetrics = latest(FactoryTopic.FLEET_METRICS, FleetMetrics.class);
    billingLines = latest(FactoryTopic.BILLING_HOURLY, BillingLine.class);
  }

  private static String source(ConsumerRecord<byte[], byte[]> r) {
    return header(r, DeadLetterHeaders.SOURCE_PARTITION) + ":" + header(r, DeadLetterHeaders.SOURCE_OFFSET);
  }

  private <T extends org.apache.avro.specific.SpecificRecord> Map<String, T> latest(FactoryTopic topic, Class<T> type) {
    String name = config.topics().name(topic);
    Deserializer<T> values = serdes.values(type).deserializer();
    Map<String, T> latest = new TreeMap<>();
    List<ConsumerRecord<byte[], byte[]>> records = readAll(name);
    outputs.put(name, records);
    for (ConsumerRecord<byte[], byte[]> r : records) {
      latest.put(text(r.key()), values.deserialize(name, r.value()));
    }
    return latest;
  }

  /** Every record of a topic, read_committed, from the start to the last stable offset. */
  private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    Map<String, Object> p = STACK.clientProps();
    p.remove("schema.registry.url");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> tps = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> end = c.endOffsets(tps);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          fail("Reading " + topic + " did not reach its end " + end);
        }
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : text(h.value());
  }

  private static int count(ConsumerRecord<byte[], byte[]> r, String name) {
    int n = 0;
    for (Header ignored : r.headers().headers(name)) {
      n++;
    }
    return n;
  }

  private ConsumerRecord<byte[], byte[]> dead(Kind k) {
    for (Sent s : k.records) {
      if (s.outcome().type() == Outcome.Type.DEAD_LETTER) {
        return onlyDeadLetter(s);
      }
    }
    throw new AssertionError(k.name + " has no record meant for the dead-letter topic");
  }

  private String detail(Kind k) {
    return header(dead(k), DeadLetterHeaders.DETAIL);
  }

  private ConsumerRecord<byte[], byte[]> onlyDeadLetter(Sent s) {
    List<ConsumerRecord<byte[], byte[]>> found = deadLetters.getOrDefault(s.partition() + ":" + s.offset(), List.of());
    assertEquals(1, found.size(), "dead letters of the record at " + s.where());
    return found.get(0);
  }

  private static String nodeKey(NodeSample s) {
    long ts = s.getTimestamp().toEpochMilli();
    return s.getNodeId() + "|" + CorpusSums.iso(Math.floorDiv(ts, 60_000L) * 60_000L);
  }

  // --- the checks ----------------------------------------------------------------------------------------

  @TestFactory
  Stream<DynamicTest> everyKindEndsWhereItMust() {
    return kinds.stream().map(k -> DynamicTest.dynamicTest(k.toString(), () -> {
      try {
        for (Sent s : k.records) {
          checkOutcome(s);
        }
        for (Sent s : k.before) {
          checkOutcome(s);
        }
        for (Sent s : k.after) {
          checkOutcome(s);
        }
        k.check.accept(k);
      } catch (AssertionError e) {
        Assumptions.assumeTrue(k.knownDeviation == null, () -> "KNOWN DEVIATION: " + k.knownDeviation + " (" + e.getMessage() + ")");
        throw e;
      }
      assertNull(k.knownDeviation, "the known deviation is fixed: remove its note");
    }));
  }

  private void checkOutcome(Sent s) {
    String what = (s.kind() == null ? "valid sample" : s.kind().name) + " at " + s.where();
    List<ConsumerRecord<byte[], byte[]>> dl = deadLetters.getOrDefault(s.partition() + ":" + s.offset(), List.of());
    List<ConsumerRecord<byte[], byte[]>> lt = lateRecords.getOrDefault(s.partition() + ":" + s.offset(), List.of());
    switch (s.outcome().type()) {
      case DEAD_LETTER -> {
        assertEquals(List.of(), lt, what + ": not in the late topic");
        checkDeadLetter(s, onlyDeadLetter(s), s.outcome().reason());
      }
      case LATE -> {
        assertEquals(List.of(), dl, what + ": not dead-lettered");
        assertEquals(1, lt.size(), what + ": in the late topic once");
        ConsumerRecord<byte[], byte[]> r = lt.get(0);
        assertEquals(s.outcome().reason(), header(r, DeadLetterHeaders.REASON), what);
        assertArrayEquals(s.key(), r.key(), what + ": original key");
        assertArrayEquals(s.value(), r.value(), what + ": whole original value");
        assertEquals(telemetry, header(r, DeadLetterHeaders.SOURCE_TOPIC));
      }
      case METERED -> {
        assertEquals(List.of(), dl, what + ": not dead-lettered " + reasons(dl));
        assertEquals(List.of(), lt, what + ": not late");
        NodeSample sample = s.outcome().sample();
        NodeMetrics n = nodeMetrics.get(nodeKey(sample));
        assertNotNull(n, what + ": metered in its node window " + nodeKey(sample));
        assertEquals(expected.nodes.get(nodeKey(sample)).samples, n.getSamples(), what + ": samples of its node window");
      }
      case DUPLICATE, HEARTBEAT -> {
        assertEquals(List.of(), dl, what + ": not dead-lettered " + reasons(dl));
        assertEquals(List.of(), lt, what + ": not late");
      }
    }
  }

  private static List<String> reasons(List<ConsumerRecord<byte[], byte[]>> records) {
    return records.stream().map(r -> header(r, DeadLetterHeaders.REASON) + ": " + header(r, DeadLetterHeaders.DETAIL)).toList();
  }

  /** Reason, detail, source, the original key, value and headers (or the notes saying what was cut), and the size bound. */
  private void checkDeadLetter(Sent s, ConsumerRecord<byte[], byte[]> d, String reason) {
    String what = s.kind().name + " at " + s.where();
    assertEquals(reason, header(d, DeadLetterHeaders.REASON), what + ": reason (detail: " + header(d, DeadLetterHeaders.DETAIL) + ")");
    for (Header h : d.headers().headers(DeadLetterHeaders.REASON)) {
      assertEquals(reason, text(h.value()), what + ": every reason header is the pipeline's");
    }
    String detail = header(d, DeadLetterHeaders.DETAIL);
    assertNotNull(detail, what + ": detail");
    assertFalse(detail.isBlank(), what + ": detail");
    assertEquals(telemetry, header(d, DeadLetterHeaders.SOURCE_TOPIC), what);
    assertEquals(Integer.toString(s.partition()), header(d, DeadLetterHeaders.SOURCE_PARTITION), what);
    assertEquals(Long.toString(s.offset()), header(d, DeadLetterHeaders.SOURCE_OFFSET), what);

    String keyDropped = header(d, DeadLetterHeaders.KEY_DROPPED);
    if (keyDropped == null) {
      assertArrayEquals(s.key(), d.key(), what + ": original key");
    } else {
      assertNull(d.key(), what);
      assertEquals(Integer.toString(s.key().length), keyDropped, what + ": key.dropped says the key's length");
    }
    String truncated = header(d, DeadLetterHeaders.VALUE_TRUNCATED);
    if (truncated == null) {
      assertArrayEquals(s.value(), d.value(), what + ": original value");
    } else {
      assertEquals(Integer.toString(s.value().length), truncated, what + ": value.truncated says the original length");
      assertTrue(d.value().length < s.value().length, what);
      assertArrayEquals(Arrays.copyOf(s.value(), d.value().length), d.value(), what + ": the value's beginning");
    }
    if (header(d, DeadLetterHeaders.HEADERS_DROPPED) == null) {
      for (Header h : s.headers()) {
        String name = h.key().startsWith(DeadLetterHeaders.PREFIX) ? DeadLetterHeaders.FROM_PRODUCER + h.key() : h.key();
        boolean found = false;
        for (Header c : d.headers().headers(name)) {
          found |= Arrays.equals(h.value(), c.value());
        }
        assertTrue(found, what + ": the producer's header " + h.key() + " kept as " + name);
      }
    }
    long size = (d.key() == null ? 0 : d.key().length) + (d.value() == null ? 0 : d.value().length);
    for (Header h : d.headers()) {
      size += h.key().getBytes(StandardCharsets.UTF_8).length + (h.value() == null ? 0 : h.value().length);
    }
    assertTrue(size <= DEAD_LETTER_MAX_BYTES, what + ": the dead letter has " + size + " bytes, more than the limit");
  }

  @Test
  void theCorpusHasAtLeastThirtyKinds() {
    assertTrue(kinds.size() >= 30, kinds.size() + " kinds");
  }

  @Test
  void theApplicationStayedRunningOnTheSameThreads() {
    assertEquals(KafkaStreams.State.RUNNING, finalState, "state at the end");
    for (KafkaStreams.State bad : List.of(KafkaStreams.State.ERROR, KafkaStreams.State.PENDING_ERROR,
        KafkaStreams.State.PENDING_SHUTDOWN, KafkaStreams.State.NOT_RUNNING)) {
      assertFalse(statesSeen.contains(bad), "state " + bad + " seen during the run: " + statesSeen);
    }
    assertEquals(threadsAtStart, threadsAtEnd, "no stream thread died and was replaced");
    assertEquals(processingErrorsBefore, counters.get("processing-errors"), "no PROCESSING_ERROR dead letter");
    assertEquals(productionErrorsBefore, counters.get("production-errors"), "no PRODUCTION_ERROR dead letter");
  }

  @Test
  void theDeadLetterAndLateTopicsHoldExactlyTheCorpusRecordsMeantForThem() {
    long meantForDlq = sent.stream().filter(s -> s.outcome().type() == Outcome.Type.DEAD_LETTER).count();
    long meantForLate = sent.stream().filter(s -> s.outcome().type() == Outcome.Type.LATE).count();
    assertEquals(meantForDlq, deadLetterRecords.size(), "dead letters: " + deadLetters.keySet());
    assertEquals(meantForLate, lateRecords.values().stream().mapToLong(List::size).sum(), "late records");
    for (ConsumerRecord<byte[], byte[]> d : deadLetterRecords) {
      String reason = header(d, DeadLetterHeaders.REASON);
      assertFalse(reason.equals("PROCESSING_ERROR") || reason.equals("PRODUCTION_ERROR"),
          "the pipeline failed on a record: " + header(d, DeadLetterHeaders.DETAIL));
    }
  }

  @Test
  void theValidSamplesAreMeteredExactly() {
    assertEquals(expected.nodes.keySet(), nodeMetrics.keySet(), "node windows: those of the valid samples, no other");
    expected.nodes.forEach((key, e) -> {
      NodeMetrics a = nodeMetrics.get(key);
      assertFigures("node " + key, e, a.getSamples(), a.getTokens(), a.getOutputTokens(), a.getEnergyJ(), a.getCovered(),
          a.getEnergyCost(), a.getCapacityCost(), a.getTotalCost(), a.getMaxTemperatureC(), a.getMeanTemperatureC(),
          a.getUtilization(), a.getUnpricedSamples());
    });
    assertEquals(expected.clusters.keySet(), clusterMetrics.keySet(), "cluster windows");
    expected.clusters.forEach((key, e) -> {
      ClusterMetrics a = clusterMetrics.get(key);
      assertFigures("cluster " + key, e, a.getSamples(), a.getTokens(), a.getOutputTokens(), a.getEnergyJ(), a.getCovered(),
          a.getEnergyCost(), a.getCapacityCost(), a.getTotalCost(), a.getMaxTemperatureC(), a.getMeanTemperatureC(),
          a.getUtilization(), a.getUnpricedSamples());
      assertEquals(e.nodes.size(), a.getNodesReporting(), "cluster " + key + " nodesReporting");
      assertTrue(a.getIsFinal(), "cluster " + key + " final");
      assertEquals(e.nodesKnown, a.getNodesKnown(), "cluster " + key + " nodesKnown");
      assertUptimeKnown("cluster " + key, e, a.getUptimeKnown());
    });
    assertEquals(expected.fleet.keySet(), fleetMetrics.keySet(), "fleet windows");
    expected.fleet.forEach((key, e) -> {
      FleetMetrics a = fleetMetrics.get(key);
      assertFigures("fleet " + key, e, a.getSamples(), a.getTokens(), a.getOutputTokens(), a.getEnergyJ(), a.getCovered(),
          a.getEnergyCost(), a.getCapacityCost(), a.getTotalCost(), a.getMaxTemperatureC(), a.getMeanTemperatureC(),
          a.getUtilization(), a.getUnpricedSamples());
      assertEquals(e.nodes.size(), a.getNodesReporting(), "fleet " + key + " nodesReporting");
      assertTrue(a.getIsFinal(), "fleet " + key + " final");
      assertEquals(e.nodesKnown, a.getNodesKnown(), "fleet " + key + " nodesKnown");
      assertUptimeKnown("fleet " + key, e, a.getUptimeKnown());
    });
    long fleetSamples = fleetMetrics.values().stream().mapToLong(FleetMetrics::getSamples).sum();
    assertEquals(metered.size(), fleetSamples, "Σ fleet samples = the valid samples sent");

    assertEquals(expected.billing.keySet(), billingLines.keySet(), "billing lines");
    expected.billing.forEach((key, e) -> {
      BillingLine a = billingLines.get(key);
      String what = "billing " + key;
      assertEquals(e.promptTokens, a.getPromptTokens(), what + " promptTokens");
      assertEquals(e.completionTokens, a.getCompletionTokens(), what + " completionTokens");
      assertEquals(e.energyJ, a.getEnergyJ(), 2e-6 * e.contributions + 1e-12 * Math.abs(e.energyJ), what + " energyJ");
      assertEquals(e.energyCost, a.getEnergyCost(), money(e.energyCost, e.contributions), what + " energyCost");
      assertEquals(e.capacityCost, a.getCapacityCost(), money(e.capacityCost, e.contributions), what + " capacityCost");
      assertEquals(e.totalCost(), a.getTotalCost(), money(e.totalCost(), e.contributions), what + " totalCost");
      assertEquals(1, a.getRevision(), what + " revision");
      assertTrue(a.getIsFinal(), what + " final");
      assertEquals(0, a.getUnpricedSamples(), what);
    });
    // SPEC §3: per hour, Σ billing = the fleet's figures (and the samples' own sums)
    expected.hours.forEach((hour, sums) -> {
      String period = CorpusSums.iso(hour);
      double energy = billingLines.values().stream().filter(l -> CorpusSums.iso(l.getPeriodStart().toEpochMilli()).equals(period))
          .mapToDouble(BillingLine::getEnergyJ).sum();
      double cost = billingLines.values().stream().filter(l -> CorpusSums.iso(l.getPeriodStart().toEpochMilli()).equals(period))
          .mapToDouble(BillingLine::getTotalCost).sum();
      double fleetEnergy = fleetMetrics.values().stream().filter(f -> f.getWindowStart().toEpochMilli() / 3_600_000 == hour / 3_600_000)
          .mapToDouble(FleetMetrics::getEnergyJ).sum();
      double fleetCost = fleetMetrics.values().stream().filter(f -> f.getWindowStart().toEpochMilli() / 3_600_000 == hour / 3_600_000)
          .mapToDouble(FleetMetrics::getTotalCost).sum();
      assertEquals(sums[0], energy, 1e-9 * sums[0], "Σ billing energy, hour " + period);
      assertEquals(fleetEnergy, energy, 1e-9 * fleetEnergy, "Σ billing energy = fleet, hour " + period);
      assertEquals(sums[1], cost, 1e-9 * sums[1], "Σ billing cost, hour " + period);
      assertEquals(fleetCost, cost, 1e-9 * fleetCost, "Σ billing cost = fleet, hour " + period);
    });
  }

  private static void assertUptimeKnown(String what, CorpusSums.Window e, Double uptimeKnown) {
    if (e.uptimeKnown() == null) {
      assertNull(uptimeKnown, what + " uptimeKnown");
    } else {
      assertNotNull(uptimeKnown, what + " uptimeKnown");
      assertEquals(e.uptimeKnown(), uptimeKnown, 1e-12, what + " uptimeKnown");
    }
  }

  private static double money(double amount, int samples) {
    return 1e-12 * samples + 1e-12 * Math.abs(amount);
  }

  private static void assertFigures(String what, CorpusSums.Window e, long samples, long tokens, long outputTokens,
      double energyJ, long covered, Double energyCost, Double capacityCost, Double totalCost, double maxTemperatureC,
      double meanTemperatureC, double utilization, long unpriced) {
    assertEquals(e.samples, samples, what + " samples");
    assertEquals(e.tokens, tokens, what + " tokens");
    assertEquals(e.outputTokens, outputTokens, what + " outputTokens");
    assertEquals(e.energyJ, energyJ, 1e-6 * e.samples + 1e-12 * Math.abs(e.energyJ), what + " energyJ");
    assertEquals(e.covered, covered, what + " covered");
    assertNotNull(energyCost, what + " energyCost");
    assertNotNull(capacityCost, what + " capacityCost");
    assertNotNull(totalCost, what + " totalCost");
    assertEquals(e.energyCost, energyCost, money(e.energyCost, (int) e.samples), what + " energyCost");
    assertEquals(e.capacityCost, capacityCost, money(e.capacityCost, (int) e.samples), what + " capacityCost");
    assertEquals(e.totalCost(), totalCost, money(e.totalCost(), (int) e.samples), what + " totalCost");
    assertEquals(e.maxTemperatureC(), maxTemperatureC, 1e-3, what + " maxTemperatureC");
    assertEquals(e.meanTemperatureC(), meanTemperatureC, 1e-3, what + " meanTemperatureC");
    assertEquals(e.utilization(), utilization, 1e-6, what + " utilization");
    assertEquals(0, unpriced, what + " unpricedSamples");
  }

  @Test
  void theCountersAddUp() {
    long recordsThatAreSamples = sent.stream().filter(s -> s.outcome().type() != Outcome.Type.HEARTBEAT).count();
    long duplicates = sent.stream().filter(s -> s.outcome().type() == Outcome.Type.DUPLICATE).count();
    long late = sent.stream().filter(s -> s.outcome().type() == Outcome.Type.LATE).count();
    long heartbeatsAccepted = sent.stream().filter(s -> s.outcome().type() == Outcome.Type.HEARTBEAT).count();
    Map<String, Long> invalidByReason = new TreeMap<>();
    for (Sent s : sent) {
      if (s.outcome().type() == Outcome.Type.DEAD_LETTER) {
        invalidByReason.merge("invalid-" + s.outcome().reason().toLowerCase().replace('_', '-'), 1L, Long::sum);
      }
    }
    double invalid = 0;
    for (Map.Entry<String, Double> c : counters.entrySet()) {
      if (c.getKey().startsWith("invalid-")) {
        assertEquals((double) invalidByReason.getOrDefault(c.getKey(), 0L), c.getValue(), c.getKey());
        invalid += c.getValue();
      }
    }
    assertEquals((double) recordsThatAreSamples, counters.get("samples-in"), "samples-in: every record but accepted heartbeats");
    assertEquals((double) duplicates, counters.get("duplicates"), "duplicates");
    assertEquals((double) late, counters.get("late-beyond-restatement"), "late-beyond-restatement");
    assertEquals(0.0, counters.get("late-for-metrics"), "late-for-metrics");
    assertEquals(0.0, counters.get("unpriced"), "unpriced");
    assertEquals((double) heartbeatsAccepted, counters.get("heartbeats"), "heartbeats");
    long meteredByTheFleet = fleetMetrics.values().stream().mapToLong(FleetMetrics::getSamples).sum();
    // a rejected heartbeat is a dead letter like any record: counted in samples-in and under its invalid-* reason
    assertEquals(counters.get("samples-in"),
        meteredByTheFleet + counters.get("duplicates") + invalid + counters.get("late-beyond-restatement"),
        "samples-in = metered + duplicates + invalid + late; counters " + counters);
  }

  /**
   * Issue 11, the intake ledger: every hour of every partition balances (in = metered + duplicates
   * + dead letters + too late), and each partition's hours account for exactly the records this
   * test sent there, each where the corpus says it must end (its {@link Outcome}), dead letters by
   * their reason.
   */
  @Test
  void theLedgerBalancesEveryHourAndAccountsForEveryRecordSent() {
    assertEquals(2 * partitions, ledgerHours.size(), "hours 10:00 and 11:00 of each partition: " + ledgerHours);
    for (LedgerHour h : ledgerHours) {
      assertEquals(Optional.empty(), LedgerHours.imbalance(h), h.getPartition() + "|" + h.getPeriodStart());
      assertEquals(telemetry, h.getTopic());
    }
    for (int p = 0; p < partitions; p++) {
      int partition = p;
      List<Sent> there = sent.stream().filter(s -> s.partition() == partition).toList();
      List<LedgerHour> hours = ledgerHours.stream().filter(h -> h.getPartition() == partition).toList();
      assertEquals(List.of(BASE, BASE.plus(Duration.ofHours(1))), hours.stream().map(LedgerHour::getPeriodStart).toList());
      Map<String, Long> deadByReason = new TreeMap<>();
      there.stream().filter(s -> s.outcome().type() == Outcome.Type.DEAD_LETTER)
          .forEach(s -> deadByReason.merge(s.outcome().reason(), 1L, Long::sum));
      Map<String, Long> ledgerByReason = new TreeMap<>();
      hours.forEach(h -> h.getDeadLettersByReason().forEach((r, n) -> ledgerByReason.merge(r, n, Long::sum)));
      String where = "partition " + p;
      assertEquals(there.stream().filter(s -> s.outcome().type() != Outcome.Type.HEARTBEAT).count(),
          hours.stream().mapToLong(LedgerHour::getRecordsIn).sum(), where + " records in");
      assertEquals(count(there, Outcome.Type.METERED), hours.stream().mapToLong(LedgerHour::getMetered).sum(), where + " metered");
      assertEquals(count(there, Outcome.Type.DUPLICATE), hours.stream().mapToLong(LedgerHour::getDuplicates).sum(), where + " duplicates");
      assertEquals(count(there, Outcome.Type.LATE), hours.stream().mapToLong(LedgerHour::getTooLate).sum(), where + " too late");
      assertEquals(count(there, Outcome.Type.HEARTBEAT), hours.stream().mapToLong(LedgerHour::getHeartbeats).sum(), where + " heartbeats");
      assertEquals(deadByReason, ledgerByReason, where + " dead letters by reason");
      assertEquals(0, hours.stream().mapToLong(LedgerHour::getLateForMetrics).sum(), where + " late for metrics");
    }
  }

  private static long count(List<Sent> sent, Outcome.Type type) {
    return sent.stream().filter(s -> s.outcome().type() == type).count();
  }

  @Test
  void noOutputCarriesAForgedHeaderOrTheHeadersOfItsInput() throws Exception {
    for (Map.Entry<String, List<ConsumerRecord<byte[], byte[]>>> topic : outputs.entrySet()) {
      for (ConsumerRecord<byte[], byte[]> r : topic.getValue()) {
        for (Header h : r.headers()) {
          assertFalse(h.key().startsWith(DeadLetterHeaders.PREFIX) || h.key().startsWith(DeadLetterHeaders.FROM_PRODUCER)
              || h.key().equals(KIND_HEADER), topic.getKey() + " record " + text(r.key()) + " carries header " + h.key());
        }
      }
    }
    // nor does any internal topic of the application, nor the dead-letter or late topic, under the pipeline's name
    List<String> internal;
    try (Admin admin = Admin.create(MeteringApplication.adminProps(STACK.clientProps()))) {
      internal = admin.listTopics().names().get().stream().filter(n -> n.startsWith(APPLICATION_ID + "-")).sorted().toList();
    }
    assertFalse(internal.isEmpty());
    List<String> more = new ArrayList<>(internal);
    more.add(config.topics().name(FactoryTopic.TELEMETRY_DLQ));
    more.add(config.topics().name(FactoryTopic.TELEMETRY_LATE));
    for (String topic : more) {
      for (ConsumerRecord<byte[], byte[]> r : readAll(topic)) {
        for (Header h : r.headers().headers(DeadLetterHeaders.REASON)) {
          assertFalse(FORGED.equals(text(h.value())), topic + " carries the forged reason as the pipeline's");
        }
      }
    }
  }

  @Test
  void aSampleFromTheYear2099DoesNotMakeTheLaterSamplesOfOtherNodesLate() {
    Kind k2099 = kinds.stream().filter(k -> k.name.startsWith("timestamp 2099")).findFirst().orElseThrow();
    Sent s2099 = k2099.record();
    assertEquals("FUTURE_TIMESTAMP", header(onlyDeadLetter(s2099), DeadLetterHeaders.REASON));
    List<Sent> later = sent.stream().filter(s -> s.partition() == s2099.partition() && s.offset() > s2099.offset()
        && s.outcome().type() == Outcome.Type.METERED).toList();
    long otherNodes = later.stream().map(s -> s.outcome().sample().getNodeId()).distinct().count();
    assertTrue(later.size() > 50 && otherNodes >= 5, later.size() + " later valid samples of " + otherNodes + " nodes");
    for (Sent s : later) {
      assertFalse(lateRecords.containsKey(s.partition() + ":" + s.offset()), "sent to the late topic: " + s.where());
      assertNotNull(nodeMetrics.get(nodeKey(s.outcome().sample())), "metered for metrics: " + s.where());
    }
    // the only record in the late topic is the one dated 2000-01-01
    Sent s2000 = kinds.stream().filter(k -> k.name.startsWith("valid sample of 2000")).findFirst().orElseThrow().record();
    assertEquals(Set.of(s2000.partition() + ":" + s2000.offset()), lateRecords.keySet(), "records in the late topic");
    assertEquals(0.0, counters.get("late-for-metrics"));
  }
}
