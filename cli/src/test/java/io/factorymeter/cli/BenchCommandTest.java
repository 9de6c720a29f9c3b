package io.factorymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.cli.bench.PipelineProcess;
import io.factorymeter.contract.FactoryTopic;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bench command without running it: flags, topic names, the pipeline's command line. No broker. */
class BenchCommandTest {

  record Run(int exitCode, String out, String err) {
  }

  /** Runs the CLI in this JVM, capturing stdout and stderr. */
  static synchronized Run run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int code = FactoryMeter.execute(args);
      return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @Test
  void badFlagsAreOneLineAndExitTwoBeforeAnythingStarts() {
    Map<List<String>, String> cases = Map.of(
        List.of("--records", "0"), "--records must be at least 1, got 0",
        List.of("--nodes", "-3"), "--nodes must be at least 1, got -3",
        List.of("--partitions", "0"), "--partitions must be at least 1",
        List.of("--threads", "0"), "--threads must be at least 1",
        List.of("--instances", "1,0,2"), "--instances must be a comma list of process counts from 1 to 64",
        List.of("--instances", "two"), "Invalid value for option '--instances'",
        List.of("--offered-rate", "0"), "--offered-rate must be at least 1 sample/s",
        List.of("--interval", "0s"), "--interval must be between 1ms and 1h",
        List.of("--schema-registry-url", "http://127.0.0.1:1"), "--schema-registry-url needs --bootstrap-servers",
        List.of("--start", "2100-01-01T00:00:00Z"), "--start 2100-01-01T00:00:00Z is too late");
    cases.forEach((args, message) -> {
      List<String> all = new java.util.ArrayList<>(List.of("bench"));
      all.addAll(args);
      Run r = run(all.toArray(String[]::new));
      assertEquals(2, r.exitCode(), args + ": " + r.err());
      assertEquals(1, r.err().strip().lines().count(), args + ": " + r.err());
      assertTrue(r.err().startsWith("factory-meter: " + message), args + ": " + r.err());
      assertFalse(r.err().contains("Exception"), r.err());
      assertEquals("", r.out());
    });
  }

  @Test
  void theDefaultsAreAcceptedAsTheyStand() {
    BenchCommand bench = new BenchCommand();
    new picocli.CommandLine(bench).parseArgs();
    assertEquals(5_000_000, bench.records);
    assertEquals(2000, bench.nodes);
    assertEquals(Duration.ofSeconds(1), bench.interval);
    assertEquals(6, bench.partitions);
    assertEquals(List.of(1), bench.instances);
    assertEquals(20_000, bench.offeredRate);
    assertEquals(Duration.ofSeconds(60), bench.latencyDuration);
    assertEquals("-Xmx2g", bench.jvmOpts);
    bench.validate(java.time.Instant.parse("2026-11-30T00:00:00Z")); // no exception: 5 M samples end well before
  }

  @Test
  void everyTopicIsRenamedAndTheOutputsGetTheirPrefix() {
    Map<String, String> topics = BenchCommand.topicOverrides("b.telemetry", "b.tariffs", "b.gpu-rates", "b.x1.");
    assertEquals(FactoryTopic.values().length, topics.size());
    Map<String, Object> props = new HashMap<>(topics);
    MeteringConfig config = MeteringConfig.from(props);
    assertEquals("b.telemetry", config.topics().telemetry());
    assertEquals("b.tariffs", config.topics().name(FactoryTopic.TARIFFS));
    assertEquals("b.gpu-rates", config.topics().name(FactoryTopic.GPU_RATES));
    assertEquals("b.x1.node-metrics", config.topics().name(FactoryTopic.NODE_METRICS));
    assertEquals("b.x1.billing-hourly", config.topics().name(FactoryTopic.BILLING_HOURLY));
    assertEquals("b.x1.telemetry-dlq", config.topics().name(FactoryTopic.TELEMETRY_DLQ));
    assertEquals("factory.meter.topic.fleet-metrics", topics.keySet().stream().filter(k -> topics.get(k).endsWith("fleet-metrics"))
        .findFirst().orElseThrow());
  }

  @Test
  void aPipelineProcessRunsTheJarWithItsOwnApplicationIdStateAndConfig() {
    List<String> cmd = PipelineProcess.runCommand(Path.of("/jdk/bin/java"), List.of("-Xmx2g", "-XX:+UseG1GC"),
        Path.of("/tmp/p.jfr"), Path.of("/x/factory-meter.jar"), "127.0.0.1:9", "http://127.0.0.1:8", "app-x1",
        Path.of("/w/state-1"), 2, Path.of("/w/app-x1.properties"));
    assertEquals(List.of("/jdk/bin/java", "-Xmx2g", "-XX:+UseG1GC",
        "-XX:StartFlightRecording=name=factory-meter-bench,filename=/tmp/p.jfr,settings=profile,dumponexit=true",
        "-jar", "/x/factory-meter.jar", "run", "--bootstrap-servers", "127.0.0.1:9", "--schema-registry-url",
        "http://127.0.0.1:8", "--application-id", "app-x1", "--state-dir", "/w/state-1", "--num-stream-threads", "2",
        "--http-port", "0", "--config", "/w/app-x1.properties"), cmd);
    List<String> noJfr = PipelineProcess.runCommand(Path.of("java"), List.of(), null, Path.of("f.jar"), "b:1", "http://r",
        "a", Path.of("s"), 1, Path.of("c"));
    assertEquals("-jar", noJfr.get(1));
    // and the command line is one the run command accepts
    assertEquals(0, FactoryMeter.commandLine().parseArgs(cmd.subList(6, cmd.size()).toArray(String[]::new))
        .subcommand().errors().size());
  }
}
