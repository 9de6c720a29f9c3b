package io.factorymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.factorymeter.app.MeteringApplication;
import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.http.PipelineEndpoints;
import io.factorymeter.app.http.PipelineMeters;
import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.producers.kafka.AvroRecordSender;
import io.factorymeter.producers.prices.PriceJson;
import io.factorymeter.producers.prices.PriceLoader;
import io.factorymeter.producers.reference.ReferenceKind;
import io.factorymeter.producers.reference.ReferenceLoader;
import io.factorymeter.producers.reference.ReferenceRecord;
import io.factorymeter.producers.simulate.FleetSimulator;
import io.factorymeter.producers.simulate.FleetSpec;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.Tariff;
import io.factorymeter.stack.LocalStackExtension;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * The deployment files in {@code docker/} against the application itself (no Docker engine is
 * needed or used): every {@code factory-meter} command line of {@code compose.yaml} is parsed by
 * the real command tree, the HTTP port Prometheus and the healthchecks use is the one {@code run}
 * serves, Kafka's replication settings fit its three nodes, every topic named is one of the
 * application's, Grafana is provisioned with the Prometheus of the compose file and the
 * dashboard, and every metric the dashboard queries is in a real scrape of {@code /metrics} of a
 * pipeline on a real (in-process) broker; where Debian's {@code prometheus} is installed, a real
 * Prometheus loads {@code prometheus.yml}, scrapes that pipeline and answers every dashboard query.
 */
class DockerDeploymentFilesTest {

  private static final Path DOCKER = Path.of("..", "docker").toAbsolutePath().normalize();
  private static final Path REPO = DOCKER.getParent();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** The image docker/Dockerfile builds for the compose file's factory-meter services. */
  private static final String APP_DOCKERFILE = "docker/Dockerfile";
  /** What a deployment of three Kafka nodes needs (the issue): replication 3, at least 2 in sync. */
  private static final int REPLICATION = 3;
  private static final int MIN_IN_SYNC = 2;

  /** Samples the in-process pipeline gets, and how many of them are sent a second time. */
  private static final int SAMPLE_STEPS = 30;
  private static final int DUPLICATES = 5;

  // ---------------------------------------------------------------- the files

