package io.factorymeter.cli;

import io.factorymeter.contract.OutputKey;
import io.factorymeter.producers.kafka.AvroRecordSender;
import io.factorymeter.producers.replay.TelemetryReplay;
import io.factorymeter.producers.simulate.ModelProfile;
import io.factorymeter.producers.simulate.ModelProfiles;
import io.factorymeter.producers.telemetry.SampleWriter;
import io.factorymeter.producers.telemetry.TelemetryFormat;
import io.factorymeter.producers.trace.AzureTrace;
import io.factorymeter.producers.trace.TraceFleet;
import io.factorymeter.producers.trace.TraceRequest;
import io.factorymeter.producers.trace.TraceToSamples;
import io.factorymeter.schema.NodeSample;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Turns per-request LLM traces (Azure LLM inference traces) into NodeSamples of a configurable fleet. */
@Command(name = "replay-trace", mixinStandardHelpOptions = true,
    description = {"Turn per-request LLM traces (the Azure LLM inference trace CSVs) into the NodeSamples of a fleet serving them.",
        "The CSV columns are TIMESTAMP,ContextTokens,GeneratedTokens. Requests go round robin to the fleet's nodes and are"
            + " drawn to tenants; prompt tokens count at arrival, generated tokens over their generation time; power and"
            + " temperature follow the ML.ENERGY-calibrated power model of the chosen model and GPU. Every token of the"
            + " trace is in the samples. Sent to Kafka, records are stamped with this machine's clock."})
final class ReplayTraceCommand implements Callable<Integer> {

  @Mixin
  ConnectionOptions connection;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "Trace CSV files; their requests are merged in time order.")
  List<Path> files;

  @Option(names = "--nodes", defaultValue = "4", description = "Nodes (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--clusters", defaultValue = "1", description = "Clusters (default: ${DEFAULT-VALUE}).")
  int clusters;

  @Option(names = "--sites", defaultValue = "1", description = "Sites (default: ${DEFAULT-VALUE}).")
  int sites;

  @Option(names = "--gpus-per-node", defaultValue = "8", description = "GPUs per node (default: ${DEFAULT-VALUE}).")
  int gpusPerNode;

  @Option(names = "--model", defaultValue = "llama-3.1-8b-instruct",
      description = "Model every node serves, one of the bundled ML.ENERGY profiles (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--gpu", defaultValue = "H100",
      description = "GPU type: H100, H200, B200 or GB200 (H200 and GB200 derived from the measured H100 and B200 figures; default: ${DEFAULT-VALUE}).")
  String gpu;

  @Option(names = "--tenants", defaultValue = "3", description = "Tenants the requests are drawn for (default: ${DEFAULT-VALUE}).")
  int tenants;

  @Option(names = "--interval", defaultValue = "10s", converter = DurationConverter.class, description = "Sample interval (default: ${DEFAULT-VALUE}).")
  Duration interval;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the tenant draw (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--start", paramLabel = "ISO", converter = InstantConverter.class,
      description = "Move the trace in time so that its first request arrives at this instant (default: the trace's own times, read as UTC).")
  Instant start;

  @Option(names = "--topic", defaultValue = "factory.telemetry", description = "Topic to write to (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--output", paramLabel = "FILE", description = "Write a history file (.jsonl, .csv, .avro, .gz) instead of Kafka.")
  Path output;

  @Override
  public Integer call() throws IOException {
    files.forEach(ReadableFile::require);
    TelemetryFormat outputFormat;
    try {
      outputFormat = output == null ? null : TelemetryReplay.formatOf(output, Optional.empty());
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage(), 2);
    }
    ModelProfile profile = ModelProfiles.find(model, gpu).orElseThrow(() -> new UserError("No profile for model " + model
        + " on " + gpu + "; bundled: " + ModelProfiles.bundled().stream().map(p -> p.shortModelId() + "@" + p.gpuType())
        .collect(Collectors.joining(", ")), 2));
    TraceFleet fleet;
    try {
      fleet = new TraceFleet(nodes, clusters, sites, gpusPerNode, profile, tenants, interval, seed);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage(), 2);
    }
    List<TraceRequest> trace = new ArrayList<>();
    for (Path f : files) {
      try {
        trace.addAll(AzureTrace.read(f, r -> System.err.println("rejected " + r)));
      } catch (IllegalArgumentException e) {
        throw new UserError(e.getMessage());
      }
    }
    if (trace.isEmpty()) {
      throw new UserError("No requests in " + files);
    }
    long firstArrival = trace.stream().mapToLong(TraceRequest::arrivalMs).min().orElseThrow();
    long shift = start == null ? 0 : start.toEpochMilli() - firstArrival;
    long prompt = trace.stream().mapToLong(TraceRequest::promptTokens).sum();
    long generated = trace.stream().mapToLong(TraceRequest::completionTokens).sum();
    long[] count = {0};
    String what = String.format("%d requests (%d prompt + %d generated tokens)", trace.size(), prompt, generated);
    if (output != null) {
      try (SampleWriter out = SampleWriter.create(output, outputFormat)) {
        TraceToSamples.convert(trace, fleet, shift, batch -> batch.forEach(s -> {
          try {
            out.write(s);
            count[0]++;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }));
      } catch (UncheckedIOException e) {
        throw new UserError("Cannot write " + output + ": " + e.getCause().getMessage());
      }
      System.out.printf("Wrote %d samples of %s to %s%n", count[0], what, output);
      return 0;
    }
    Map<String, Object> props = connection.reachableProperties();
    TopicSetup.ensureTelemetry(props, topic);
    Instant[] end = {null};
    try (AvroRecordSender<NodeSample> sender = new AvroRecordSender<>(props, topic)) {
      Consumer<Instant> heartbeats = sender.heartbeatEveryMinute();
      TraceToSamples.convert(trace, fleet, shift, batch -> {
        batch.forEach(s -> sender.send(s.getNodeId(), s));
        count[0] += batch.size();
        end[0] = batch.get(0).getTimestamp().plus(interval);
        heartbeats.accept(end[0]);
      });
      sender.heartbeat(end[0].toEpochMilli());
      sender.flush();
    }
    System.out.printf("Sent %d samples of %s to %s (event time up to %s)%n", count[0], what, topic, OutputKey.iso(end[0]));
    return 0;
  }
}
