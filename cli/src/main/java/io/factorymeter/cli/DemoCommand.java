package io.factorymeter.cli;

import io.factorymeter.app.MeteringApplication;
import io.factorymeter.app.http.PipelineEndpoints;
import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.producers.kafka.AvroRecordSender;
import io.factorymeter.producers.prices.PriceJson;
import io.factorymeter.producers.prices.PriceLoader;
import io.factorymeter.producers.reference.ReferenceKind;
import io.factorymeter.producers.reference.ReferenceLoader;
import io.factorymeter.producers.reference.ReferenceRecord;
import io.factorymeter.producers.simulate.FleetSimulator;
import io.factorymeter.producers.simulate.FleetSpec;
import io.factorymeter.producers.simulate.SimulatedClock;
import io.factorymeter.producers.simulate.SimulationRunner;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.stack.LocalStack;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Everything in one process on the embedded defaults: the local stack, the example prices and carbon figures, the
 * metering pipeline, a simulated fleet, and a live summary of the fleet's metrics in the
 * terminal. Ctrl-C stops it all.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run the local stack, the pipeline, a simulated fleet and a live fleet summary in one process; Ctrl-C stops.")
final class DemoCommand implements Callable<Integer> {

  static final String TELEMETRY = FactoryTopic.TELEMETRY.defaultName();

  @Mixin
  LocalStackOptions stackOptions;

  @Mixin
  FleetOptions fleet;

  @Option(names = "--speedup", defaultValue = "1",
      description = "Event-time seconds per wall-clock second (default: ${DEFAULT-VALUE}, a live fleet).")
  double speedup;

  @Option(names = "--http-port", defaultValue = "8080",
      description = "Port of the pipeline's HTTP endpoints (/metrics, /health/ready) on 127.0.0.1; 0: any free port (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(names = "--run-for", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Stop by itself after this wall-clock time (default: until Ctrl-C).")
  Duration runFor;

