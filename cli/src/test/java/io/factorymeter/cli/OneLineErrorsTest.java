package io.factorymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.stack.LocalStackExtension;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** What a new user ran into (issue 8 §6), each now one line on stderr with a non-zero exit status and no stack trace. */
class OneLineErrorsTest {

  @RegisterExtension
  static final LocalStackExtension STACK = new LocalStackExtension();

  static CommandLineTest.Run run(String... args) {
    return CommandLineTest.runWith(STACK.stack(), args);
  }

  static void assertOneLine(CommandLineTest.Run run) {
    assertEquals(1, run.err().strip().lines().count(), run.err());
    assertFalse(run.err().contains("\tat ") || run.err().contains("Exception"), "no stack trace: " + run.err());
  }

  @Test
  void aTakenStackPortIsOneLineForKafkaAndTheRegistryAlike() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      int free;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        free = s.getLocalPort();
      }
      CommandLineTest.Run kafka = assertTimeoutPreemptively(Duration.ofSeconds(60),
          () -> CommandLineTest.runAsGiven("stack", "--kafka-port", Integer.toString(port), "--registry-port", Integer.toString(free)));
      assertEquals(1, kafka.exitCode());
      assertOneLine(kafka);
      assertTrue(kafka.err().startsWith("factory-meter: Cannot start the local stack: Kafka cannot listen on 127.0.0.1:" + port
          + ": the port is already in use"), kafka.err());

      CommandLineTest.Run registry = assertTimeoutPreemptively(Duration.ofSeconds(60),
          () -> CommandLineTest.runAsGiven("stack", "--kafka-port", Integer.toString(free), "--registry-port", Integer.toString(port)));
      assertEquals(1, registry.exitCode());
      assertOneLine(registry);
      assertTrue(registry.err().startsWith("factory-meter: Cannot start the local stack: Schema registry cannot listen on 127.0.0.1:"
          + port + ": the port is already in use"), registry.err());
    }
  }

  @Test
  void recordingATopicWithoutNodeSamplesIsAnError(@TempDir Path dir) throws Exception {
    Path prices = dir.resolve("prices.jsonl");
    Files.write(prices, List.of(
        "{\"type\":\"tariff\",\"site\":\"s-1\",\"currency\":\"USD\",\"pricePerKwh\":0.1,\"pue\":1.2,\"effectiveFrom\":\"2026-03-01T00:00:00Z\"}",
        "{\"type\":\"tariff\",\"site\":\"s-2\",\"currency\":\"USD\",\"pricePerKwh\":0.2,\"pue\":1.3,\"effectiveFrom\":\"2026-03-01T00:00:00Z\"}"));
    assertEquals(0, run("prices", "load", prices.toString(), "--tariffs-topic", "rec.tariffs", "--gpu-rates-topic", "rec.rates").exitCode());
    Path archive = dir.resolve("archive.jsonl");
    Files.writeString(archive, "kept\n");
    CommandLineTest.Run record = run("record", "rec.tariffs", "--output", archive.toString());
    assertEquals(1, record.exitCode());
    assertTrue(record.err().contains("factory-meter: rec.tariffs holds no NodeSamples: none of its 2 record(s) with a value is one"),
        record.err());
    assertEquals("kept\n", Files.readString(archive), "the file is left as it was");
    assertTrue(record.out().isBlank(), record.out());
  }

  @Test
  void resetWaitsForTheGroupToEmptyAndSaysInOneLineWhenItDoesNot(@TempDir Path dir) throws Exception {
    try (Admin admin = Admin.create(STACK.clientProps())) {
      admin.createTopics(List.of(new NewTopic("reset.telemetry", 1, (short) 1))).all().get();
    }
    Map<String, Object> props = STACK.clientProps();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "reset-app");
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "still-running");
    try (KafkaConsumer<byte[], byte[]> member = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      member.subscribe(List.of("reset.telemetry"));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (member.assignment().isEmpty() && System.nanoTime() < deadline) {
        member.poll(Duration.ofMillis(100));
      }
      CommandLineTest.Run busy = run("reset", "--application-id", "reset-app", "--topic", "reset.telemetry",
          "--state-dir", dir.toString(), "--wait", "2s", "--yes");
      assertEquals(1, busy.exitCode());
      List<String> lines = busy.err().strip().lines().toList();
      assertEquals(2, lines.size(), busy.err());
      assertTrue(lines.get(0).startsWith("Waiting up to 2s for 1 member(s) of consumer group reset-app to leave"), lines.get(0));
      assertTrue(lines.get(1).startsWith("factory-meter: Consumer group reset-app still has 1 member(s) after 2s (still-running"),
          lines.get(1));
      assertFalse(busy.err().contains("\tat "), busy.err());
    } // closing the consumer leaves the group
    CommandLineTest.Run reset = run("reset", "--application-id", "reset-app", "--topic", "reset.telemetry",
        "--state-dir", dir.toString(), "--yes");
    assertEquals(0, reset.exitCode(), reset.err());
    assertTrue(reset.out().contains("Reset application reset-app"), reset.out());
  }
}
