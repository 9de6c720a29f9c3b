package io.factorymeter.producers.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.contract.TopicProvisioner;
import io.factorymeter.producers.kafka.AvroRecordSender;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.stack.LocalStackExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The bad-input corpus through a whole replay into the real broker: skipped and reported, or (strict) nothing sent. */
class CorpusReplayTest {

  @RegisterExtension
  static final LocalStackExtension STACK = new LocalStackExtension();

  /** A good sample at second {@code s} of 10:00. */
  static String good(int s) {
    return String.format("{\"nodeId\":\"n-1\",\"clusterId\":\"c-1\",\"site\":\"s-1\",\"gpuModel\":\"H100-SXM5-80GB\",\"gpuCount\":8,"
        + "\"timestamp\":\"2026-11-26T10:%02d:%02dZ\",\"intervalMs\":1000,\"powerWatts\":5600.5,\"temperatureC\":71.5,"
        + "\"gpuUtilization\":0.875,\"usage\":[]}", s / 60, s % 60);
  }

  static final List<String> BAD = List.of("{\"nodeId\": \"cut", "{\"nodeId\":12}", "[1,2]", "42", "x".repeat(10_240),
      "{\"a\":" + "[".repeat(3000) + "]".repeat(3000) + "}", "\u001b[2J\u001b[H", "{}", "\uFEFF{}",
      good(0).replace("\"gpuCount\":8", "\"gpuCount\":8.5"), good(0).replace("\"gpuCount\":8", "\"gpuCount\":99999999999"),
      good(0).replace("10:00:00Z", "+999999999-01-01T00:00:00Z"), good(0) + "]");

  /** Good lines at odd line numbers, the bad ones between them: lines 2, 4, ... 26. */
  private static Path corpus(Path dir) throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < BAD.size(); i++) {
      lines.add(good(i));
      lines.add(BAD.get(i));
    }
    lines.add(good(BAD.size()));
    Path file = dir.resolve("corpus.jsonl");
    Files.write(file, lines, StandardCharsets.UTF_8);
    return file;
  }

  private static void createTopic(String name) {
    try (Admin admin = Admin.create(STACK.clientProps())) {
      new TopicProvisioner(admin, Optional.of(1), Optional.empty())
          .ensure(List.of(new TopicProvisioner.Topic(name, FactoryTopic.TELEMETRY)));
    }
  }

  @Test
  void withoutStrictEveryBadLineIsReportedAndSkippedAndTheRestIsSent(@TempDir Path dir) throws Exception {
    Path file = corpus(dir);
    createTopic("corpus.lenient");
    List<RejectedLine> told = new ArrayList<>();
    ReplayReport report;
    try (AvroRecordSender<NodeSample> sender = new AvroRecordSender<>(STACK.clientProps(), "corpus.lenient")) {
      report = new TelemetryReplay(sender, new TelemetryReplay.Options(Optional.empty(), false, false, 0), told::add)
          .replay(List.of(file));
    }
    assertFalse(report.stoppedEarly());
    assertEquals(BAD.size() + 1, report.sent(), "the 14 good lines");
    List<Long> expected = new ArrayList<>();
    for (int i = 0; i < BAD.size(); i++) {
      expected.add(2L * i + 2);
    }
    assertEquals(expected, report.rejected().stream().map(RejectedLine::lineNumber).toList());
    assertEquals(report.rejected(), told);
    for (RejectedLine r : report.rejected()) {
      String line = r.toString();
      assertTrue(line.startsWith(file + ":" + r.lineNumber() + ": "), line);
      assertTrue(line.length() < file.toString().length() + 320 && line.chars().noneMatch(c -> c < 0x20), "one clean line: " + line);
    }
  }

  @Test
  void strictChecksFirstAndSendsNothing(@TempDir Path dir) throws Exception {
    Path file = corpus(dir);
    createTopic("corpus.strict");
    ReplayReport report;
    try (AvroRecordSender<NodeSample> sender = new AvroRecordSender<>(STACK.clientProps(), "corpus.strict")) {
      report = new TelemetryReplay(sender, new TelemetryReplay.Options(Optional.empty(), true, true, 0), r -> { })
          .replay(List.of(file));
    }
    assertTrue(report.stoppedEarly());
    assertEquals(0, report.sent());
    assertEquals(BAD.size(), report.rejected().size(), "all of them reported, not only the first");
    assertTrue(report.heartbeat().isEmpty(), "no heartbeat either");
  }
}
