package io.factorymeter.cli;

import io.factorymeter.cli.fault.FaultRun;
import io.factorymeter.cli.fault.Workload;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The fault suite: a simulated workload with hostile input, its expected bill, metrics and ledger
 * computed independently, then the pipeline run over it on a local stack while faults are injected,
 * and the outputs compared. Exit 0 when every fault was recovered from and nothing differs.
 */
@Command(name = "fault-test", mixinStandardHelpOptions = true,
    description = {"Fault suite: run the pipeline over a simulated workload (with duplicates, late, too-late and invalid records) "
        + "while killing and restarting it, failing over between two instances, restarting the broker, cutting off the schema "
        + "registry and stalling the network; then compare the exported bill, the metric windows and the intake ledger with "
        + "the expected ones computed independently from the workload file.",
        "Starts its own stack (free ports) and pipeline processes; exit 0 when nothing differs, 1 otherwise."})
final class FaultTestCommand implements Callable<Integer> {

  @Option(names = "--short", description = "The CI form: 6 nodes, 2 h of 10 s samples, 6 faults (each kind once); a few minutes.")
  boolean shortForm;

  @Option(names = "--nodes", paramLabel = "N", description = "Nodes of the simulated fleet (default: 12, --short 6).")
  Integer nodes;

  @Option(names = "--hours", paramLabel = "H", description = "Event-time hours of the workload (default: 6, --short 2).")
  Integer hours;

  @Option(names = "--interval", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "10s",
      description = "Sample interval (default: ${DEFAULT-VALUE}).")
  Duration interval;

  @Option(names = "--seed", defaultValue = "7", description = "Seed of the workload (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--start", paramLabel = "ISO", converter = InstantConverter.class, defaultValue = "2026-11-26T00:00:00Z",
      description = "Event time of the first sample (default: ${DEFAULT-VALUE}); must lie in the past.")
  Instant start;

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "Where the workload, the stack's data, state and logs go (default: ~/.factory-meter/fault-test/<time>); kept.")
  Path workDir;

  @Option(names = "--output", paramLabel = "FILE", description = "Write the report as JSON to FILE.")
  Path output;

  @Option(names = "--recovery-timeout", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "5m",
      description = "A fault not recovered from within this time fails the run (default: ${DEFAULT-VALUE}).")
  Duration recoveryTimeout;

  @Override
  public Integer call() throws Exception {
    int n = nodes != null ? nodes : shortForm ? 6 : 12;
    int h = hours != null ? hours : shortForm ? 2 : 6;
    if (n < 3 || h < 1 || h > 48) {
      throw new UserError("--nodes must be at least 3 and --hours 1..48", 2);
    }
    if (start.plus(Duration.ofHours(h + 1)).isAfter(Instant.now())) {
      throw new UserError("--start must lie at least --hours + 1 h in the past (samples are stamped with the wall clock)", 2);
    }
    Path dir = workDir != null ? workDir : Path.of(System.getProperty("user.home"), ".factory-meter", "fault-test",
        DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now()));
    int clusters = Math.min(n, shortForm ? 2 : 4);
    Workload.Spec spec = new Workload.Spec(n, clusters, Math.min(2, clusters), 5, interval, Duration.ofHours(h), start, seed, 0);
    List<FaultRun.Step> plan = shortForm ? FaultRun.shortPlan() : FaultRun.fullPlan();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // the child processes run this program: the launcher's jar, or the classpath a test gives
    String classpath = System.getProperty("factory.meter.child.classpath", System.getProperty("java.class.path"));
    FaultRun run = new FaultRun(new FaultRun.Options(shortForm ? "short" : "full", spec, plan, dir, Path.of(java), classpath,
        recoveryTimeout, System.out));
    Map<String, Object> report = run.run();
    if (output != null) {
      FaultRun.write(report, output);
    }
    System.out.println(summary(report));
    return "PASS".equals(report.get("result")) ? 0 : 1;
  }

  @SuppressWarnings("unchecked")
  static String summary(Map<String, Object> report) {
    StringBuilder b = new StringBuilder();
    b.append(String.format("Fault suite (%s): %s faults injected, %s records in, %s lines compared, %s differences, %s s: %s%n",
        report.get("form"), report.get("faultsInjected"), report.get("recordsIn"),
        report.get("linesCompared") instanceof Map<?, ?> m ? m.get("total") : "no",
        report.get("differenceCount"), report.get("runtimeSeconds"), report.get("result")));
    List<?> exits = (List<?>) report.get("pipelineExitsRestartedBySupervisor");
    if (exits != null && !exits.isEmpty()) {
      b.append(String.format("  %d pipeline exit(s) by itself, started again by the supervisor (see the JSON report)%n", exits.size()));
    }
    List<String> differences = (List<String>) report.get("differences");
    differences.stream().limit(20).forEach(d -> b.append("  ").append(d).append('\n'));
    if (differences.size() > 20) {
      b.append("  … ").append(differences.size() - 20).append(" more in the JSON report (--output)\n");
    }
    return b.toString().stripTrailing();
  }
}
