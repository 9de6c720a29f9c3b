package io.factorymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factorymeter.cli.fault.FaultRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The fault suite's short form, as CI runs it: {@code factory-meter fault-test --short} end to end
 * (its own stack and pipeline processes, every kind of fault), then the report: nothing differs,
 * every fault was injected and recovered from, and the counts agree with the workload file read
 * here line by line.
 */
class FaultTestCommandTest {

  @Test
  void theShortFormInjectsEveryKindOfFaultAndFindsNoDifference() throws Exception {
    Path dir = Path.of("target", "fault-test").toAbsolutePath();
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    Path report = dir.resolve("report.json");
    // the child processes (stack, pipelines) run on the test's classpath
    System.setProperty("factory.meter.child.classpath",
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    long started = System.nanoTime();
    int exit = FactoryMeter.execute("fault-test", "--short", "--work-dir", dir.resolve("work").toString(), "--output", report.toString());
    long seconds = (System.nanoTime() - started) / 1_000_000_000L;

    JsonNode r = new ObjectMapper().readTree(report.toFile());
    assertEquals(0, r.get("differenceCount").asInt(), r.get("differences").toString());
    assertEquals("PASS", r.get("result").asText(), r.toString());
    assertEquals(0, exit);

    Set<FaultRun.Kind> kinds = EnumSet.noneOf(FaultRun.Kind.class);
    for (JsonNode f : r.get("faults")) {
      kinds.add(FaultRun.Kind.valueOf(f.get("kind").asText()));
      assertTrue(f.get("recovered").asBoolean(), f.toString());
      assertTrue(f.get("recoveryMs").asLong() >= 0 && f.get("recoveryMs").asLong() < 300_000, f.toString());
    }
    assertEquals(EnumSet.allOf(FaultRun.Kind.class), kinds, "each kind of fault once");
    assertEquals(6, r.get("faultsInjected").asInt());

    // records in: the workload file's lines that are not heartbeats
    List<String> lines = Files.readAllLines(dir.resolve("work").resolve("workload.jsonl"));
    long records = lines.stream().filter(l -> !l.contains("\"_heartbeat\"")).count();
    assertEquals(records, r.get("recordsIn").asLong());
    // the hostile input reached the pipeline's side topics: every raw and every dead-lettered line counted
    long raw = lines.stream().filter(l -> l.contains("\"_raw\"")).count();
    assertTrue(raw >= 1, "undecodable bytes in the workload");
    assertEquals(r.get("workload").get("deadLetters").get("DESERIALIZATION").asLong(), raw);
    JsonNode compared = r.get("linesCompared");
    assertTrue(compared.get("billLines").asInt() >= 10, compared.toString());
    assertTrue(compared.get("nodeWindows").asInt() >= 6 * 120 * 9 / 10, "6 nodes x 120 minutes, less the simulated failures: " + compared);
    assertTrue(compared.get("fleetWindows").asInt() >= 120, compared.toString());
    assertTrue(r.get("billLinesRestated").asInt() >= 1, "late samples restated a settled hour: " + r);
    System.out.println("fault-test --short took " + seconds + " s");
  }
}