  @Override
  public Integer call() throws Exception {
    if (!(speedup > 0) || Double.isInfinite(speedup)) {
      throw new UserError("--speedup must be a positive number", 2);
    }
    if (httpPort < 0 || httpPort > 65535) {
      throw new UserError("--http-port must be 0..65535, got " + httpPort, 2);
    }
    FleetSpec spec = fleet.spec();
    LocalStack stack = stackOptions.start();
    CountDownLatch stopped = new CountDownLatch(1);
    List<AutoCloseable> resources = new CopyOnWriteArrayList<>(); // the shutdown hook may walk it while it grows
    Thread hook = new Thread(() -> {
      System.err.println("Stopping the demo...");
      closeAll(resources);
      stack.close();
      stopped.countDown();
    }, "demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);

    Map<String, Object> props = stack.clientProps();
    System.out.println("Kafka broker      " + stack.bootstrapServers());
    System.out.println("Schema registry   " + stack.schemaRegistryUrl());
    if (stack.clientPropertiesFile() != null) {
      System.out.println("Client settings   " + stack.clientPropertiesFile() + " (SASL_SSL, HTTPS; --config for other commands)");
    }

    MeteringConfig config = MeteringConfig.defaults();
    PricesCommand.publish(props, examplePrices(), FactoryTopic.TARIFFS.defaultName(), FactoryTopic.GPU_RATES.defaultName());
    System.out.println("Prices            examples/prices.jsonl -> factory.tariffs, factory.gpu-rates");
    ReferenceCommand.publish(props, exampleCarbon(), defaultReferenceTopics());
    System.out.println("Carbon            examples/carbon.jsonl -> factory.grid-intensity, factory.gpu-embodied (sources: examples/CARBON-SOURCES.md)");
    PipelineEndpoints http;
    try {
      http = PipelineEndpoints.bind("127.0.0.1", httpPort, Optional.empty());
    } catch (RuntimeException e) {
      throw new UserError(e.getMessage());
    }
    resources.add(http);
    String self = http.applicationServer(Optional.empty());
    MeteringApplication app = MeteringApplication.start(props, config,
        new MeteringApplication.Options("factory-meter-demo", stack.dataDir().resolve("streams-state"), 1, self));
    resources.add(app);
    http.serve(app.streams(), props, FactoryTopic.FLEET_METRICS.defaultName(), self);
    if (!app.awaitRunning(Duration.ofSeconds(120))) {
      throw new UserError("The pipeline did not start (state " + app.streams().state() + ")");
    }
    System.out.println("Pipeline          running: factory.telemetry -> factory.metrics.{node,cluster,fleet}.1m");
    System.out.printf("Dashboard         http://127.0.0.1:%d/%n", http.port());
    System.out.printf("HTTP              http://127.0.0.1:%d/v1/fleet/metrics (query API, /openapi.json), /metrics (Prometheus), /health/ready%n",
        http.port());

    FleetSimulator simulator = new FleetSimulator(spec, Instant.now());
    TopicSetup.ensureTelemetry(props, TELEMETRY); // created by the pipeline; this waits until its partitions take records
    // the fleet's clock is the simulated one, which --speedup runs ahead of the wall clock
    AvroRecordSender<NodeSample> sender = new AvroRecordSender<>(props, TELEMETRY, new SimulatedClock(simulator::time));
    SimulationRunner runner = new SimulationRunner(simulator, s -> sender.send(s.getNodeId(), s), speedup, null,
        sender.heartbeatEveryMinute());
    resources.add(() -> runner.stop());
    Thread simulation = new Thread(() -> {
      try {
        runner.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "demo-simulator");
    simulation.setDaemon(true);
    simulation.start();
    resources.add(() -> simulation.join(5_000));
    resources.add(sender);
    System.out.printf("Fleet             %d nodes, %d clusters, %d sites -> %s, %s%n", fleet.nodes, fleet.clusters,
        fleet.sites, TELEMETRY, speedup == 1 ? "real time" : speedup + "x real time");
    System.out.println("Fleet per event-time minute, from factory.metrics.fleet.1m (a line once the next minute began); Ctrl-C to stop.");
    System.out.flush();

    long deadline = runFor == null ? Long.MAX_VALUE : System.nanoTime() + runFor.toNanos();
    try (FleetSummary summary = new FleetSummary(props, FactoryTopic.FLEET_METRICS.defaultName())) {
      while (stopped.getCount() > 0 && System.nanoTime() < deadline) {
        for (String line : summary.poll(Duration.ofMillis(1000))) {
          System.out.println(line);
        }
        System.out.flush();
      }
    } catch (org.apache.kafka.common.errors.InterruptException | IllegalStateException e) {
      // shutting down
    }
    if (stopped.getCount() > 0) {
      Runtime.getRuntime().removeShutdownHook(hook);
      hook.run();
    }
    return 0;
  }

  static List<PriceJson.Price> examplePrices() throws IOException {
    try (InputStream in = DemoCommand.class.getResourceAsStream("prices.jsonl")) {
      if (in == null) {
        throw new UserError("prices.jsonl missing from the jar");
      }
      return PriceLoader.read(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), "prices.jsonl");
    }
  }

  /** Grid intensity of the example sites and embodied emissions of the example GPU models (a copy of examples/carbon.jsonl in the jar). */
  static List<ReferenceRecord> exampleCarbon() throws IOException {
    try (InputStream in = DemoCommand.class.getResourceAsStream("carbon.jsonl")) {
      if (in == null) {
        throw new UserError("carbon.jsonl missing from the jar");
      }
      return ReferenceLoader.read(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), "carbon.jsonl");
    }
  }

  private static Map<ReferenceKind, String> defaultReferenceTopics() {
    Map<ReferenceKind, String> topics = new EnumMap<>(ReferenceKind.class);
    for (ReferenceKind k : ReferenceKind.values()) {
      topics.put(k, k.topic().defaultName());
    }
    return topics;
  }

  private static void closeAll(List<AutoCloseable> resources) {
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (Exception e) {
        // keep closing the rest
      }
    }
  }
}
