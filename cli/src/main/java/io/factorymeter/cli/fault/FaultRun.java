package io.factorymeter.cli.fault;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.factorymeter.app.CompactedTopic;
import io.factorymeter.app.InputLag;
import io.factorymeter.app.MeteringApplication;
import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.cli.FactoryMeter;
import io.factorymeter.cli.bench.PipelineProcess;
import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.producers.kafka.AvroRecordSender;
import io.factorymeter.producers.prices.PriceLoader;
import io.factorymeter.schema.ClusterMetrics;
import io.factorymeter.schema.FleetMetrics;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.LedgerHour;
import io.factorymeter.schema.NodeMetrics;
import io.factorymeter.schema.Tariff;
import io.factorymeter.stack.EmbeddedKafka;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;

/**
 * One run of the fault suite: a stack process ({@code factory-meter stack --data-dir}) behind two
 * TCP proxies (broker and schema registry), pipeline processes ({@code factory-meter run}), the
 * workload sent part by part with a fault injected during each part, then the exported bill, the
 * metric windows and the intake ledger compared with {@link GroundTruth}.
 *
 * <p>Recovery time of a fault: from the moment the fault ended (the killed process started again,
 * the port open again; for a fail-over, the moment the instance was killed) until the pipeline's
 * consumer group has committed every input record sent before that moment (the sender's records
 * acknowledged, then the group's committed offsets at the input end offsets).
 */
public final class FaultRun {

  /** Kinds of fault. */
  public enum Kind {
    /** The (single) pipeline process is killed with SIGKILL and started again. */
    APP_SIGKILL,
    /** A second instance joins; the first is killed with SIGKILL while the second takes over; then it comes back. */
    INSTANCE_FAILOVER,
    /** The stack process (broker + registry) is stopped with SIGTERM and started again on its data directory. */
    BROKER_RESTART,
    /** The stack process is killed with SIGKILL and started again on its data directory. */
    BROKER_SIGKILL,
    /** The schema registry's port refuses connections for a while; the pipeline is restarted meanwhile (empty schema cache). */
    REGISTRY_OUTAGE,
    /** The broker's port forwards no byte for a while (connections open, nothing passes). */
    NETWORK_STALL
  }

  /** A fault of the plan; {@code hold} is how long an outage or stall lasts. */
  public record Step(Kind kind, Duration hold) {
  }

  /** The faults of the short form (CI): each kind once. */
  public static List<Step> shortPlan() {
    return List.of(new Step(Kind.APP_SIGKILL, Duration.ZERO), new Step(Kind.NETWORK_STALL, Duration.ofSeconds(8)),
        new Step(Kind.BROKER_RESTART, Duration.ZERO), new Step(Kind.REGISTRY_OUTAGE, Duration.ofSeconds(12)),
        new Step(Kind.INSTANCE_FAILOVER, Duration.ZERO), new Step(Kind.BROKER_SIGKILL, Duration.ZERO));
  }

  /** The faults of the full form: twelve. */
  public static List<Step> fullPlan() {
    return List.of(new Step(Kind.APP_SIGKILL, Duration.ZERO), new Step(Kind.NETWORK_STALL, Duration.ofSeconds(10)),
        new Step(Kind.BROKER_RESTART, Duration.ZERO), new Step(Kind.REGISTRY_OUTAGE, Duration.ofSeconds(20)),
        new Step(Kind.INSTANCE_FAILOVER, Duration.ZERO), new Step(Kind.APP_SIGKILL, Duration.ZERO),
        new Step(Kind.BROKER_SIGKILL, Duration.ZERO), new Step(Kind.NETWORK_STALL, Duration.ofSeconds(25)),
        new Step(Kind.REGISTRY_OUTAGE, Duration.ofSeconds(15)), new Step(Kind.INSTANCE_FAILOVER, Duration.ZERO),
        new Step(Kind.BROKER_RESTART, Duration.ZERO), new Step(Kind.APP_SIGKILL, Duration.ZERO));
  }

  /** What a run needs. */
  public record Options(String form, Workload.Spec workload, List<Step> plan, Path workDir, Path java, String classpath,
      Duration recoveryTimeout, PrintStream out) {
  }

  /** One injected fault as reported. */
  public record FaultResult(int number, Kind kind, String detail, Instant at, long durationMs, Long recoveryMs,
      boolean recovered) {
  }