  private static JsonNode yaml(Path file) {
    try {
      return YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static JsonNode compose() {
    return yaml(DOCKER.resolve("compose.yaml"));
  }

  private static JsonNode prometheusConfig() {
    return yaml(DOCKER.resolve("prometheus/prometheus.yml"));
  }

  private static JsonNode dashboard() {
    try {
      return JSON.readTree(DOCKER.resolve("grafana/dashboards/factory-meter.json").toFile());
    } catch (IOException e) {
      throw new AssertionError("cannot read the dashboard: " + e.getMessage(), e);
    }
  }

  private static Map<String, JsonNode> services() {
    Map<String, JsonNode> services = new LinkedHashMap<>();
    compose().path("services").fields().forEachRemaining(e -> services.put(e.getKey(), e.getValue()));
    assertFalse(services.isEmpty(), "compose.yaml has services");
    return services;
  }

  private static Map<String, JsonNode> servicesWithImage(String prefix) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    services().forEach((name, s) -> {
      if (s.path("image").asText().startsWith(prefix)) {
        out.put(name, s);
      }
    });
    return out;
  }

  /** The services that run the factory-meter image built from docker/Dockerfile. */
  private static Map<String, JsonNode> appServices() {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    services().forEach((name, s) -> {
      if (s.path("build").path("dockerfile").asText().equals(APP_DOCKERFILE)) {
        assertEquals("..", s.path("build").path("context").asText(), name + ": build context is the repository root");
        out.put(name, s);
      }
    });
    return out;
  }

  private static Map<String, String> environment(JsonNode service) {
    Map<String, String> env = new TreeMap<>();
    JsonNode e = service.path("environment");
    if (e.isObject()) {
      e.fields().forEachRemaining(f -> env.put(f.getKey(), f.getValue().asText()));
    } else if (e.isArray()) {
      e.forEach(kv -> {
        String[] p = kv.asText().split("=", 2);
        env.put(p[0], p.length > 1 ? p[1] : "");
      });
    }
    return env;
  }

  private static List<String> command(String name, JsonNode service) {
    JsonNode c = service.path("command");
    assertTrue(c.isArray(), name + ": command in list form (what the container runs, word for word)");
    List<String> args = new ArrayList<>();
    c.forEach(a -> {
      assertTrue(a.isTextual(), name + ": every word of the command is a string, got " + a);
      args.add(a.asText());
    });
    return args;
  }

  /** The value after {@code flag} in a command line, or null. */
  private static String flagValue(List<String> args, String flag) {
    int i = args.indexOf(flag);
    return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : null;
  }

  /** Container port of each "[ip:]host:container" entry of a service's ports, by host port. */
  private static Map<Integer, Integer> publishedPorts(JsonNode service) {
    Map<Integer, Integer> ports = new TreeMap<>();
    service.path("ports").forEach(p -> {
      String[] parts = p.asText().split(":");
      ports.put(Integer.parseInt(parts[parts.length - 2]), Integer.parseInt(parts[parts.length - 1]));
    });
    return ports;
  }

  // ---------------------------------------------------------------- the real command tree

  /** The innermost command object of a command line parsed by the real command tree of {@code ./factory-meter}. */
  private static Object parse(String service, List<String> args) {
    ParseResult result;
    try {
      result = FactoryMeter.commandLine().parseArgs(args.toArray(String[]::new));
    } catch (CommandLine.ParameterException e) {
      throw new AssertionError("service " + service + ": factory-meter " + String.join(" ", args) + " does not parse: "
          + e.getMessage(), e);
    }
    while (result.hasSubcommand()) {
      result = result.subcommand();
    }
    assertFalse(result.isUsageHelpRequested() || result.isVersionHelpRequested(), service + ": runs a command, not --help");
    return result.commandSpec().userObject();
  }

  private static Map<String, RunCommand> runServices() {
    Map<String, RunCommand> out = new LinkedHashMap<>();
    appServices().forEach((name, s) -> {
      List<String> args = command(name, s);
      if (args.get(0).equals("run")) {
        out.put(name, assertInstanceOf(RunCommand.class, parse(name, args)));
      }
    });
    return out;
  }

  /** The pipeline's configuration as {@code run} builds it in that container (its environment, then its flags). */
  private static MeteringConfig config(String service, RunCommand run) {
    return run.pipeline.meteringConfig(run.connection.properties(environment(services().get(service))));
  }

  @Test
  void everyFactoryMeterCommandLineParsesWithTheRealCommandTree() throws Exception {
    Map<String, JsonNode> app = appServices();
    List<String> kinds = new ArrayList<>();
    for (var e : app.entrySet()) {
      JsonNode s = e.getValue();
      assertEquals("factory-meter:local", s.path("image").asText(), e.getKey() + ": one image name for every build");
      assertTrue(s.path("entrypoint").isMissingNode(), e.getKey() + ": the image's entrypoint (the factory-meter jar)");
      Object command = parse(e.getKey(), command(e.getKey(), s));
      Map<String, String> env = environment(s);
      if (command instanceof RunCommand run) {
        kinds.add("run");
        MeteringConfig config = run.pipeline.meteringConfig(run.connection.properties(env));   // the settings are valid
        assertNotNull(config.topics().telemetry());
        String stateDir = run.pipeline.options().stateDir().toString();
        assertTrue(Files.readString(DOCKER.resolve("Dockerfile")).contains("mkdir -p " + stateDir),
            e.getKey() + ": the image prepares " + stateDir + " for its user");
        assertTrue(s.path("volumes").toString().contains(":" + stateDir + "\""), e.getKey() + ": the state directory is a volume");
      } else if (command instanceof SimulateCommand simulate) {
        kinds.add("simulate");
        simulate.fleet.spec();   // the fleet is valid
        assertEquals(null, simulate.output, "the fleet sends to Kafka, not to a file");
        assertEquals(null, simulate.duration, "the fleet runs until stopped");
        if (simulate.speedup != null) {
          Speedup.parse(simulate.speedup);
        }
      } else if (command instanceof PricesCommand.Load load) {
        kinds.add("prices load");
        checkPriceFileIsInTheImage(load);
      } else if (command instanceof ReferenceCommand.Load load) {
        kinds.add("reference load");
        List<ReferenceRecord> records = ReferenceLoader.read(inTheImage(load.file));
        assertTrue(records.stream().anyMatch(r -> r.kind() == ReferenceKind.GRID_INTENSITY)
            && records.stream().anyMatch(r -> r.kind() == ReferenceKind.GPU_EMBODIED), load.file + " has both kinds of carbon figure");
      } else {
        fail(e.getKey() + ": unexpected command " + command.getClass().getSimpleName());
      }
    }
    kinds.sort(null);
    assertEquals(List.of("prices load", "reference load", "run", "run", "simulate"), kinds,
        "two pipeline instances, a fleet, the prices and the carbon figures");
  }

  /** The file {@code prices load} reads in the container is copied into the image from the repository, and priced in the pipelines' currency. */
  private void checkPriceFileIsInTheImage(PricesCommand.Load load) throws IOException {
    Path source = inTheImage(load.file);
    List<PriceJson.Price> prices = PriceLoader.read(source);
    assertFalse(prices.isEmpty(), source + " has prices");
    Set<String> currencies = new TreeSet<>();
    for (PriceJson.Price p : prices) {
      currencies.add(p.value() instanceof Tariff t ? t.getCurrency() : ((GpuRate) p.value()).getCurrency());
    }
    for (var run : runServices().entrySet()) {
      assertEquals(Set.of(config(run.getKey(), run.getValue()).currency()), currencies,
          "prices in the currency of " + run.getKey() + " (others are ignored)");
    }
  }

  /** The repository file the Dockerfile copies to {@code inImage}; fails unless it copies one there. */
  private static Path inTheImage(Path inImage) throws IOException {
    String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
    Matcher copy = Pattern.compile("(?m)^COPY\\s+(\\S+)\\s+" + Pattern.quote(inImage.toString()) + "\\s*$").matcher(dockerfile);
    assertTrue(copy.find(), "the Dockerfile copies " + inImage + " into the image");
    return REPO.resolve(copy.group(1));
  }

  @Test
  void theImageRunsTheJarTheBuildMakes() throws IOException {
    String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
    Matcher copy = Pattern.compile("COPY --from=build /src/cli/target/(\\S+) (\\S+)").matcher(dockerfile);
    assertTrue(copy.find(), "the runtime stage copies the shaded jar");
    String pom = Files.readString(REPO.resolve("cli/pom.xml"));
    assertTrue(pom.contains("<outputFile>${project.build.directory}/" + copy.group(1) + "</outputFile>"),
        "cli/pom.xml's shade plugin writes " + copy.group(1));
    assertTrue(dockerfile.contains("-jar " + copy.group(2)), "the entrypoint runs " + copy.group(2));
    // the stack module's test-jar that cli depends on (test scope) is only made when test classes are compiled
    Matcher build = Pattern.compile("(?m)^RUN .*\\./mvnw .*$").matcher(dockerfile);
    assertTrue(build.find(), "the build stage runs the Maven wrapper");
    assertTrue(build.group().contains("-DskipTests"), "the build compiles test classes (-DskipTests): " + build.group());
    assertFalse(build.group().contains("maven.test.skip"), "maven.test.skip leaves the stack test-jar out and the build fails");
  }

  // ---------------------------------------------------------------- ports

  @Test
  void prometheusAndTheHealthchecksUseThePortEachPipelineServes() {
    Map<String, RunCommand> runs = runServices();
    assertEquals(2, runs.size(), "two pipeline instances");
    Set<String> expectedTargets = new TreeSet<>();
    Set<String> stateVolumes = new TreeSet<>();
    Set<String> applicationIds = new TreeSet<>();
    for (var e : runs.entrySet()) {
      String name = e.getKey();
      RunCommand run = e.getValue();
      JsonNode s = services().get(name);
      assertEquals("0.0.0.0", run.httpHost, name + ": --http-host 0.0.0.0, else Prometheus and peers cannot reach it");
      expectedTargets.add(name + ":" + run.httpPort);

      String health = s.path("healthcheck").path("test").toString();
      Matcher url = Pattern.compile("http://localhost:(\\d+)(/[^\\s\"]*)").matcher(health);
      assertTrue(url.find(), name + ": healthcheck over HTTP, got " + health);
      assertEquals(run.httpPort, Integer.parseInt(url.group(1)), name + ": healthcheck port");
      assertEquals("/health/ready", url.group(2), name + ": healthy when Kafka Streams is RUNNING");

      assertTrue(publishedPorts(s).containsValue(run.httpPort), name + ": the published port is the served one");

      stateVolumes.add(s.path("volumes").get(0).asText().split(":")[0]);
      applicationIds.add(run.pipeline.applicationId);
    }
    assertEquals(2, stateVolumes.size(), "each instance has a state volume of its own");
    assertEquals(1, applicationIds.size(), "one Kafka Streams application: the instances share its partitions");

    JsonNode job = factoryMeterJob();
    Set<String> targets = new TreeSet<>();
    job.path("static_configs").forEach(c -> c.path("targets").forEach(t -> targets.add(t.asText())));
    assertEquals(expectedTargets, targets, "Prometheus scrapes every pipeline instance on its --http-port");

    // the address its peers use for its HTTP API (Kafka Streams' application.server): its own service name and port
    for (var e : runs.entrySet()) {
      String server = flagValue(command(e.getKey(), services().get(e.getKey())), "--application-server");
      assertEquals(e.getKey() + ":" + e.getValue().httpPort, server, e.getKey() + ": --application-server");
    }
  }

  /** The scrape job of prometheus.yml (the only one). */
  private static JsonNode factoryMeterJob() {
    JsonNode jobs = prometheusConfig().path("scrape_configs");
    assertEquals(1, jobs.size(), "one scrape job");
    return jobs.get(0);
  }

  private static String metricsPath() {
    return factoryMeterJob().path("metrics_path").asText("/metrics");
  }

  // ---------------------------------------------------------------- Kafka

  @Test
  void kafkaIsThreeNodesAndEveryReplicationSettingFitsThem() {
    Map<String, JsonNode> kafka = servicesWithImage("apache/kafka:");
    assertEquals(3, kafka.size(), "three Kafka nodes");
    for (JsonNode s : kafka.values()) {
      // the broker version the tests run against (the in-process broker and the clients are one version)
      assertEquals("apache/kafka:" + AppInfoParser.getVersion(), s.path("image").asText());
    }
    Map<String, Map<String, String>> env = new TreeMap<>();
    kafka.forEach((name, s) -> env.put(name, environment(s)));

    Map<Integer, String> nodeIds = new TreeMap<>();
    Set<String> brokers = new TreeSet<>();
    Set<String> controllers = new TreeSet<>();
    Map<String, String> plaintext = new TreeMap<>();   // broker -> host:port clients and peers use
    for (var e : env.entrySet()) {
      String name = e.getKey();
      Map<String, String> k = e.getValue();
      assertEquals(name, kafka.get(name).path("hostname").asText(name), name + ": hostname is the service name");
      assertNull(nodeIds.put(Integer.parseInt(k.get("KAFKA_NODE_ID")), name), name + ": node ids are unique");
      Set<String> roles = Set.of(k.get("KAFKA_PROCESS_ROLES").split(","));
      if (roles.contains("broker")) {
        brokers.add(name);
      }
      if (roles.contains("controller")) {
        controllers.add(name);
      }
      Map<String, Integer> listeners = listenerPorts(k.get("KAFKA_LISTENERS"));
      Set<String> protocolMap = Set.of(k.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP").split(",")).stream()
          .map(m -> m.split(":")[0]).collect(Collectors.toSet());
      assertEquals(listeners.keySet(), protocolMap, name + ": every listener has a security protocol");
      assertTrue(listeners.containsKey(k.get("KAFKA_CONTROLLER_LISTENER_NAMES")), name + ": controller listener");
      if (roles.contains("broker")) {
        Map<String, String> advertised = new TreeMap<>();
        for (String a : k.get("KAFKA_ADVERTISED_LISTENERS").split(",")) {
          String[] p = a.split("://");
          advertised.put(p[0], p[1]);
        }
        String inter = k.get("KAFKA_INTER_BROKER_LISTENER_NAME");
        assertEquals(name + ":" + listeners.get(inter), advertised.get(inter), name + ": peers reach it by its service name");
        plaintext.put(name, advertised.get(inter));
        for (var a : advertised.entrySet()) {
          int port = Integer.parseInt(a.getValue().substring(a.getValue().lastIndexOf(':') + 1));
          assertEquals(listeners.get(a.getKey()), port, name + ": advertised " + a.getKey() + " is the port listened on");
          if (a.getValue().startsWith("localhost:")) {
            assertEquals(port, publishedPorts(kafka.get(name)).get(port), name + ": " + a.getKey() + " is published on the same port");
          }
        }
      }
    }
    assertEquals(3, brokers.size(), "three brokers");
    assertEquals(3, controllers.size(), "three controllers (a quorum that survives one node down)");

    // the same cluster id (a valid Kafka Uuid) and the same quorum on every node
    Set<String> clusterIds = env.values().stream().map(k -> k.get("CLUSTER_ID")).collect(Collectors.toSet());
    assertEquals(1, clusterIds.size(), "one CLUSTER_ID");
    Uuid.fromString(clusterIds.iterator().next());
    Set<String> voterLists = env.values().stream().map(k -> k.get("KAFKA_CONTROLLER_QUORUM_VOTERS")).collect(Collectors.toSet());
    assertEquals(1, voterLists.size(), "one KAFKA_CONTROLLER_QUORUM_VOTERS");
    Set<String> voters = new TreeSet<>();
    for (String v : voterLists.iterator().next().split(",")) {
      Matcher m = Pattern.compile("(\\d+)@([^:]+):(\\d+)").matcher(v);
      assertTrue(m.matches(), "voter id@host:port, got " + v);
      String node = nodeIds.get(Integer.parseInt(m.group(1)));
      assertEquals(node, m.group(2), "voter " + v + " is the node with that id");
      Map<String, String> k = env.get(node);
      assertEquals(listenerPorts(k.get("KAFKA_LISTENERS")).get(k.get("KAFKA_CONTROLLER_LISTENER_NAMES")),
          Integer.parseInt(m.group(3)), "voter " + v + ": its controller port");
      voters.add(node);
    }
    assertEquals(controllers, voters, "the voters are the controllers");

    // replication: the same on every node, 3 copies, 2 in sync (one broker may be down)
    for (String key : List.of("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
        "KAFKA_DEFAULT_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "KAFKA_MIN_INSYNC_REPLICAS",
        "KAFKA_NUM_PARTITIONS", "KAFKA_AUTO_CREATE_TOPICS_ENABLE")) {
      Set<String> values = env.values().stream().map(k -> k.get(key)).collect(Collectors.toSet());
      assertEquals(1, values.size(), key + " is the same on every node, got " + values);
    }
    Map<String, String> k = env.values().iterator().next();
    for (String rf : List.of("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
        "KAFKA_DEFAULT_REPLICATION_FACTOR")) {
      assertEquals(REPLICATION, Integer.parseInt(k.get(rf)), rf);
      assertTrue(Integer.parseInt(k.get(rf)) <= brokers.size(), rf + " no more than the brokers");
    }
    for (String isr : List.of("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "KAFKA_MIN_INSYNC_REPLICAS")) {
      assertEquals(MIN_IN_SYNC, Integer.parseInt(k.get(isr)), isr);
    }
    // the application creates its topics (and Kafka Streams its internal ones) with the broker defaults
    assertEquals("false", k.get("KAFKA_AUTO_CREATE_TOPICS_ENABLE"), "only the application creates topics");
    assertTrue(Integer.parseInt(k.get("KAFKA_NUM_PARTITIONS")) >= runServices().size(), "a partition for every instance at least");

    // everything that talks to Kafka is given the three brokers by their service names
    Set<String> brokerAddresses = new TreeSet<>(plaintext.values());
    for (var e : appServices().entrySet()) {
      Object c = parse(e.getKey(), command(e.getKey(), e.getValue()));
      ConnectionOptions connection = c instanceof RunCommand r ? r.connection
          : c instanceof SimulateCommand s ? s.connection
          : c instanceof ReferenceCommand.Load l ? l.connection : ((PricesCommand.Load) c).connection;
      assertEquals(brokerAddresses, new TreeSet<>(List.of(connection.bootstrapServers.split(","))),
          e.getKey() + ": --bootstrap-servers");
      assertEquals(registryUrl(), connection.schemaRegistryUrl, e.getKey() + ": --schema-registry-url");
    }
    Map<String, JsonNode> registry = servicesWithImage("confluentinc/cp-schema-registry:");
    Map<String, String> r = environment(registry.values().iterator().next());
    assertEquals(brokerAddresses, Set.of(r.get("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS").split(",")).stream()
        .map(a -> a.replace("PLAINTEXT://", "")).collect(Collectors.toCollection(TreeSet::new)), "the registry's Kafka store");
    assertEquals(REPLICATION, Integer.parseInt(r.get("SCHEMA_REGISTRY_KAFKASTORE_TOPIC_REPLICATION_FACTOR")), "_schemas replication");
  }

  private static void assertNull(Object o, String message) {
    assertEquals(null, o, message);
  }

  /** Port of each listener of a {@code listeners} value ({@code NAME://host:port,...}). */
  private static Map<String, Integer> listenerPorts(String listeners) {
    Map<String, Integer> ports = new TreeMap<>();
    for (String l : listeners.split(",")) {
      ports.put(l.substring(0, l.indexOf("://")), Integer.parseInt(l.substring(l.lastIndexOf(':') + 1)));
    }
    return ports;
  }

  /** The schema registry's URL inside the compose network: its service name and the port it listens on. */
  private static String registryUrl() {
    Map<String, JsonNode> registry = servicesWithImage("confluentinc/cp-schema-registry:");
    assertEquals(1, registry.size(), "one schema registry");
    String listeners = environment(registry.values().iterator().next()).get("SCHEMA_REGISTRY_LISTENERS");
    return "http://" + registry.keySet().iterator().next() + ":" + listeners.substring(listeners.lastIndexOf(':') + 1);
  }

  // ---------------------------------------------------------------- topics

  @Test
  void everyTopicNamedInTheDeploymentIsOneOfTheApplications() throws IOException {
    Map<String, RunCommand> runs = runServices();
    Set<String> topicConfigs = new TreeSet<>();
    Set<String> applicationTopics = new TreeSet<>();
    MeteringConfig config = null;
    for (var e : runs.entrySet()) {
      config = config(e.getKey(), e.getValue());
      topicConfigs.add(config.topics().toString());
      for (FactoryTopic t : MeteringApplication.TOPICS) {
        applicationTopics.add(config.topics().name(t));
      }
    }
    assertEquals(1, topicConfigs.size(), "both instances use the same topics");

    Pattern topic = Pattern.compile("(?<![\\w.-])factory\\.[a-z0-9][a-z0-9._-]*[a-z0-9]");
    Set<String> named = new TreeSet<>();
    for (Path f : List.of(DOCKER.resolve("compose.yaml"), DOCKER.resolve("prometheus/prometheus.yml"),
        DOCKER.resolve("grafana/dashboards/factory-meter.json"))) {
      Matcher m = topic.matcher(Files.readString(f));
      while (m.find()) {
        named.add(m.group());
        assertTrue(applicationTopics.contains(m.group()), f.getFileName() + " names " + m.group()
            + ", not a topic of the application: " + applicationTopics);
      }
    }
    assertTrue(named.contains(config.topics().telemetry()), "the fleet's topic is named (found " + named + ")");

    for (var e : appServices().entrySet()) {
      Object c = parse(e.getKey(), command(e.getKey(), e.getValue()));
      if (c instanceof SimulateCommand s) {
        assertEquals(config.topics().telemetry(), s.topic, e.getKey() + " sends to the pipelines' input");
      } else if (c instanceof PricesCommand.Load l) {
        assertEquals(config.topics().name(FactoryTopic.TARIFFS), l.tariffsTopic, e.getKey());
        assertEquals(config.topics().name(FactoryTopic.GPU_RATES), l.gpuRatesTopic, e.getKey());
      }
    }
  }

  // ---------------------------------------------------------------- services, volumes, Grafana

  @Test
  void dependenciesVolumesAndMountedFilesExist() {
    Map<String, JsonNode> services = services();
    Set<String> volumes = new TreeSet<>();
    compose().path("volumes").fieldNames().forEachRemaining(volumes::add);
    services.forEach((name, s) -> {
      JsonNode deps = s.path("depends_on");
      List<String> depNames = new ArrayList<>();
      if (deps.isArray()) {
        deps.forEach(d -> depNames.add(d.asText()));
      } else {
        deps.fieldNames().forEachRemaining(depNames::add);
      }
      for (String d : depNames) {
        assertTrue(services.containsKey(d), name + " depends on " + d + ", which is no service");
        String condition = deps.path(d).path("condition").asText("service_started");
        if (condition.equals("service_healthy")) {
          assertTrue(services.get(d).has("healthcheck"), name + " waits for " + d + " to be healthy: it needs a healthcheck");
        }
      }
      s.path("volumes").forEach(v -> {
        String source = v.asText().split(":")[0];
        if (source.startsWith(".")) {
          assertTrue(Files.exists(DOCKER.resolve(source)), name + " mounts " + source + ", which does not exist");
        } else {
          assertTrue(volumes.contains(source), name + " uses volume " + source + ", not declared");
        }
      });
    });
  }

  /** Container path of a bind mount of {@code source} (relative to docker/) in a service. */
  private static String mountTarget(JsonNode service, String source) {
    for (JsonNode v : service.path("volumes")) {
      String[] p = v.asText().split(":");
      if (DOCKER.resolve(p[0]).normalize().equals(DOCKER.resolve(source).normalize())) {
        return p[1];
      }
    }
    throw new AssertionError("no mount of " + source);
  }

  @Test
  void grafanaIsProvisionedWithThePrometheusOfTheComposeFileAndTheDashboard() throws IOException {
    Map<String, JsonNode> grafana = servicesWithImage("grafana/grafana:");
    assertEquals(1, grafana.size());
    JsonNode g = grafana.values().iterator().next();
    assertEquals("/etc/grafana/provisioning", mountTarget(g, "./grafana/provisioning"), "Grafana reads its provisioning there");

    List<JsonNode> datasources = new ArrayList<>();
    try (var files = Files.list(DOCKER.resolve("grafana/provisioning/datasources"))) {
      for (Path f : files.toList()) {
        yaml(f).path("datasources").forEach(datasources::add);
      }
    }
    assertEquals(1, datasources.size(), "one datasource");
    JsonNode ds = datasources.get(0);
    assertEquals("prometheus", ds.path("type").asText());
    Map<String, JsonNode> prometheus = servicesWithImage("prom/prometheus:");
    assertEquals(1, prometheus.size(), "one Prometheus");
    String prometheusService = prometheus.keySet().iterator().next();
    assertTrue(prometheus.get(prometheusService).path("command").isMissingNode(),
        "Prometheus keeps its image's command (config /etc/prometheus/prometheus.yml, port 9090)");
    assertEquals("/etc/prometheus/prometheus.yml", mountTarget(prometheus.get(prometheusService), "./prometheus/prometheus.yml"));
    assertEquals("http://" + prometheusService + ":9090", ds.path("url").asText(), "the datasource is the compose file's Prometheus");
    String uid = ds.path("uid").asText();
    assertFalse(uid.isEmpty(), "the datasource has a uid the panels name");

    JsonNode provider = null;
    try (var files = Files.list(DOCKER.resolve("grafana/provisioning/dashboards"))) {
      for (Path f : files.toList()) {
        for (JsonNode p : yaml(f).path("providers")) {
          assertEquals(null, provider, "one dashboard provider");
          provider = p;
        }
      }
    }
    assertNotNull(provider, "a dashboard provider");
    String dashboards = provider.path("options").path("path").asText();
    assertEquals(dashboards, mountTarget(g, "./grafana/dashboards"), "the provider reads the mounted dashboards");
    String home = environment(g).get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH");
    assertTrue(home.startsWith(dashboards + "/") && Files.exists(DOCKER.resolve("grafana/dashboards").resolve(home.substring(dashboards.length() + 1))),
        "the home dashboard is a mounted file: " + home);

    JsonNode dashboard = dashboard();
    assertFalse(dashboard.path("uid").asText().isEmpty(), "the dashboard has a uid");
    List<JsonNode> panels = panels(dashboard);
    Set<Integer> ids = new TreeSet<>();
    int queries = 0;
    for (JsonNode p : panels) {
      assertTrue(ids.add(p.path("id").asInt()), "panel ids are unique: " + p.path("id"));
      if (p.path("type").asText().equals("row")) {
        continue;
      }
      assertEquals(uid, p.path("datasource").path("uid").asText(), "panel " + p.path("title") + " uses the provisioned datasource");
      assertFalse(p.path("targets").isEmpty(), "panel " + p.path("title") + " has queries");
      for (JsonNode t : p.path("targets")) {
        assertEquals(uid, t.path("datasource").path("uid").asText(uid), "query of " + p.path("title"));
        assertFalse(t.path("expr").asText().isBlank(), "query of " + p.path("title"));
        queries++;
      }
    }
    assertTrue(queries >= 10, "the dashboard has its queries, got " + queries);
    assertEquals(0, dashboard.path("templating").path("list").size(), "no template variables (their queries are not checked here)");
  }

  private static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode p : dashboard.path("panels")) {
      out.add(p);
      p.path("panels").forEach(out::add);   // panels of collapsed rows
    }
    return out;
  }

  /** Every PromQL expression of the dashboard, wherever it stands. */
  private static List<String> dashboardQueries() {
    List<String> exprs = new ArrayList<>();
    collectExprs(dashboard(), exprs);
    return exprs;
  }

  private static void collectExprs(JsonNode node, List<String> out) {
    if (node.isObject()) {
      node.fields().forEachRemaining(f -> {
        if (f.getKey().equals("expr")) {
          out.add(f.getValue().asText());
        } else {
          collectExprs(f.getValue(), out);
        }
      });
    } else if (node.isArray()) {
      node.forEach(n -> collectExprs(n, out));
    }
  }

  // ---------------------------------------------------------------- metrics against a real pipeline

  /**
   * A pipeline on a real (in-process) broker with its HTTP endpoints as {@code run} starts them
   * ({@code PipelineEndpoints}), fed simulated samples; started once for these tests.
   */
  @Nested
  class AgainstARealPipeline {

    @RegisterExtension
    static final LocalStackExtension STACK = new LocalStackExtension();

    private static PipelineEndpoints endpoints;
    private static MeteringApplication app;
    private static int samplesSent;
    /** The last exposition read from the pipeline's /metrics. */
    private static String scrape;

    @BeforeAll
    static void startThePipelineAndScrapeIt() throws Exception {
      Map<String, Object> props = STACK.clientProps();
      MeteringConfig config = MeteringConfig.from(props);   // the defaults, as in compose.yaml: metric names do not depend on the flags
      MeteringApplication.provisionTopics(props, config);
      PricesCommand.publish(props, PriceLoader.read(REPO.resolve("examples/prices.jsonl")),
          config.topics().name(FactoryTopic.TARIFFS), config.topics().name(FactoryTopic.GPU_RATES));
      Instant now = Instant.now();
      FleetSimulator sim = new FleetSimulator(new FleetSpec(6, 2, 2, 3, 8, Duration.ofSeconds(10), 7L),
          now.truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(6)));
      List<NodeSample> samples = new ArrayList<>();
      for (int i = 0; i < SAMPLE_STEPS; i++) {
        samples.addAll(sim.step());
      }
      try (AvroRecordSender<NodeSample> sender = new AvroRecordSender<>(props, config.topics().telemetry())) {
        samples.forEach(s -> sender.send(s.getNodeId(), s));
        samples.subList(0, DUPLICATES).forEach(s -> sender.send(s.getNodeId(), s));
        sender.heartbeat(now.toEpochMilli());   // settles the first minutes (their end + grace has passed)
        sender.flush();
      }
      samplesSent = samples.size() + DUPLICATES;

      Path state = Files.createTempDirectory(Path.of("target"), "docker-deployment-state");
      endpoints = PipelineEndpoints.bind("127.0.0.1", 0, java.util.Optional.empty());
      String self = endpoints.applicationServer(java.util.Optional.empty());
      app = MeteringApplication.start(props, config, new MeteringApplication.Options("factory-meter", state, 1, self));
      endpoints.serve(app.streams(), props, config.topics().name(FactoryTopic.FLEET_METRICS), self);
      assertTrue(app.awaitRunning(Duration.ofSeconds(60)), "the pipeline runs");
      // until the counters have counted every record, a settled fleet minute is read, and the input lag is measured
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      do {
        Thread.sleep(500);
        scrape = get(endpoints.port(), metricsPath()).body();
      } while (System.nanoTime() < deadline && !(sum(scrape, "kafka_stream_factory_meter_samples_in_total") == samplesSent
          && Double.isFinite(sum(scrape, "factory_meter_fleet_tokens_per_second"))
          && scrape.contains("kafka_consumer_fetch_manager_records_lag{")));
      // Micrometer's Kafka binder registers new Kafka Streams metrics one by one, every PipelineMeters.REFRESH: a
      // scrape in the middle of that has some of a task's counters only. Kept once the series stay the same a full period.
      Set<String> series = series(scrape);
      long stableSince = System.nanoTime();
      while (System.nanoTime() - stableSince < PipelineMeters.REFRESH.plusSeconds(1).toNanos() && System.nanoTime() < deadline) {
        Thread.sleep(500);
        scrape = get(endpoints.port(), metricsPath()).body();
        Set<String> current = series(scrape);
        if (!current.equals(series)) {
          series = current;
          stableSince = System.nanoTime();
        }
      }
    }

    /** Every series of an exposition, name and labels. */
    private static Set<String> series(String exposition) {
      Set<String> out = new TreeSet<>();
      Exposition.parse(exposition).forEach((name, labelSets) -> labelSets.forEach(l -> out.add(name + l)));
      return out;
    }

    @AfterAll
    static void stopThePipeline() {
      if (endpoints != null) {
        endpoints.close();
      }
      if (app != null) {
        app.close();
      }
    }

    private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    }

