package io.factorymeter.cli;

import io.factorymeter.app.ApplicationReset;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Resets the pipeline for reprocessing from the earliest offsets. */
@Command(name = "reset", mixinStandardHelpOptions = true,
    description = {"Reset the pipeline for reprocessing: committed offsets of the telemetry topic to earliest,",
        "internal topics deleted, local state removed (Kafka's StreamsResetter). The pipeline must be stopped.",
        "Without --yes, only shows what it would do."})
final class ResetCommand implements Callable<Integer> {

  @Mixin
  ConnectionOptions connection;

  @Mixin
  PipelineOptions pipeline;

  @Option(names = "--topic", defaultValue = "factory.telemetry", description = "The input topic (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--yes", description = "Really reset.")
  boolean yes;

  @Option(names = "--force", description = "Also remove consumer group members left by a killed instance.")
  boolean force;

  @Override
  public Integer call() {
    Map<String, Object> props = connection.properties();
    Reachability.requireKafka(props);
    String done;
    try {
      done = ApplicationReset.reset(props, pipeline.applicationId, topic, pipeline.options().stateDir(), !yes, force);
    } catch (IllegalStateException | java.io.UncheckedIOException e) {
      throw new UserError(e.getMessage());
    }
    System.out.println(done);
    if (!yes) {
      System.err.println("factory-meter: nothing was changed; add --yes to reset");
      return 1;
    }
    return 0;
  }
}