  static final String APPLICATION_ID = "fault-test";

  private final Options o;
  private final Path work;
  private final List<FaultResult> faults = new ArrayList<>();
  private final Map<String, PipelineProcess> apps = new LinkedHashMap<>();
  private final Map<String, Integer> appStarts = new HashMap<>();
  private PipelineProcess stack;
  private int stackStarts;
  private int kafkaPort;
  private int registryPort;
  private FaultProxy kafkaProxy;
  private FaultProxy registryProxy;
  private Map<String, Object> props;
  private Admin admin;
  private String topic;
  private int partitions;
  private WorkloadSender sender;
  private volatile boolean supervisorStop;
  private final List<Map<String, Object>> unexpectedExits = new java.util.concurrent.CopyOnWriteArrayList<>();

  public FaultRun(Options options) {
    this.o = options;
    this.work = options.workDir().toAbsolutePath();
  }

  private void say(String line) {
    o.out().println(line);
    o.out().flush();
  }

  /** Runs the suite and returns its report (a JSON-ready map); "result" is PASS or FAIL. */
  public Map<String, Object> run() throws Exception {
    long started = System.nanoTime();
    Instant startedAt = Instant.now();
    Files.createDirectories(work);
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("command", "fault-test");
    report.put("form", o.form());
    report.put("startedAt", startedAt.toString());
    report.put("workDir", work.toString());
    List<String> differences = new ArrayList<>();
    try {
      kafkaPort = EmbeddedKafka.freePort();
      registryPort = EmbeddedKafka.freePort();
      kafkaProxy = FaultProxy.start("kafka", EmbeddedKafka.freePort(), kafkaPort);
      registryProxy = FaultProxy.start("registry", EmbeddedKafka.freePort(), registryPort);
      props = new HashMap<>();
      props.put("bootstrap.servers", "127.0.0.1:" + kafkaProxy.port());
      props.put("schema.registry.url", "http://127.0.0.1:" + registryProxy.port());
      startStack();
      say("Stack             broker 127.0.0.1:" + kafkaPort + " via proxy :" + kafkaProxy.port() + ", registry :" + registryPort
          + " via proxy :" + registryProxy.port() + ", data " + work.resolve("stack"));
      admin = Admin.create(adminProps());
      MeteringConfig config = MeteringApplication.provisionTopics(props, MeteringConfig.from(Map.of()));
      topic = config.topics().telemetry();
      partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();

      Workload.Spec spec = withPartitions(o.workload(), partitions);
      Path prices = work.resolve("prices.jsonl");
      Path workloadFile = work.resolve("workload.jsonl");
      Workload.writePrices(prices, spec);
      Workload.Summary summary = Workload.write(workloadFile, spec);
      GroundTruth.Expected expected = GroundTruth.compute(workloadFile, prices, GroundTruth.Settings.defaults(partitions));
      report.put("workload", workloadReport(spec, summary, workloadFile, expected));
      say(String.format("Workload          %s: %d nodes, %s of %s samples from %s, %d records in (%d metered, %d duplicates, "
              + "%d late for metrics, %d too late, %d dead letters) + %d heartbeats, %d partitions",
          workloadFile, spec.nodes(), spec.length(), spec.interval(), spec.start(), expected.recordsIn, expected.metered,
          expected.duplicates, expected.lateForMetrics, expected.tooLate, expected.deadLetterTotal(), expected.heartbeats, partitions));

      try (AvroRecordSender<Tariff> t = new AvroRecordSender<>(props, config.topics().name(FactoryTopic.TARIFFS));
           AvroRecordSender<GpuRate> g = new AvroRecordSender<>(props, config.topics().name(FactoryTopic.GPU_RATES))) {
        new PriceLoader(t, g).publish(PriceLoader.read(prices));
        t.flush();
        g.flush();
      }
      sender = new WorkloadSender(props, topic, workloadFile);
      writeAppConfig();
      startApp("A");
      Thread supervisor = new Thread(this::supervise, "fault-test-supervisor");
      supervisor.setDaemon(true);
      supervisor.start();

      int parts = o.plan().size() + 1;
      int size = sender.size();
      for (int i = 0; i < o.plan().size(); i++) {
        int from = size * i / parts;
        int to = size * (i + 1) / parts;
        int middle = from + (to - from) / 2;
        long before = committedTotal();
        sender.send(from, middle);   // the first half before the fault, the second half once it is over
        awaitProgress(before, (middle - from) / 2, Duration.ofSeconds(8));
        FaultResult r = inject(i + 1, o.plan().get(i), middle, to);
        faults.add(r);
        say(String.format("Fault %2d/%d  %-17s %s; recovered in %s", r.number(), o.plan().size(), r.kind(), r.detail(),
            r.recovered() ? String.format("%.1f s", r.recoveryMs() / 1000.0) : "NOT RECOVERED"));
      }
      sender.send(size * o.plan().size() / parts, size);
      sender.flush();
      if (!InputLag.awaitCaughtUp(props, APPLICATION_ID, topic, o.recoveryTimeout().multipliedBy(2))) {
        throw new IllegalStateException("the pipeline did not process the whole workload within " + o.recoveryTimeout().multipliedBy(2));
      }
      say("Pipeline          caught up with the whole workload; comparing");
      compare(config, spec, summary, expected, report, differences);
    } catch (Exception e) {
      report.put("error", e.toString());
      differences.add("run failed: " + e);
      say("Run failed: " + e);
    } finally {
      shutdown();
    }
    report.put("faultsInjected", faults.size());
    report.put("faults", faults.stream().map(f -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("number", f.number());
      m.put("kind", f.kind().name());
      m.put("detail", f.detail());
      m.put("at", f.at().toString());
      m.put("durationMs", f.durationMs());
      m.put("recoveryMs", f.recoveryMs());
      m.put("recovered", f.recovered());
      return m;
    }).toList());
    boolean allRecovered = faults.size() == o.plan().size() && faults.stream().allMatch(FaultResult::recovered);
    report.put("allRecovered", allRecovered);
    report.put("pipelineExitsRestartedBySupervisor", unexpectedExits);
    report.put("differenceCount", differences.size());
    report.put("differences", differences.size() > 1000 ? differences.subList(0, 1000) : differences);
    report.put("runtimeSeconds", Math.round((System.nanoTime() - started) / 1e8) / 10.0);
    report.put("result", differences.isEmpty() && allRecovered ? "PASS" : "FAIL");
    return report;
  }

  private static Workload.Spec withPartitions(Workload.Spec s, int partitions) {
    return new Workload.Spec(s.nodes(), s.clusters(), s.sites(), s.tenants(), s.interval(), s.length(), s.start(), s.seed(), partitions);
  }

  private Map<String, Object> workloadReport(Workload.Spec spec, Workload.Summary summary, Path file, GroundTruth.Expected e) {
    Map<String, Object> w = new LinkedHashMap<>();
    w.put("file", file.toString());
    w.put("nodes", spec.nodes());
    w.put("clusters", spec.clusters());
    w.put("sites", spec.sites());
    w.put("tenants", spec.tenants());
    w.put("interval", spec.interval().toString());
    w.put("length", spec.length().toString());
    w.put("start", spec.start().toString());
    w.put("closingHeartbeat", summary.end().toString());
    w.put("seed", spec.seed());
    w.put("partitions", spec.partitions());
    w.put("recordsIn", e.recordsIn);
    w.put("heartbeats", e.heartbeats);
    w.put("metered", e.metered);
    w.put("duplicates", e.duplicates);
    w.put("lateForMetrics", e.lateForMetrics);
    w.put("tooLate", e.tooLate);
    w.put("deadLetters", e.deadLetters);
    return w;
  }

  // ---- comparison

  private void compare(MeteringConfig config, Workload.Spec spec, Workload.Summary summary, GroundTruth.Expected expected,
      Map<String, Object> report, List<String> differences) throws Exception {
    Path export = work.resolve("bill.jsonl");
    Instant from = spec.start().minus(Duration.ofDays(7));
    Instant to = summary.end().plus(Duration.ofDays(1));
    int exit = FactoryMeter.execute("billing", "export", "--from", from.toString(), "--to", to.toString(), "--format", "json",
        "--output", export.toString(), "--bootstrap-servers", (String) props.get("bootstrap.servers"),
        "--schema-registry-url", (String) props.get("schema.registry.url"));
    if (exit != 0) {
      throw new IllegalStateException("billing export exited with " + exit);
    }
    Map<String, Integer> revisions = new HashMap<>();
    Map<String, Object> compared = new LinkedHashMap<>();
    TreeMap<String, Map<String, Object>> bill = Outputs.bill(export, revisions);
    compared.put("billLines", Comparison.compare("bill", expected.rows.get("bill"), bill, differences));
    compared.put("nodeWindows", Comparison.compare("node", expected.rows.get("node"),
        Outputs.windows(CompactedTopic.latest(props, config.topics().name(FactoryTopic.NODE_METRICS), NodeMetrics.class)), differences));
    compared.put("clusterWindows", Comparison.compare("cluster", expected.rows.get("cluster"),
        Outputs.windows(CompactedTopic.latest(props, config.topics().name(FactoryTopic.CLUSTER_METRICS), ClusterMetrics.class)), differences));
    compared.put("fleetWindows", Comparison.compare("fleet", expected.rows.get("fleet"),
        Outputs.windows(CompactedTopic.latest(props, config.topics().name(FactoryTopic.FLEET_METRICS), FleetMetrics.class)), differences));
    TreeMap<String, Map<String, Object>> ledger;
    try {
      ledger = Outputs.ledger(CompactedTopic.latest(props, config.topics().name(FactoryTopic.LEDGER_HOURLY), LedgerHour.class));
    } catch (IllegalArgumentException e) {   // no such topic
      ledger = new TreeMap<>();
    }
    compared.put("ledgerHours", Comparison.compare("ledger", expected.rows.get("ledger"), ledger, differences));
    Map<String, Long> deadLetters = Outputs.countByReason(props, config.topics().name(FactoryTopic.TELEMETRY_DLQ));
    if (!deadLetters.equals(expected.deadLetters)) {
      differences.add("dead-letter topic: expected " + expected.deadLetters + " by reason, got " + deadLetters);
    }
    long late = Outputs.countByReason(props, config.topics().name(FactoryTopic.TELEMETRY_LATE)).values().stream()
        .mapToLong(Long::longValue).sum();
    if (late != expected.tooLate) {
      differences.add("late topic: expected " + expected.tooLate + " records, got " + late);
    }
    compared.put("deadLetterRecords", deadLetters.values().stream().mapToLong(Long::longValue).sum());
    compared.put("lateRecords", late);
    int lines = (Integer) compared.get("billLines") + (Integer) compared.get("nodeWindows") + (Integer) compared.get("clusterWindows")
        + (Integer) compared.get("fleetWindows") + (Integer) compared.get("ledgerHours");
    compared.put("total", lines);
    report.put("recordsIn", expected.recordsIn);
    report.put("linesCompared", compared);
    report.put("billLinesRestated", revisions.values().stream().filter(r -> r > 1).count());
    say(String.format("Compared          %d bill lines (%d restated), %d node, %d cluster, %d fleet windows, %d ledger hours, "
            + "%d dead letters, %d late records: %d differences",
        compared.get("billLines"), report.get("billLinesRestated"), compared.get("nodeWindows"), compared.get("clusterWindows"),
        compared.get("fleetWindows"), compared.get("ledgerHours"), compared.get("deadLetterRecords"), late, differences.size()));
  }

  // ---- faults

  private FaultResult inject(int number, Step step, int afterFrom, int afterTo) throws Exception {
    Instant at = Instant.now();
    long t0 = System.nanoTime();
    String detail;
    long endNanos;
    switch (step.kind()) {
      case APP_SIGKILL -> {
        long pid = killApp("A");
        startApp("A");
        endNanos = System.nanoTime();
        detail = "SIGKILL pid " + pid + ", started again";
      }
      case INSTANCE_FAILOVER -> {
        startApp("B");
        awaitMembers(2, Duration.ofSeconds(90));
        at = Instant.now();
        t0 = System.nanoTime();
        long pid = killApp("A");
        endNanos = System.nanoTime();
        detail = "2 instances; SIGKILL instance A (pid " + pid + ") while B took over";
      }
      case BROKER_RESTART, BROKER_SIGKILL -> {
        long pid = stack.pid();
        if (step.kind() == Kind.BROKER_RESTART) {
          stack.stop(Duration.ofSeconds(60));
        } else {
          stack.kill();
        }
        long down = System.nanoTime();
        endNanos = down;
        startStack();
        detail = (step.kind() == Kind.BROKER_RESTART ? "SIGTERM" : "SIGKILL") + " stack pid " + pid + " (broker + registry), "
            + "started again on its data directory, ready in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - down) + " ms";
      }
      case REGISTRY_OUTAGE -> {
        registryProxy.refuse();
        Thread.sleep(1000);
        killApp("A");
        startApp("A");   // a new process: no schema cached, it must wait for the registry
        Thread.sleep(Math.max(0, step.hold().toMillis() - 1000));
        registryProxy.restore();
        endNanos = System.nanoTime();
        detail = "registry port refused connections for " + step.hold().toSeconds() + " s; the pipeline was restarted 1 s into it";
      }
      case NETWORK_STALL -> {
        kafkaProxy.stall();
        Thread.sleep(step.hold().toMillis());
        kafkaProxy.restore();
        endNanos = System.nanoTime();
        detail = "broker port forwarded no byte for " + step.hold().toSeconds() + " s";
      }
      default -> throw new IllegalStateException();
    }
    long durationMs = TimeUnit.NANOSECONDS.toMillis(endNanos - t0);
    sender.send(afterFrom, afterTo);
    Long recoveryMs = recover(endNanos);
    if (step.kind() == Kind.INSTANCE_FAILOVER) {
      startApp("A");   // back to one instance: A returns, B leaves cleanly
      awaitMembers(2, Duration.ofSeconds(90));
      stopApp("B");
    }
    return new FaultResult(number, step.kind(), detail, at, durationMs, recoveryMs, recoveryMs != null);
  }

  /** Time from {@code endNanos} until the group has committed all input sent so far; null after the timeout. */
  private Long recover(long endNanos) throws InterruptedException {
    long deadline = endNanos + o.recoveryTimeout().toNanos();
    sender.flush();
    Map<TopicPartition, Long> ends = null;
    while (ends == null && System.nanoTime() < deadline) {
      ends = endOffsets();
      if (ends == null) {
        Thread.sleep(200);
      }
    }
    while (ends != null && System.nanoTime() < deadline) {
      Map<TopicPartition, Long> committed = committed();
      if (committed != null && ends.entrySet().stream().allMatch(e -> committed.getOrDefault(e.getKey(), 0L) >= e.getValue())) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - endNanos);
      }
      Thread.sleep(100);
    }
    return null;
  }

  private void awaitProgress(long before, long records, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline && committedTotal() < before + records) {
      Thread.sleep(100);
    }
  }

  private void awaitMembers(int n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(APPLICATION_ID)).all().get(10, TimeUnit.SECONDS)
            .get(APPLICATION_ID);
        if (d.members().size() == n && d.groupState() == GroupState.STABLE) {
          return;
        }
      } catch (Exception e) {
        // the broker may be busy: ask again
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("the consumer group did not reach " + n + " members within " + timeout);
  }

  private long committedTotal() {
    Map<TopicPartition, Long> c = committed();
    return c == null ? 0 : c.values().stream().mapToLong(Long::longValue).sum();
  }

  private Map<TopicPartition, Long> committed() {
    try {
      Map<TopicPartition, OffsetAndMetadata> m = admin.listConsumerGroupOffsets(APPLICATION_ID).partitionsToOffsetAndMetadata()
          .get(10, TimeUnit.SECONDS);
      Map<TopicPartition, Long> out = new HashMap<>();
      m.forEach((tp, off) -> {
        if (tp.topic().equals(topic) && off != null) {
          out.put(tp, off.offset());
        }
      });
      return out;
    } catch (Exception e) {
      return null;
    }
  }

  private Map<TopicPartition, Long> endOffsets() {
    try {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      Map<TopicPartition, Long> out = new HashMap<>();
      admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp, info.offset()));
      return out;
    } catch (Exception e) {
      return null;
    }
  }

  // ---- processes

  private Map<String, Object> adminProps() {
    Map<String, Object> p = new HashMap<>();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, props.get("bootstrap.servers"));
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
    return p;
  }

  private List<String> java(String heap, String... args) {
    List<String> cmd = new ArrayList<>(List.of(o.java().toString(), heap, "-XX:+UseSerialGC", "-cp", o.classpath(),
        FactoryMeter.class.getName()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  private void startStack() throws IOException, InterruptedException {
    Path log = work.resolve("stack.log");
    long readyBefore = count(log, "Ready.");
    stack = PipelineProcess.start(java("-Xmx768m", "stack", "--kafka-port", Integer.toString(kafkaPort),
        "--registry-port", Integer.toString(registryPort), "--data-dir", work.resolve("stack").toString(),
        "--advertised-kafka-port", Integer.toString(kafkaProxy.port())), log);
    stackStarts++;
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (count(log, "Ready.") <= readyBefore) {
      if (!stack.alive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("the stack did not start (start " + stackStarts + "): " + stack.logTail(15));
      }
      Thread.sleep(100);
    }
  }

  private static long count(Path log, String line) throws IOException {
    if (!Files.exists(log)) {
      return 0;
    }
    return Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> l.startsWith(line)).count();
  }

  private void writeAppConfig() throws IOException {
    Properties p = new Properties();
    p.setProperty("session.timeout.ms", "6000");      // a killed instance's partitions move on after 6 s (default 45 s)
    p.setProperty("heartbeat.interval.ms", "1000");
    try (var out = Files.newBufferedWriter(work.resolve("app.properties"), StandardCharsets.UTF_8)) {
      p.store(out, "fault-test pipeline settings");
    }
  }

  /** SIGKILLs an instance (no longer supervised); returns its pid. */
  private long killApp(String name) {
    PipelineProcess p;
    synchronized (apps) {
      p = apps.remove(name);
    }
    p.kill();
    return p.pid();
  }

  /** Stops an instance with SIGTERM (it leaves the group cleanly). */
  private void stopApp(String name) {
    PipelineProcess p;
    synchronized (apps) {
      p = apps.remove(name);
    }
    p.stop(PipelineProcess.STOP_GRACE);
  }

  /**
   * What a process supervisor (systemd, Kubernetes) does: an instance that exited by itself is
   * started again after a second, and the exit is reported.
   */
  private void supervise() {
    while (!supervisorStop) {
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        return;
      }
      synchronized (apps) {
        for (Map.Entry<String, PipelineProcess> e : new ArrayList<>(apps.entrySet())) {
          PipelineProcess p = e.getValue();
          if (!p.alive() && !supervisorStop) {
            String why = p.logTail(1).trim();
            unexpectedExits.add(Map.of("instance", e.getKey(), "pid", p.pid(), "exitCode", p.exitValue(), "at",
                Instant.now().toString(), "lastLine", why));
            say("Pipeline " + e.getKey() + "        exited by itself (code " + p.exitValue() + ": " + why + "); the supervisor starts it again");
            try {
              Thread.sleep(1000);
            } catch (InterruptedException ex) {
              return;
            }
            startApp(e.getKey());
          }
        }
      }
    }
  }

  private void startApp(String name) {
    int n = appStarts.merge(name, 1, Integer::sum);
    PipelineProcess p = PipelineProcess.start(java("-Xmx512m", "run",
        "--bootstrap-servers", (String) props.get("bootstrap.servers"),
        "--schema-registry-url", (String) props.get("schema.registry.url"),
        "--config", work.resolve("app.properties").toString(),
        "--application-id", APPLICATION_ID, "--state-dir", work.resolve("state-" + name).toString(),
        "--num-stream-threads", "1", "--http-port", "0", "--status-interval", "10s"), work.resolve("app-" + name + ".log"));
    synchronized (apps) {
      apps.put(name, p);
    }
    say(String.format("Pipeline %s        started (pid %d, start %d)", name, p.pid(), n));
  }

  private void shutdown() {
    supervisorStop = true;
    if (sender != null) {
      try {
        sender.close();
      } catch (RuntimeException e) {
        // the report says what failed
      }
    }
    List<PipelineProcess> left;
    synchronized (apps) {
      left = new ArrayList<>(apps.values());
      apps.clear();
    }
    left.forEach(app -> app.stop(PipelineProcess.STOP_GRACE));
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
    }
    if (stack != null) {
      stack.stop(Duration.ofSeconds(60));
    }
    if (kafkaProxy != null) {
      kafkaProxy.close();
    }
    if (registryProxy != null) {
      registryProxy.close();
    }
  }

  /** Writes the report as JSON. */
  public static void write(Map<String, Object> report, Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), report);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the report to " + file + ": " + e.getMessage(), e);
    }
  }
}
