package io.factorymeter.cli;

import io.factorymeter.app.http.PipelineEndpoints;
import io.factorymeter.app.MeteringApplication;
import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.metering.SchemaRegistryWait;
import io.factorymeter.contract.FactoryTopic;
import java.time.Duration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Runs the Kafka Streams application until Ctrl-C or SIGTERM, printing its counters now and then. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Run the metering pipeline (Kafka Streams, exactly_once_v2 by default): telemetry in;",
        "node, cluster and fleet metrics per window, dead letters and late samples out. Creates the topics it needs."})
final class RunCommand implements Callable<Integer> {

  @Mixin
  ConnectionOptions connection;

  @Mixin
  PipelineOptions pipeline;

  @Option(names = "--http-port", defaultValue = "8080",
      description = "Port of the HTTP endpoints /health/live, /health/ready and /metrics (Prometheus); 0: any free port, printed (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(names = "--http-host", defaultValue = "127.0.0.1",
      description = "Address the HTTP endpoints are bound to; 0.0.0.0 for every interface (default: ${DEFAULT-VALUE}).")
  String httpHost;

  @Option(names = "--application-server", paramLabel = "HOST:PORT",
      description = "Where the other instances reach this one's query API (Kafka Streams application.server); "
          + "default: the --http-host address (this host's name when 0.0.0.0) and the HTTP port.")
  String applicationServer;

  @Option(names = "--http-token-file", paramLabel = "FILE",
      description = "A file holding the bearer token the query API (/v1/...) asks for; every instance needs the same. "
          + "Default: no token. /health and /metrics stay open.")
  Path httpTokenFile;

  @Option(names = "--status-interval", defaultValue = "30s", converter = DurationConverter.class,
      description = "How often to print the counters to stderr (default: ${DEFAULT-VALUE}).")
  Duration statusInterval;

  @Override
  public Integer call() throws InterruptedException {
    if (statusInterval.isZero() || statusInterval.isNegative()) {
      throw new UserError("--status-interval must be positive, got " + statusInterval, 2);
    }
    if (httpPort < 0 || httpPort > 65535) {
      throw new UserError("--http-port must be 0..65535, got " + httpPort, 2);
    }
    Map<String, Object> props = connection.properties();
    MeteringConfig config = pipeline.meteringConfig(props);
    MeteringApplication.Options options = pipeline.options();
    Reachability.requireKafkaAndRegistry(props);
    Optional<String> token = token();
    if (applicationServer != null && !applicationServer.matches("[^:\\s]+:\\d{1,5}")) {
      throw new UserError("--application-server must be HOST:PORT, got '" + applicationServer + "'", 2);
    }
    PipelineEndpoints http;
    try {
      http = PipelineEndpoints.bind(httpHost, httpPort, token);
    } catch (RuntimeException e) {
      throw new UserError(e.getMessage());
    }
    MeteringApplication app;
    String self;
    try {
      self = http.applicationServer(Optional.ofNullable(applicationServer));
      app = MeteringApplication.start(props, config, options.withApplicationServer(self));
    } catch (IllegalStateException e) {
      http.close();
      throw new UserError(e.getMessage());
    }
    try {
      http.serve(app.streams(), props, config.topics().name(FactoryTopic.FLEET_METRICS), self);
    } catch (RuntimeException e) {
      http.close();
      app.close();
      throw new UserError(e.getMessage());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.err.println("Stopping (committing and closing state stores)...");
      String last = status(app.counters());
      http.close();
      app.close();
      System.err.println(last);
      stopped.countDown();
    }, "run-shutdown"));
    if (!app.awaitRunning(Duration.ofSeconds(120))) {
      throw new UserError("The pipeline did not start (state " + app.streams().state() + "); --verbose shows why");
    }
    System.err.printf("Running %s: %s -> metrics per %s (grace %s), currency %s, state in %s%n", options.applicationId(),
        config.topics().telemetry(), config.window(), config.grace(), config.currency(), options.stateDir());
    System.err.printf("HTTP on http://%s:%d: / (dashboard), /v1/... (query API%s; peers reach it at %s), /openapi.json, "
        + "/health/live, /health/ready, /metrics (Prometheus)%n", httpHost, http.port(), token.isPresent() ? ", bearer token" : "", self);
    while (!stopped.await(statusInterval.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      KafkaStreams.State state = app.streams().state();
      if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING) {
        throw new UserError("The pipeline stopped (state " + state + "); --verbose shows why");
      }
      System.err.println(status(app.counters()));
      SchemaRegistryWait.current().ifPresent(w -> System.err.printf(
          "waiting for the schema registry since %s (%,d retries; records are read again once it answers): %s%n",
          w.since(), w.retries(), w.reason()));
    }
    return 0;
  }

  /** The bearer token from --http-token-file (its first line, trimmed), if given. */
  private Optional<String> token() {
    if (httpTokenFile == null) {
      return Optional.empty();
    }
    ReadableFile.require(httpTokenFile);
    String token;
    try {
      token = Files.readString(httpTokenFile).strip();
    } catch (IOException e) {
      throw new UserError("Cannot read --http-token-file " + httpTokenFile + ": " + e.getMessage());
    }
    if (token.isEmpty() || token.contains("\n") || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      throw new UserError("--http-token-file " + httpTokenFile + " must hold one token of visible ASCII characters on one line", 2);
    }
    return Optional.of(token);
  }

  static String status(Map<String, Double> counters) {
    return counters.entrySet().stream().map(e -> e.getKey() + " " + String.format("%,.0f", e.getValue()))
        .collect(Collectors.joining("  ", "counters: ", ""));
  }
}