    /** Sum of every series of {@code metric} in an exposition; NaN where it has none. */
    private static double sum(String exposition, String metric) {
      double total = 0;
      boolean found = false;
      for (String line : exposition.split("\n")) {
        if (line.startsWith(metric + "{") || line.startsWith(metric + " ")) {
          total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
          found = true;
        }
      }
      return found ? total : Double.NaN;
    }

    @Test
    void theScrapeIsOfAPipelineThatMeteredTheSamples() {
      assertEquals(samplesSent, sum(scrape, "kafka_stream_factory_meter_samples_in_total"), "samples-in counts every record sent");
      assertEquals(DUPLICATES, sum(scrape, "kafka_stream_factory_meter_duplicates_total"), "the records sent twice");
      double tokensPerSecond = sum(scrape, "factory_meter_fleet_tokens_per_second");
      assertTrue(tokensPerSecond > 0 && Double.isFinite(tokensPerSecond), "a settled fleet minute, got " + tokensPerSecond);
    }

    @Test
    void everyMetricAndLabelTheDashboardQueriesIsInARealScrape() {
      Map<String, List<Map<String, String>>> exposed = Exposition.parse(scrape);
      String job = factoryMeterJob().path("job_name").asText();
      List<String> problems = new ArrayList<>();
      List<String> exprs = dashboardQueries();
      Set<String> metrics = new TreeSet<>();
      for (String expr : exprs) {
        problems.addAll(PromQl.problems(expr, exposed, job));
        PromQl.parse(expr).selectors().forEach(s -> metrics.add(s.metric()));
      }
      assertEquals(List.of(), problems, "queries of the dashboard against /metrics of the pipeline (scrape kept as "
          + saveScrape() + ")");
      // what the dashboard must show (the issue): fleet figures, pipeline counters, input lag, process rate
      for (String m : List.of("factory_meter_fleet_tokens_per_second", "factory_meter_fleet_tokens_per_joule",
          "factory_meter_fleet_cost_per_million_tokens", "kafka_stream_factory_meter_samples_in_total",
          "kafka_stream_factory_meter_duplicates_total", "kafka_stream_factory_meter_invalid_out_of_range_total",
          "kafka_stream_factory_meter_late_beyond_restatement_total", "kafka_stream_factory_meter_unpriced_total",
          "kafka_consumer_fetch_manager_records_lag", "kafka_stream_thread_process_rate")) {
        assertTrue(metrics.contains(m), "the dashboard shows " + m);
      }
      // and every dead-letter reason the pipeline counts (their counters exist from a task's start, at 0)
      for (String m : exposed.keySet()) {
        if (m.startsWith("kafka_stream_factory_meter_invalid_") && m.endsWith("_total")) {
          assertTrue(metrics.contains(m), "the dashboard shows " + m);
        }
      }
    }

