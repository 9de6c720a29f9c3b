package io.factorymeter.cli;

import io.factorymeter.app.InputLag;
import io.factorymeter.app.MeteringApplication;
import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.cli.bench.BenchReport;
import io.factorymeter.cli.bench.BenchSamples;
import io.factorymeter.cli.bench.LatencyTracker;
import io.factorymeter.cli.bench.PipelineProcess;
import io.factorymeter.cli.bench.RssSampler;
import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.contract.OutputKey;
import io.factorymeter.contract.TopicProvisioner;
import io.factorymeter.kafka.TopicSnapshot;
import io.factorymeter.producers.kafka.AvroRecordSender;
import io.factorymeter.registry.serde.AvroSerdeConfig;
import io.factorymeter.registry.serde.SchemaRegistryAvroDeserializer;
import io.factorymeter.schema.NodeMetrics;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.stack.LocalStack;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code factory-meter bench}: how fast the whole pipeline is, next to how fast Kafka alone reads
 * the same records. In one run: loads N samples into a fresh input topic, measures a plain
 * consumer's rate (read + Avro decode), the pipeline's catch-up rate (separate {@code run}
 * processes, exactly_once_v2, until no lag on the input and repartition topics), the latency from
 * send to node metric at a steady offered load, peak RSS and state size. See the README,
 * "Performance".
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Measure the pipeline's throughput against a plain consumer's, its latency, memory and state size.",
        "Loads --records samples (--nodes nodes every --interval, 2 usage entries each, event time from --start) into"
            + " a fresh input topic of an in-process stack (or of --bootstrap-servers, under a unique name), publishes the"
            + " example prices, then measures: a plain consumer reading and decoding them (records/s); the pipeline"
            + " (`run` as separate processes, exactly_once_v2, --instances of them) from offset 0 until its input and"
            + " repartition topics have no lag (records/s); the latency from send to node metric at --offered-rate; peak"
            + " RSS (VmHWM) and state-store size. Not a test: takes minutes."})
final class BenchCommand implements Callable<Integer> {

  /** How long after the last sample the closing heartbeat lies: its billing hour ends and the billing grace (10 min) passes. */
  static final Duration CLOSING_HEARTBEAT_AFTER = Duration.ofMinutes(70);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(30);

  @Spec
  CommandSpec spec;

  @Mixin
  ConnectionOptions connection;

  @Option(names = "--records", paramLabel = "N", defaultValue = "5000000",
      description = "Samples to load and process (default: ${DEFAULT-VALUE}).")
  long records;

  @Option(names = "--nodes", defaultValue = "2000", description = "Nodes reporting, round robin (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--interval", defaultValue = "1s", converter = DurationConverter.class,
      description = "Sample interval of each node (default: ${DEFAULT-VALUE}, i.e. 1 Hz).")
  Duration interval;

  @Option(names = "--start", paramLabel = "ISO", defaultValue = "2026-11-26T00:00:00Z", converter = InstantConverter.class,
      description = "Event time of the first samples (default: ${DEFAULT-VALUE}); must lie far enough in the past for the"
          + " history, the closing heartbeat (+70 min) and the latency phase.")
  Instant start;

  @Option(names = "--partitions", defaultValue = "6", description = "Partitions of the input topic (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--threads", defaultValue = "1", description = "Stream threads per pipeline process (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--instances", paramLabel = "K", split = ",", defaultValue = "1",
      description = "Pipeline processes (same application id), one measurement per count, each on a fresh application id"
          + " and fresh output topics, e.g. 1,2,3 (default: ${DEFAULT-VALUE}).")
  List<Integer> instances;

  @Option(names = "--jvm-opts", paramLabel = "OPTS", defaultValue = "-Xmx2g",
      description = "JVM options of each pipeline process, space-separated (default: ${DEFAULT-VALUE}).")
  String jvmOpts;

  @Option(names = "--offered-rate", paramLabel = "R", defaultValue = "20000",
      description = "Samples per second offered during the latency phase (default: ${DEFAULT-VALUE}).")
  int offeredRate;

  @Option(names = "--latency-duration", defaultValue = "60s", converter = DurationConverter.class,
      description = "How long the load is offered; 0s skips the latency phase (default: ${DEFAULT-VALUE}).")
  Duration latencyDuration;

