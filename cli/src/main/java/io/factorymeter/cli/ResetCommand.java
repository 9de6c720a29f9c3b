package io.factorymeter.cli;

import io.factorymeter.app.ApplicationReset;
import io.factorymeter.app.MeteringApplication;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Resets the pipeline for reprocessing from the earliest offsets. */
@Command(name = "reset", mixinStandardHelpOptions = true,
    description = {"Reset the pipeline for reprocessing from the beginning of the telemetry topic.",
        "Committed offsets of the telemetry topic go back to earliest, internal topics are deleted and the local state"
            + " is removed (Kafka's StreamsResetter). The pipeline must be stopped: an instance that stopped a moment ago"
            + " stays a member of its consumer group until its session times out (45 s by default), so reset waits for"
            + " the group to empty (--wait). Without --yes, only shows what it would do."})
final class ResetCommand implements Callable<Integer> {

  @Mixin
  ConnectionOptions connection;

  @Option(names = "--application-id", defaultValue = "factory-meter",
      description = "The pipeline's application.id, as given to run (default: ${DEFAULT-VALUE}).")
  String applicationId;

  @Option(names = "--state-dir", paramLabel = "DIR",
      description = "The pipeline's state directory, as given to run; its local state of the application is removed"
          + " (default: ~/.factory-meter/state).")
  Path stateDir;

  @Option(names = "--topic", defaultValue = "factory.telemetry", description = "The input topic (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--yes", description = "Really reset.")
  boolean yes;

  @Option(names = "--force", description = "Do not wait: remove the members still in the consumer group at once"
      + " (those of a killed instance; a running instance would then lose its partitions).")
  boolean force;

  @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
      description = "How long to wait for the members of a stopped instance to leave the consumer group (default: ${DEFAULT-VALUE}).")
  Duration wait;

  @Override
  public Integer call() {
    if (wait.isNegative()) {
      throw new UserError("--wait must not be negative", 2);
    }
    Map<String, Object> props = connection.properties();
    Reachability.requireKafka(props);
    if (!force) {
      awaitEmptyGroup(props);
    }
    Path dir = stateDir != null ? stateDir : Path.of(System.getProperty("user.home"), ".factory-meter", "state");
    String done = resetQuietly(props, dir);
    System.out.println(done);
    if (!yes) {
      System.err.println("factory-meter: nothing was changed; add --yes to reset");
      return 1;
    }
    return 0;
  }

  private void awaitEmptyGroup(Map<String, Object> props) {
    List<String> left;
    try (Admin admin = Admin.create(MeteringApplication.adminProps(props))) {
      left = GroupMembers.awaitEmpty(admin, applicationId, wait, members -> System.err.printf(
          "Waiting up to %s for %d member(s) of consumer group %s to leave (a stopped instance stays until its session times out)...%n",
          DurationConverter.format(wait), members.size(), applicationId));
    }
    if (!left.isEmpty()) {
      throw new UserError("Consumer group " + applicationId + " still has " + left.size() + " member(s) after "
          + DurationConverter.format(wait) + " (" + String.join(", ", left) + "): stop the running instance, or add --force"
          + " if it was killed");
    }
  }

  /** StreamsResetter writes its errors with stack traces to stderr: kept for --verbose, else one line. */
  private String resetQuietly(Map<String, Object> props, Path dir) {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    if (!FactoryMeter.verbose()) {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }
    try {
      return ApplicationReset.reset(props, applicationId, topic, dir, !yes, force);
    } catch (java.io.UncheckedIOException e) {
      throw new UserError(e.getMessage());
    } catch (IllegalStateException e) {
      String cause = captured.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("ERROR")).findFirst()
          .map(l -> ": " + l.strip()).orElse("");
      throw new UserError("Resetting application " + applicationId + " failed" + cause
          + (FactoryMeter.verbose() ? "" : " (--verbose shows details)"));
    } finally {
      System.setErr(err);
    }
  }
}