    @Test
    void aQueryOfAMetricOrLabelValueThatIsNotExposedIsReported() {
      Map<String, List<Map<String, String>>> exposed = Exposition.parse(scrape);
      assertEquals(List.of(), PromQl.problems(
          "sum(rate(kafka_stream_factory_meter_samples_in_total{job=\"factory-meter\"}[5m]))", exposed, "factory-meter"));
      List<String> wrongName = PromQl.problems("sum(rate(kafka_stream_factory_meter_late_for_metrics_total[5m]))", exposed, "factory-meter");
      assertEquals(1, wrongName.size(), wrongName.toString());
      assertTrue(wrongName.get(0).contains("kafka_stream_factory_meter_late_for_metrics_total"), wrongName.toString());
      assertEquals(1, PromQl.problems("kafka_consumer_fetch_manager_records_lag{topic=\"factory.telemetry.typo\"}", exposed, "factory-meter")
          .size());
      assertEquals(1, PromQl.problems("sum by (tenant) (factory_meter_fleet_power_watts)", exposed, "factory-meter").size());
      assertEquals(1, PromQl.problems("up{job=\"another-job\"}", exposed, "factory-meter").size());
    }

    @Test
    void thePromQlReaderFindsMetricsMatchersAndGroupings() {
      PromQl.Parsed p = PromQl.parse("sum by (instance) (rate(a_total{job=\"x\", topic=~\"t.*\"}[$__rate_interval]))"
          + " / ignoring(le) b:recorded + time() - max without(area) (c{area='heap',id!=\"x,}\"}) offset 5m > bool 1e3"
          + " and on() label_replace(d, \"dst\", \"$1\", \"src\", \"(.*)\")");
      assertEquals(List.of("a_total", "b:recorded", "c", "d"), p.selectors().stream().map(PromQl.Selector::metric).toList());
      assertEquals(Map.of("job", "x"), p.selectors().get(0).equals());
      assertEquals(Set.of("job", "topic"), p.selectors().get(0).labels());
      assertEquals(Map.of("area", "heap"), p.selectors().get(2).equals());
      assertEquals(Set.of("area", "id"), p.selectors().get(2).labels());
      assertEquals(Set.of("instance", "le", "area"), p.grouping());
    }