  @Option(names = "--latency-wait", defaultValue = "60s", converter = DurationConverter.class,
      description = "How long after the offered load ends samples may still appear in a node metric; later ones count as"
          + " missing (default: ${DEFAULT-VALUE}).")
  Duration latencyWait;

  @Option(names = "--catch-up-timeout", defaultValue = "4h", converter = DurationConverter.class,
      description = "Give up when the pipeline has not caught up after this long (default: ${DEFAULT-VALUE}).")
  Duration catchUpTimeout;

  @Option(names = "--jfr", paramLabel = "FILE",
      description = "Record a Java Flight Recorder profile (settings=profile) of the first pipeline process during its"
          + " catch-up into FILE.")
  Path jfr;

  @Option(names = "--output", paramLabel = "FILE", description = "Also write the figures and settings as JSON to FILE.")
  Path output;

  @Option(names = "--jar", paramLabel = "FILE",
      description = "The factory-meter jar the pipeline processes run (default: the jar running this command).")
  Path jar;

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "Where the pipeline processes keep state, configuration and logs (default: a new directory under"
          + " ~/.factory-meter/bench; the state directories are removed after a successful run, the logs kept).")
  Path workDir;

  @Option(names = "--keep-topics", description = "With --bootstrap-servers: keep the benchmark's topics and consumer groups"
      + " (default: deleted at the end).")
  boolean keepTopics;

  /** Everything measured so far; the pieces of the report. */
  private final List<BenchReport.PipelineRun> runs = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    validate(Instant.now());
    Path jarFile = jar != null ? jar : ownJar();
    if (!Files.isRegularFile(jarFile)) {
      throw new UserError("No factory-meter jar at " + jarFile + ": build it (./mvnw -pl cli -am package -DskipTests) or give --jar");
    }
    boolean local = connection.bootstrapServers == null;
    String runId = "bench-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now())
        + "-" + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
    Path work = workDir != null ? workDir.resolve(runId)
        : Path.of(System.getProperty("user.home"), ".factory-meter", "bench", runId);
    Files.createDirectories(work);
    String loadAtStart = loadAverage();
    Map<String, String> userConfig = userConfig();

    LocalStack[] stack = {null};
    Thread cleanup = new Thread(() -> {
      PipelineProcess.stopAll();
      if (stack[0] != null) {
        stack[0].close();
      }
    }, "bench-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    boolean ok = false;
    Map<String, Object> props;
    List<String> createdTopicPrefixes = new ArrayList<>(List.of(runId + "."));
    List<String> groups = new ArrayList<>();
    try (RssSampler rss = new RssSampler()) {
      if (local) {
        System.err.println("Starting an in-process stack (free ports, temporary data) ...");
        stack[0] = LocalStack.builder().start();
        props = new HashMap<>(userConfig);
        props.putAll(stack[0].clientProps());
      } else {
        props = connection.properties();
        Reachability.requireKafkaAndRegistry(props);
      }
      String bootstrap = props.get("bootstrap.servers").toString();
      String registry = props.get("schema.registry.url").toString();
      System.err.printf("Kafka %s, schema registry %s, run %s, work directory %s%n", bootstrap, registry, runId, work);

      // 1. load
      String input = runId + ".telemetry";
      String tariffs = runId + ".tariffs";
      String gpuRates = runId + ".gpu-rates";
      TopicSetup.ensure(props, List.of(
          new TopicProvisioner.Topic(input, FactoryTopic.TELEMETRY.configs(), Optional.of(partitions)),
          new TopicProvisioner.Topic(tariffs, FactoryTopic.TARIFFS),
          new TopicProvisioner.Topic(gpuRates, FactoryTopic.GPU_RATES)));
      PricesCommand.publish(props, DemoCommand.examplePrices(), tariffs, gpuRates);
      BenchSamples samples = new BenchSamples(nodes, start, (int) interval.toMillis());
      double produceRate;
      long heartbeatMs;
      try (AvroRecordSender<NodeSample> sender = new AvroRecordSender<>(props, input)) {
        System.err.printf(Locale.ROOT, "Loading %,d samples (%,d nodes every %s from %s) into %s (%d partitions) ...%n",
            records, nodes, DurationConverter.format(interval), OutputKey.iso(start), input, partitions);
        long t0 = System.nanoTime();
        long lastProgress = t0;
        for (long i = 0; i < records; i++) {
          NodeSample s = samples.sample(i);
          sender.send(s.getNodeId(), s);
          if (System.nanoTime() - lastProgress > PROGRESS_EVERY.toNanos()) {
            lastProgress = System.nanoTime();
            System.err.printf(Locale.ROOT, "  %,d sent, %,d acknowledged%n", i + 1, sender.acknowledged());
          }
        }
        sender.flush();
        double seconds = (System.nanoTime() - t0) / 1e9;
        produceRate = records / seconds;
        heartbeatMs = samples.timestampMs(records - 1) + CLOSING_HEARTBEAT_AFTER.toMillis();
        sender.heartbeat(heartbeatMs);
        sender.flush();
        System.err.printf(Locale.ROOT, "Loaded %,d samples in %.1f s (%,.0f records/s); heartbeat at %s to every partition%n",
            records, seconds, produceRate, OutputKey.iso(Instant.ofEpochMilli(heartbeatMs)));
      }

      // 2. raw
      double rawRate = rawRate(props, input);

      // 3. pipeline
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      List<String> jvm = jvmOpts.isBlank() ? List.of() : List.of(jvmOpts.trim().split("\\s+"));
      List<PipelineProcess> running = List.of();
      List<Path> runningStateDirs = List.of();
      MeteringConfig lastConfig = null;
      for (int c = 0; c < instances.size(); c++) {
        int k = instances.get(c);
        boolean last = c == instances.size() - 1;
        String appId = "factory-meter-" + runId + "-x" + k + (Collections.frequency(instances.subList(0, c), k) > 0 ? "-" + c : "");
        String prefix = appId.substring("factory-meter-".length()) + ".";
        groups.add(appId);
        createdTopicPrefixes.add(prefix);
        createdTopicPrefixes.add(appId + "-");
        Map<String, String> topics = topicOverrides(input, tariffs, gpuRates, prefix);
        Path config = work.resolve(appId + ".properties");
        writeConfig(config, userConfig, topics);
        Map<String, Object> withTopics = new HashMap<>(props);
        withTopics.putAll(topics);
        lastConfig = MeteringConfig.from(withTopics);
        List<PipelineProcess> procs = new ArrayList<>();
        List<Path> stateDirs = new ArrayList<>();
        System.err.printf("Pipeline x%d (%s): starting %d process(es) ...%n", k, appId, k);
        for (int i = 1; i <= k; i++) {
          Path stateDir = work.resolve(appId).resolve("state-" + i);
          stateDirs.add(stateDir);
          Path jfrFile = c == 0 && i == 1 && jfr != null ? jfr : null;
          List<String> cmd = PipelineProcess.runCommand(java, jvm, jfrFile, jarFile, bootstrap, registry, appId, stateDir,
              threads, config);
          if (c == 0 && i == 1) {
            System.err.println("  " + String.join(" ", cmd));
          }
          PipelineProcess p = PipelineProcess.start(cmd, work.resolve(appId).resolve("run-" + i + ".log"));
          rss.track(p.pid());
          procs.add(p);
        }
        BenchReport.PipelineRun run = catchUp(props, appId, input, k, procs, stateDirs, lastConfig, rss);
        runs.add(run);
        System.err.printf(Locale.ROOT, "Pipeline x%d: caught up after %.1f s = %,.0f records/s (%.1f s, %,.0f records/s from the first commit)%n",
            k, run.secondsFromStart(), run.recordsPerSec(), run.secondsFromFirstCommit(), run.recordsPerSecFromFirstCommit());
        if (c == 0 && jfr != null) {
          stopRecording(procs.get(0));
        }
        if (last) {
          running = procs;
          runningStateDirs = stateDirs;
        } else {
          stop(procs, rss);
          runs.set(runs.size() - 1, stopped(run, procs, stateDirs, rss));
        }
      }

      // 4. latency
      LatencyTracker.Summary latency = null;
      double offered = 0;
      if (!latencyDuration.isZero()) {
        LatencyTracker tracker = new LatencyTracker();
        offered = latency(props, input, lastConfig, samples, heartbeatMs, tracker, running);
        latency = tracker.summary();
      }

      // 5. the end
      stop(running, rss);
      runs.set(runs.size() - 1, stopped(runs.get(runs.size() - 1), running, runningStateDirs, rss));
      BenchReport report = new BenchReport(settings(runId, local ? "in-process stack" : bootstrap), new BenchReport.Machine(
          Runtime.getRuntime().availableProcessors(), loadAtStart, loadAverage(), System.getProperty("java.version")),
          records, produceRate, rawRate, List.copyOf(runs), latency, offered, running.size());
      System.out.print(report.text());
      if (output != null) {
        Files.writeString(output, report.jsonText(), StandardCharsets.UTF_8);
        System.err.println("Wrote " + output);
      }
      if (jfr != null) {
        System.err.println("Flight recording of the first pipeline process: " + jfr);
      }
      ok = true;
      return 0;
    } finally {
      PipelineProcess.stopAll();
      if (!local && !keepTopics) {
        deleteTopicsAndGroups(connection.properties(), createdTopicPrefixes, groups);
      }
      if (stack[0] != null) {
        stack[0].close();
      }
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException e) {
        // shutting down already
      }
      if (ok) {
        deleteStateDirs(work);
        System.err.println("Logs and configuration of the pipeline processes: " + work);
      } else {
        System.err.println("Logs and state of the pipeline processes kept in " + work);
      }
    }
  }

  /** Usage errors, before anything starts: one line, exit 2. */
  void validate(Instant now) {
    require(records >= 1, "--records must be at least 1, got " + records);
    require(nodes >= 1, "--nodes must be at least 1, got " + nodes);
    require(interval.toMillis() >= 1 && interval.compareTo(Duration.ofHours(1)) <= 0,
        "--interval must be between 1ms and 1h, got " + DurationConverter.format(interval));
    require(partitions >= 1, "--partitions must be at least 1, got " + partitions);
    require(threads >= 1, "--threads must be at least 1, got " + threads);
    require(!instances.isEmpty() && instances.stream().allMatch(k -> k != null && k >= 1 && k <= 64),
        "--instances must be a comma list of process counts from 1 to 64, got " + instances);
    require(!latencyDuration.isNegative(), "--latency-duration must not be negative");
    require(offeredRate >= 1, "--offered-rate must be at least 1 sample/s, got " + offeredRate);
    require(!latencyWait.isNegative(), "--latency-wait must not be negative");
    require(!catchUpTimeout.isNegative() && !catchUpTimeout.isZero(), "--catch-up-timeout must be positive");
    require(connection.bootstrapServers != null || connection.schemaRegistryUrl == null,
        "--schema-registry-url needs --bootstrap-servers (without both, an in-process stack is used)");
    for (Path file : new Path[] {output, jfr}) {
      if (file != null) {
        Path parent = file.toAbsolutePath().getParent();
        require(parent != null && Files.isDirectory(parent), "No directory " + parent + " for " + file);
      }
    }
    // every event time sent must be accepted: at most max.future.skew (5 min) ahead of the record's timestamp, now
    long intervals = (records + nodes - 1) / nodes + 1
        + CLOSING_HEARTBEAT_AFTER.toMillis() / interval.toMillis() + 1
        + (latencyDuration.isZero() ? 0 : (long) Math.ceil(offeredRate * (double) latencyDuration.toSeconds() / nodes) + 1);
    Instant lastEventTime = start.plus(interval.multipliedBy(intervals));
    require(!lastEventTime.isAfter(now), "--start " + OutputKey.iso(start) + " is too late: the samples, the closing heartbeat and"
        + " the latency phase would reach " + OutputKey.iso(lastEventTime) + ", after now; choose an earlier --start");
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new UserError(message, 2);
    }
  }

  /** Topic names for one pipeline: the shared input and prices, the outputs under {@code prefix}. */
  static Map<String, String> topicOverrides(String input, String tariffs, String gpuRates, String prefix) {
    Map<String, String> topics = new TreeMap<>();
    for (FactoryTopic t : FactoryTopic.values()) {
      String key = MeteringConfig.TOPIC_PREFIX + t.name().toLowerCase(Locale.ROOT).replace('_', '-');
      topics.put(key, switch (t) {
        case TELEMETRY -> input;
        case TARIFFS -> tariffs;
        case GPU_RATES -> gpuRates;
        default -> prefix + t.name().toLowerCase(Locale.ROOT).replace('_', '-');
      });
    }
    return topics;
  }

  /** The user's --config properties (empty without it). */
  private Map<String, String> userConfig() {
    Map<String, String> m = new TreeMap<>();
    if (connection.config != null) {
      Properties p = new Properties();
      try (Reader in = Files.newBufferedReader(connection.config, StandardCharsets.UTF_8)) {
        p.load(in);
      } catch (IOException e) {
        throw new UserError("Cannot read --config " + connection.config + ": " + e.getMessage());
      }
      p.forEach((k, v) -> m.put(k.toString(), v.toString().trim()));
    }
    return m;
  }

  private static void writeConfig(Path file, Map<String, String> user, Map<String, String> topics) throws IOException {
    Properties p = new Properties();
    p.putAll(user);
    p.putAll(topics);
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      p.store(out, "factory-meter bench: the pipeline's topics");
    }
  }

  /** A plain consumer reads and Avro-decodes every record of the topic from the beginning; returns records/s. */
  private double rawRate(Map<String, Object> props, String topic) {
    Map<String, Object> c = TopicSnapshot.readerProps(props);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    c.put(AvroSerdeConfig.SPECIFIC_AVRO_READER, true);
    SchemaRegistryAvroDeserializer<NodeSample> values = new SchemaRegistryAvroDeserializer<>();
    values.configure(c, false);
    System.err.println("Raw consumer: reading and decoding " + topic + " from the beginning ...");
    try (KafkaConsumer<String, NodeSample> consumer = new KafkaConsumer<>(c, new StringDeserializer(), values)) {
      List<TopicPartition> tps = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(tps);
      Map<TopicPartition, Long> ends = consumer.endOffsets(tps);
      consumer.seekToBeginning(tps);
      long t0 = System.nanoTime();
      long count = 0;
      long checksum = 0;
      while (tps.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
        for (ConsumerRecord<String, NodeSample> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value() != null) {
            count++;
            checksum += r.value().getUsage().size();
          }
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (count != records) {
        throw new UserError("The raw consumer read " + count + " samples from " + topic + ", expected " + records);
      }
      System.err.printf(Locale.ROOT, "Raw consumer: %,d samples (%,d usage entries) in %.2f s = %,.0f records/s%n", count,
          checksum, seconds, count / seconds);
      return count / seconds;
    }
  }

  /**
   * Waits until the application {@code appId} has no lag on its input and repartition topics.
   */
  private BenchReport.PipelineRun catchUp(Map<String, Object> props, String appId, String input, int k,
      List<PipelineProcess> procs, List<Path> stateDirs, MeteringConfig config, RssSampler rss) throws Exception {
    long started = procs.get(0).startedNanos();
    long firstCommit = 0;
    long deadline = started + catchUpTimeout.toNanos();
    long lastProgress = System.nanoTime();
    try (Admin admin = Admin.create(MeteringApplication.adminProps(props))) {
      while (true) {
        Thread.sleep(POLL.toMillis());
        long now = System.nanoTime();
        for (int i = 0; i < procs.size(); i++) {
          PipelineProcess p = procs.get(i);
          if (!p.alive()) {
            throw new UserError("Pipeline process " + (i + 1) + " of " + appId + " exited (code " + p.exitValue() + ") before"
                + " catching up; its log: " + p.log());
          }
        }
        if (firstCommit == 0 && committed(admin, appId).keySet().stream().anyMatch(tp -> tp.topic().equals(input))) {
          firstCommit = now;
          System.err.printf(Locale.ROOT, "  first committed offset after %.1f s%n", (now - started) / 1e9);
        }
        long lag = firstCommit == 0 ? -1 : lagOrMinusOne(props, appId, input);
        if (lag == 0 && uncommittedRepartitionRecords(admin, appId) == 0) {
          long caughtUp = System.nanoTime();
          List<Long> state = stateDirs.stream().map(BenchCommand::bytesUnder).toList();
          procs.forEach(p -> rss.sample(p.pid()));
          List<Long> peaks = procs.stream().map(p -> rss.peakMb(p.pid())).toList();
          return new BenchReport.PipelineRun(k, appId, records, (caughtUp - started) / 1e9, (caughtUp - firstCommit) / 1e9,
              peaks, state, List.of(), recordsIn(admin, config.topics().name(FactoryTopic.TELEMETRY_DLQ)),
              recordsIn(admin, config.topics().name(FactoryTopic.TELEMETRY_LATE)));
        }
        if (now > deadline) {
          throw new UserError("The pipeline (" + appId + ") had not caught up after " + DurationConverter.format(catchUpTimeout)
              + " (lag " + lag + "); see " + procs.get(0).log());
        }
        if (now - lastProgress > PROGRESS_EVERY.toNanos()) {
          lastProgress = now;
          System.err.printf(Locale.ROOT, "  %.0f s: lag %,d records (input and repartition topics), peak RSS %s MiB%n",
              (now - started) / 1e9, lag, procs.stream().map(p -> rss.peakMb(p.pid())).toList());
        }
      }
    }
  }

  private static long lagOrMinusOne(Map<String, Object> props, String appId, String input) {
    try {
      return InputLag.of(props, appId, input);
    } catch (IllegalStateException e) {
      return -1;
    }
  }

  private static Map<TopicPartition, OffsetAndMetadata> committed(Admin admin, String group)
      throws InterruptedException, ExecutionException {
    return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
  }

  /**
   * Records in the application's repartition topics on partitions the group has committed no
   * offset for yet ({@link InputLag} counts only partitions with a committed offset).
   */
  private static long uncommittedRepartitionRecords(Admin admin, String appId) throws InterruptedException, ExecutionException {
    Set<String> repartition = admin.listTopics().names().get().stream()
        .filter(n -> n.startsWith(appId + "-") && n.endsWith("-repartition")).collect(Collectors.toSet());
    if (repartition.isEmpty()) {
      return 0;
    }
    Map<TopicPartition, OffsetAndMetadata> committed = committed(admin, appId);
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    admin.describeTopics(repartition).allTopicNames().get().forEach((name, d) -> d.partitions().forEach(p -> {
      TopicPartition tp = new TopicPartition(name, p.partition());
      if (!committed.containsKey(tp)) {
        latest.put(tp, OffsetSpec.latest());
        earliest.put(tp, OffsetSpec.earliest());
      }
    }));
    return span(admin, latest, earliest);
  }

  /** Offsets in a topic (records, plus transaction markers under exactly-once; 0 when nothing was ever written). */
  private static long recordsIn(Admin admin, String topic) throws InterruptedException, ExecutionException {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().forEach(p -> {
      latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
      earliest.put(new TopicPartition(topic, p.partition()), OffsetSpec.earliest());
    });
    return span(admin, latest, earliest);
  }

  private static long span(Admin admin, Map<TopicPartition, OffsetSpec> latest, Map<TopicPartition, OffsetSpec> earliest)
      throws InterruptedException, ExecutionException {
    if (latest.isEmpty()) {
      return 0;
    }
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get();
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts = admin.listOffsets(earliest).all().get();
    long n = 0;
    for (TopicPartition tp : ends.keySet()) {
      n += Math.max(0, ends.get(tp).offset() - starts.get(tp).offset());
    }
    return n;
  }

  /**
   * Offers {@code offeredRate} samples/s for {@code latencyDuration}, event times from the closing
   * heartbeat on, and reads the node metrics (read_committed) until each sample is included or
   * {@code latencyWait} has passed after the last send. Returns the rate actually offered.
   */
  private double latency(Map<String, Object> props, String input, MeteringConfig config, BenchSamples samples,
      long heartbeatMs, LatencyTracker tracker, List<PipelineProcess> running) throws Exception {
    String nodeMetrics = config.topics().name(FactoryTopic.NODE_METRICS);
    long windowMs = config.window().toMillis();
    Map<String, Object> c = TopicSnapshot.readerProps(props);
    c.put(AvroSerdeConfig.SPECIFIC_AVRO_READER, true);
    SchemaRegistryAvroDeserializer<NodeMetrics> values = new SchemaRegistryAvroDeserializer<>();
    values.configure(c, false);
    AtomicBoolean stop = new AtomicBoolean();
    Exception[] readerFailure = {null};
    try (KafkaConsumer<String, NodeMetrics> consumer = new KafkaConsumer<>(c, new StringDeserializer(), values)) {
      List<TopicPartition> tps = consumer.partitionsFor(nodeMetrics).stream()
          .map(p -> new TopicPartition(nodeMetrics, p.partition())).toList();
      consumer.assign(tps);
      consumer.seekToEnd(tps);
      tps.forEach(consumer::position);
      Thread reader = new Thread(() -> {
        try {
          while (!stop.get()) {
            var polled = consumer.poll(Duration.ofMillis(50));
            long now = System.nanoTime();
            for (ConsumerRecord<String, NodeMetrics> r : polled) {
              if (r.key() != null && r.value() != null) {
                tracker.seen(r.key(), r.value().getSamples(), now);
              }
            }
          }
        } catch (Exception e) {
          readerFailure[0] = e;
        }
      }, "bench-latency-reader");
      reader.start();
      long first = samples.firstIndexAtOrAfter(heartbeatMs);
      System.err.printf(Locale.ROOT, "Latency: offering %,d samples/s for %s (event time from %s, record time now) to %d"
              + " pipeline process(es) ...%n", offeredRate, DurationConverter.format(latencyDuration),
          OutputKey.iso(Instant.ofEpochMilli(samples.timestampMs(first))), running.size());
      double offered;
      long sendEnd;
      try (AvroRecordSender<NodeSample> sender = new AvroRecordSender<>(props, input)) {
        long t0 = System.nanoTime();
        long duration = latencyDuration.toNanos();
        long sent = 0;
        long lastProgress = t0;
        while (true) {
          long elapsed = System.nanoTime() - t0;
          if (elapsed >= duration) {
            break;
          }
          long target = (long) (elapsed / 1e9 * offeredRate);
          while (sent < target) {
            NodeSample s = samples.sample(first + sent);
            long windowStart = Math.floorDiv(s.getTimestamp().toEpochMilli(), windowMs) * windowMs;
            tracker.sent(OutputKey.window(s.getNodeId(), Instant.ofEpochMilli(windowStart)), System.nanoTime());
            sender.send(s.getNodeId(), s);
            sent++;
          }
          if (System.nanoTime() - lastProgress > Duration.ofSeconds(10).toNanos()) {
            lastProgress = System.nanoTime();
            System.err.printf(Locale.ROOT, "  %,d sent, %,d in a node metric%n", sent, tracker.measuredCount());
          }
          LockSupport.parkNanos(1_000_000);
        }
        sendEnd = System.nanoTime();
        offered = sent / ((sendEnd - t0) / 1e9);
        sender.flush();
      }
      long waitUntil = sendEnd + latencyWait.toNanos();
      while (tracker.measuredCount() < tracker.sentCount() && System.nanoTime() < waitUntil && readerFailure[0] == null) {
        if (running.stream().anyMatch(p -> !p.alive())) {
          throw new UserError("A pipeline process exited during the latency phase; its log: "
              + running.stream().filter(p -> !p.alive()).findFirst().orElseThrow().log());
        }
        Thread.sleep(200);
      }
      stop.set(true);
      reader.join(10_000);
      if (readerFailure[0] != null) {
        throw new IllegalStateException("Reading " + nodeMetrics + " failed: " + readerFailure[0].getMessage(), readerFailure[0]);
      }
      System.err.printf(Locale.ROOT, "Latency: %,d sent at %,.0f samples/s, %,d in a node metric%n", tracker.sentCount(), offered,
          tracker.measuredCount());
      return offered;
    }
  }

  /** Ends the Flight Recorder recording of {@code p} ({@code jcmd <pid> JFR.stop}), which writes its file. */
  private void stopRecording(PipelineProcess p) {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    try {
      Process j = new ProcessBuilder(jcmd.toString(), Long.toString(p.pid()), "JFR.stop", "name=" + PipelineProcess.JFR_RECORDING)
          .redirectErrorStream(true).start();
      String out = new String(j.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (j.waitFor(60, TimeUnit.SECONDS) && j.exitValue() == 0) {
        System.err.println("  Flight recording stopped at catch-up: " + jfr);
      } else {
        System.err.println("  Could not stop the flight recording with jcmd (" + out.replace('\n', ' ')
            + "); it is written when the process exits");
      }
    } catch (IOException e) {
      System.err.println("  No jcmd (" + e.getMessage() + "): the flight recording is written when the process exits");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void stop(Collection<PipelineProcess> procs, RssSampler rss) {
    procs.forEach(p -> rss.sample(p.pid()));
    for (PipelineProcess p : procs) {
      if (!p.stop(PipelineProcess.STOP_GRACE)) {
        System.err.println("  pipeline process " + p.pid() + " did not stop within " + PipelineProcess.STOP_GRACE.toSeconds()
            + " s and was killed");
      }
    }
  }

  /** The run with the peak RSS of its processes and the size of their state after they stopped. */
  private static BenchReport.PipelineRun stopped(BenchReport.PipelineRun r, List<PipelineProcess> procs, List<Path> stateDirs,
      RssSampler rss) {
    return new BenchReport.PipelineRun(r.instances(), r.applicationId(), r.records(), r.secondsFromStart(),
        r.secondsFromFirstCommit(), procs.stream().map(p -> rss.peakMb(p.pid())).toList(), r.stateBytesAtCatchUp(),
        stateDirs.stream().map(BenchCommand::bytesUnder).toList(), r.deadLetters(), r.late());
  }

  private Map<String, Object> settings(String runId, String cluster) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("commandLine", spec == null ? null : String.join(" ", spec.commandLine().getParseResult().originalArgs()));
    s.put("runId", runId);
    s.put("cluster", cluster);
    s.put("records", records);
    s.put("nodes", nodes);
    s.put("intervalMs", interval.toMillis());
    s.put("usageEntriesPerSample", 2);
    s.put("start", OutputKey.iso(start));
    s.put("partitions", partitions);
    s.put("threads", threads);
    s.put("instances", instances);
    s.put("jvmOpts", jvmOpts);
    s.put("processingGuarantee", "exactly_once_v2");
    s.put("offeredRate", offeredRate);
    s.put("latencyDurationSeconds", latencyDuration.toMillis() / 1000.0);
    s.put("latencyWaitSeconds", latencyWait.toMillis() / 1000.0);
    s.put("jfr", jfr == null ? null : jfr.toString());
    return s;
  }

  /** The 1, 5 and 15 min load averages, as {@code uptime} prints them; "n/a" where /proc/loadavg is missing. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + ", " + f[1] + ", " + f[2];
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }

  /** Bytes in regular files under {@code dir}; files vanishing meanwhile are skipped. */
  static long bytesUnder(Path dir) {
    long[] total = {0};
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          if (attrs.isRegularFile()) {
            total[0] += attrs.size();
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException | UncheckedIOException e) {
      // counted what could be read
    }
    return total[0];
  }

  /** Removes the pipelines' state directories ({@code <work>/<application id>/state-<i>}), keeping their logs. */
  private static void deleteStateDirs(Path work) {
    try (var apps = Files.list(work)) {
      for (Path app : apps.filter(Files::isDirectory).toList()) {
        try (var dirs = Files.list(app)) {
          dirs.filter(d -> d.getFileName().toString().startsWith("state-")).forEach(BenchCommand::deleteRecursively);
        }
      }
    } catch (IOException e) {
      System.err.println("Could not remove the state directories under " + work + ": " + e.getMessage());
    }
  }

  private static void deleteRecursively(Path dir) {
    try {
      org.apache.kafka.common.utils.Utils.delete(dir.toFile());
    } catch (IOException e) {
      System.err.println("Could not remove " + dir + ": " + e.getMessage());
    }
  }

  private static void deleteTopicsAndGroups(Map<String, Object> props, List<String> prefixes, List<String> groups) {
    try (Admin admin = Admin.create(MeteringApplication.adminProps(props))) {
      if (!groups.isEmpty()) {
        admin.deleteConsumerGroups(groups).all().get(30, TimeUnit.SECONDS);
      }
      List<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
          .filter(n -> prefixes.stream().anyMatch(n::startsWith)).toList();
      admin.deleteTopics(topics).all().get(60, TimeUnit.SECONDS);
      System.err.println("Deleted the benchmark's " + topics.size() + " topics and " + groups.size() + " consumer group(s)");
    } catch (Exception e) {
      System.err.println("Could not delete the benchmark's topics or groups: " + FactoryMeter.describe(e));
    }
  }

  /** The jar this class was loaded from, else cli/target/factory-meter.jar. */
  static Path ownJar() {
    try {
      Path p = Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (Files.isRegularFile(p) && p.toString().endsWith(".jar")) {
        return p;
      }
    } catch (Exception e) {
      // fall through
    }
    return Path.of("cli", "target", "factory-meter.jar");
  }
}