    private static Path saveScrape() {
      try {
        return Files.writeString(Path.of("target", "docker-deployment-scrape.txt"), scrape);
      } catch (IOException e) {
        return null;
      }
    }

    private static Path onPath(String binary) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        Path p = Path.of(dir, binary);
        if (Files.isExecutable(p)) {
          return p;
        }
      }
      return null;
    }

    @Test
    void aRealPrometheusLoadsTheConfigScrapesThePipelineAndAnswersEveryDashboardQuery() throws Exception {
      Path prometheus = onPath("prometheus");
      assumeTrue(prometheus != null, "no prometheus binary on the PATH (Debian package prometheus; .ci/run installs it)");
      Path promtool = onPath("promtool");
      if (promtool != null) {
        Process check = new ProcessBuilder(promtool.toString(), "check", "config", DOCKER.resolve("prometheus/prometheus.yml").toString())
            .redirectErrorStream(true).start();
        String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, check.waitFor(), "promtool check config: " + out);
      }
      // the compose file's prometheus.yml, its targets replaced by the in-process pipeline and scraped every second
      Path dir = Files.createTempDirectory(Path.of("target"), "docker-deployment-prometheus");
      ObjectNode config = (ObjectNode) prometheusConfig();
      ((ObjectNode) config.path("global")).put("scrape_interval", "1s");
      ObjectNode job = (ObjectNode) config.path("scrape_configs").get(0);
      ArrayNode staticConfigs = job.putArray("static_configs");
      staticConfigs.addObject().putArray("targets").add("127.0.0.1:" + endpoints.port());
      Path yml = dir.resolve("prometheus.yml");
      YAML.writeValue(yml.toFile(), config);
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      Process p = new ProcessBuilder(prometheus.toString(), "--config.file=" + yml, "--storage.tsdb.path=" + dir.resolve("tsdb"),
          "--web.listen-address=127.0.0.1:" + port).redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile())
          .start();
      try {
        List<String> exprs = dashboardQueries();
        Map<String, String> answers = new TreeMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
        do {
          Thread.sleep(1_000);
          answers.clear();
          for (String expr : exprs) {
            String result = query(port, expr);
            if (result != null) {
              answers.put(expr, result);
            }
          }
        } while (!answers.isEmpty() && System.nanoTime() < deadline);
        assertEquals(Map.of(), answers, "dashboard queries Prometheus answered with no series (log: " + dir.resolve("prometheus.log") + ")");
      } finally {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }

    /** Null when Prometheus answers {@code expr} (Grafana's interval variables replaced) with at least one series, else what it said. */
    private static String query(int port, String expr) throws IOException, InterruptedException {
      String promql = expr.replace("$__rate_interval", "10s").replace("$__range", "1m").replace("$__interval", "1s");
      HttpResponse<String> r = get(port, "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
      if (r.statusCode() != 200) {
        return r.statusCode() + " " + r.body();
      }
      JsonNode result = JSON.readTree(r.body()).path("data").path("result");
      return result.isArray() && result.size() > 0 ? null : r.body();
    }
  }

  // ---------------------------------------------------------------- Prometheus text and PromQL, read here

  /** The series of a Prometheus text exposition: label sets by metric name. */
  static final class Exposition {

    static Map<String, List<Map<String, String>>> parse(String text) {
      Map<String, List<Map<String, String>>> out = new TreeMap<>();
      for (String line : text.split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
          i++;
        }
        Map<String, String> labels = new TreeMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
          PromQl.matchers(line, i, labels, new TreeSet<>(), true);
        }
        out.computeIfAbsent(line.substring(0, i), k -> new ArrayList<>()).add(labels);
      }
      return out;
    }
  }

  /**
   * Enough of PromQL to find the series selectors of an expression (metric name, label matchers)
   * and its grouping labels ({@code by}, {@code without}, {@code on}, {@code ignoring},
   * {@code group_left}, {@code group_right}); functions, numbers, durations, strings and Grafana's
   * {@code $variables} are skipped.
   */
  static final class PromQl {

    record Selector(String metric, Map<String, String> equals, Set<String> labels) {
    }

    record Parsed(List<Selector> selectors, Set<String> grouping) {
    }

    private static final Set<String> GROUPING = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");
    private static final Set<String> KEYWORDS = Set.of("bool", "and", "or", "unless", "offset", "atan2", "inf", "nan");
    /** Aggregation operators: a grouping clause may stand between them and their parenthesis. */
    private static final Set<String> AGGREGATIONS = Set.of("sum", "min", "max", "avg", "group", "stddev", "stdvar", "count",
        "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio");
    /** Series Prometheus makes itself for every target, with its labels. */
    private static final Map<String, Set<String>> SYNTHETIC = Map.of("up", Set.of("job", "instance"),
        "scrape_duration_seconds", Set.of("job", "instance"), "scrape_samples_scraped", Set.of("job", "instance"));
    /** Labels Prometheus adds to every series it scrapes. */
    private static final Set<String> TARGET_LABELS = Set.of("job", "instance");

    static Parsed parse(String expr) {
      List<Selector> selectors = new ArrayList<>();
      Set<String> grouping = new TreeSet<>();
      int n = expr.length();
      int i = 0;
      while (i < n) {
        char c = expr.charAt(i);
        if (c == '"' || c == '\'' || c == '`') {
          i = skipString(expr, i);
        } else if (c == '$') {
          i++;
          while (i < n && isIdentPart(expr.charAt(i))) {
            i++;
          }
        } else if (c == '[') {
          int close = expr.indexOf(']', i);
          if (close < 0) {
            throw new IllegalArgumentException("unclosed [ in " + expr);
          }
          i = close + 1;
        } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(expr.charAt(i + 1)))) {
          while (i < n && (Character.isLetterOrDigit(expr.charAt(i)) || expr.charAt(i) == '.')) {
            i++;
          }
        } else if (c == '{') {
          throw new IllegalArgumentException("a selector without a metric name cannot be checked: " + expr);
        } else if (Character.isLetter(c) || c == '_' || c == ':') {
          int start = i;
          while (i < n && isIdentPart(expr.charAt(i))) {
            i++;
          }
          String word = expr.substring(start, i);
          int j = skipSpaces(expr, i);
          if (GROUPING.contains(word)) {
            if (j < n && expr.charAt(j) == '(') {
              int close = expr.indexOf(')', j);
              for (String label : expr.substring(j + 1, close).split(",")) {
                if (!label.isBlank()) {
                  grouping.add(label.trim());
                }
              }
              i = close + 1;
            }
          } else if (KEYWORDS.contains(word.toLowerCase()) || AGGREGATIONS.contains(word)) {
            // an operator, a modifier or an aggregation (its grouping and parenthesis follow)
          } else if (j < n && expr.charAt(j) == '(') {
            i = j;   // a function or an aggregation
          } else {
            Map<String, String> equals = new TreeMap<>();
            Set<String> labels = new TreeSet<>();
            if (j < n && expr.charAt(j) == '{') {
              i = matchers(expr, j, equals, labels, false);
            }
            selectors.add(new Selector(word, equals, labels));
          }
        } else {
          i++;
        }
      }
      return new Parsed(selectors, grouping);
    }

    /**
     * Reads {@code {name op "value", ...}} from {@code open}: the labels named, and the values of
     * {@code =} matchers; returns the index after the closing brace. {@code exposition}: a series'
     * labels (only {@code =}, values in double quotes with Prometheus' escapes).
     */
    static int matchers(String s, int open, Map<String, String> equals, Set<String> labels, boolean exposition) {
      int i = open + 1;
      while (true) {
        i = skipSpaces(s, i);
        if (s.charAt(i) == '}') {
          return i + 1;
        }
        int start = i;
        while (isIdentPart(s.charAt(i))) {
          i++;
        }
        String label = s.substring(start, i);
        i = skipSpaces(s, i);
        String op = s.startsWith("=~", i) || s.startsWith("!~", i) || s.startsWith("!=", i) ? s.substring(i, i + 2) : "=";
        i += op.length();
        i = skipSpaces(s, i);
        int end = skipString(s, i);
        String value = unquote(s.substring(i + 1, end - 1));
        if (op.equals("=")) {
          equals.put(label, value);
        } else if (exposition) {
          throw new IllegalArgumentException("not an exposition line: " + s);
        }
        labels.add(label);
        i = skipSpaces(s, end);
        if (s.charAt(i) == ',') {
          i++;
        }
      }
    }

    /**
     * What does not fit the scrape: a metric not exposed, a label a metric does not have, a value
     * of an {@code =} matcher no series has, a grouping label of none of the expression's metrics;
     * {@code job} must be the scrape job, {@code up} and Prometheus' own per-target series only
     * have {@code job} and {@code instance}.
     */
    static List<String> problems(String expr, Map<String, List<Map<String, String>>> exposed, String job) {
      List<String> problems = new ArrayList<>();
      Parsed parsed = parse(expr);
      if (parsed.selectors().isEmpty()) {
        problems.add(expr + ": no metric");
      }
      Set<String> labelsOfTheMetrics = new TreeSet<>(TARGET_LABELS);
      for (Selector s : parsed.selectors()) {
        if (!job.equals(s.equals().getOrDefault("job", job))) {
          problems.add(expr + ": job=\"" + s.equals().get("job") + "\", but the scrape job is " + job);
        }
        if (SYNTHETIC.containsKey(s.metric())) {
          for (String label : s.labels()) {
            if (!SYNTHETIC.get(s.metric()).contains(label)) {
              problems.add(expr + ": " + s.metric() + " has no label " + label);
            }
          }
          continue;
        }
        List<Map<String, String>> series = exposed.get(s.metric());
        if (series == null) {
          problems.add(expr + ": " + s.metric() + " is not in /metrics");
          continue;
        }
        series.forEach(l -> labelsOfTheMetrics.addAll(l.keySet()));
        for (String label : s.labels()) {
          if (TARGET_LABELS.contains(label)) {
            continue;
          }
          if (series.stream().noneMatch(l -> l.containsKey(label))) {
            problems.add(expr + ": " + s.metric() + " has no label " + label);
          } else if (s.equals().containsKey(label)
              && series.stream().noneMatch(l -> s.equals().get(label).equals(l.get(label)))) {
            problems.add(expr + ": no series of " + s.metric() + " has " + label + "=\"" + s.equals().get(label) + "\"");
          }
        }
      }
      for (String label : parsed.grouping()) {
        if (!labelsOfTheMetrics.contains(label)) {
          problems.add(expr + ": grouping by " + label + ", a label of none of its metrics");
        }
      }
      return problems;
    }

    private static boolean isIdentPart(char c) {
      return Character.isLetterOrDigit(c) || c == '_' || c == ':';
    }

    private static int skipSpaces(String s, int i) {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      return i;
    }

    /** The index after the string literal starting at {@code i}. */
    private static int skipString(String s, int i) {
      char quote = s.charAt(i);
      for (int j = i + 1; j < s.length(); j++) {
        if (s.charAt(j) == '\\' && quote != '`') {
          j++;
        } else if (s.charAt(j) == quote) {
          return j + 1;
        }
      }
      throw new IllegalArgumentException("unclosed string in " + s);
    }

    private static String unquote(String s) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '\\' && i + 1 < s.length()) {
          char next = s.charAt(++i);
          b.append(next == 'n' ? '\n' : next);
        } else {
          b.append(c);
        }
      }
      return b.toString();
    }
  }
}
