package io.factorymeter.app;

import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.deadletter.DeadLetterConfig;
import io.factorymeter.app.deadletter.DeadLetterDeserializationHandler;
import io.factorymeter.app.deadletter.DeadLetterProcessingHandler;
import io.factorymeter.app.deadletter.DeadLetterProductionHandler;
import io.factorymeter.app.deadletter.HandledErrors;
import io.factorymeter.app.metering.MeteringCounters;
import io.factorymeter.app.rocksdb.BoundedMemoryRocksDbConfig;
import io.factorymeter.app.serde.AppSerdes;
import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.contract.TopicProvisioner;
import io.factorymeter.registry.serde.SchemaRegistryUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wiring of the Kafka Streams application: provisions the topics, builds the topology from the
 * pure {@code build} methods, configures Kafka Streams (exactly_once_v2 by default, bounded
 * RocksDB memory) and runs it.
 */
public final class MeteringApplication implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(MeteringApplication.class);

  /** The topics the application reads and writes. */
  public static final List<FactoryTopic> TOPICS = List.of(FactoryTopic.values());

  /**
   * How to run.
   *
   * @param applicationId Kafka Streams application.id (consumer group, internal topic prefix)
   * @param stateDir where RocksDB state lives (outside the system temp directory)
   * @param threads stream threads
   * @param applicationServer {@code host:port} where peers reach this instance's query API
   *     (Kafka Streams {@code application.server}), or null for a single instance without one
   */
  public record Options(String applicationId, Path stateDir, int threads, String applicationServer) {

    /** Options of an instance without a query API address. */
    public Options(String applicationId, Path stateDir, int threads) {
      this(applicationId, stateDir, threads, null);
    }

    /** The same options with peers reaching this instance at {@code applicationServer} ({@code host:port}). */
    public Options withApplicationServer(String applicationServer) {
      return new Options(applicationId, stateDir, threads, applicationServer);
    }
  }

  private final KafkaStreams streams;
  private final Path runningMarker;

  private MeteringApplication(KafkaStreams streams, Path runningMarker) {
    this.streams = streams;
    this.runningMarker = runningMarker;
  }

  /**
   * The Kafka Streams configuration: client properties first, then the application's settings.
   * Exception handlers dead-letter what a processor fails on, what the broker refuses and
   * internal records that do not decode ({@link DeadLetterProcessingHandler} and siblings); the
   * internal topics, like the application's own, accept record timestamps ahead of the broker's
   * clock; a transaction may stay open while a record waits for the schema registry.
   */
  public static Properties streamsProperties(Map<String, Object> clientProps, MeteringConfig config, Options options) {
    Properties props = new Properties();
    props.putAll(clientProps);
    props.putAll(DeadLetterConfig.properties(config));
    props.putIfAbsent(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingHandler.class.getName());
    props.putIfAbsent(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProductionHandler.class.getName());
    props.putIfAbsent(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterDeserializationHandler.class.getName());
    props.putIfAbsent(StreamsConfig.topicPrefix(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG), FactoryTopic.ANY_FUTURE_TIMESTAMP);
    props.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), 60_000);
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, options.applicationId());
    props.put(StreamsConfig.STATE_DIR_CONFIG, options.stateDir().toAbsolutePath().toString());
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, options.threads());
    if (options.applicationServer() != null) {
      props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, options.applicationServer());
    }
    props.putIfAbsent(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.putIfAbsent(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedMemoryRocksDbConfig.class.getName());
    props.putIfAbsent(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1);
    return props;
  }

  /** The topology the application runs. */
  public static Topology topology(MeteringConfig config, Map<String, Object> clientProps) {
    return FactoryTopology.build(config, new AppSerdes(clientProps));
  }

  /**
   * Creates missing topics, fails naming a topic whose cleanup policy is wrong, and returns the
   * configuration completed with the number of partitions of the telemetry topic.
   */
  public static MeteringConfig provisionTopics(Map<String, Object> clientProps, MeteringConfig config) {
    try (Admin admin = Admin.create(adminProps(clientProps))) {
      new TopicProvisioner(admin, Optional.empty(), Optional.empty()).ensure(topics(config));
      String telemetry = config.topics().telemetry();
      int partitions = admin.describeTopics(List.of(telemetry)).allTopicNames().get().get(telemetry).partitions().size();
      return config.withInputPartitions(partitions).withDeadLetterMaxBytes(deadLetterRoom(admin, config));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while preparing topics", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("Cannot describe " + config.topics().telemetry() + ": " + e.getCause().getMessage(), e);
    }
  }

  /**
   * The largest dead letter the dead-letter and late topics take: the configured size, or less
   * when either topic's {@code max.message.bytes} is smaller (minus room for the batch header).
   * A broker refusing a dead letter would abort the transaction under exactly-once and stop the
   * application on every restart, so dead letters are cut to fit before they are written.
   */
  private static int deadLetterRoom(Admin admin, MeteringConfig config) throws InterruptedException,
      java.util.concurrent.ExecutionException {
    List<ConfigResource> topics = List.of(
        new ConfigResource(ConfigResource.Type.TOPIC, config.topics().name(FactoryTopic.TELEMETRY_DLQ)),
        new ConfigResource(ConfigResource.Type.TOPIC, config.topics().name(FactoryTopic.TELEMETRY_LATE)));
    int room = config.deadLetterMaxBytes();
    for (var entry : admin.describeConfigs(topics).all().get().entrySet()) {
      var max = entry.getValue().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
      if (max != null && max.value() != null) {
        int fits = Integer.parseInt(max.value()) - 512;
        if (fits < room) {
          log.info("Topic {} takes records up to {} bytes: dead letters are cut to {} bytes", entry.getKey().name(),
              max.value(), fits);
          room = Math.max(4_096, fits);
        }
      }
    }
    return room;
  }

  /**
   * The topics to create or check: the catalog's, with the configured retention of the
   * dead-letter and late topics.
   */
  static List<TopicProvisioner.Topic> topics(MeteringConfig config) {
    List<TopicProvisioner.Topic> topics = new ArrayList<>();
    for (TopicProvisioner.Topic t : config.topics().provisioning(TOPICS)) {
      if (t.name().equals(config.topics().name(FactoryTopic.TELEMETRY_DLQ))
          || t.name().equals(config.topics().name(FactoryTopic.TELEMETRY_LATE))) {
        Map<String, String> configs = new LinkedHashMap<>(t.configs());
        configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(config.deadLetterRetention().toMillis()));
        t = new TopicProvisioner.Topic(t.name(), configs, t.partitions());
      }
      topics.add(t);
    }
    return topics;
  }

  /**
   * The client properties an Admin client accepts (others would be logged as unknown), plus any
   * {@code sasl.*} or {@code ssl.*} key a security plug-in may read.
   */
  public static Map<String, Object> adminProps(Map<String, Object> clientProps) {
    Map<String, Object> adminProps = new HashMap<>();
    clientProps.forEach((k, v) -> {
      if (AdminClientConfig.configNames().contains(k) || k.startsWith("sasl.") || k.startsWith("ssl.")) {
        adminProps.put(k, v);
      }
    });
    return adminProps;
  }

  /**
   * Provisions the topics and starts the application (see {@link #awaitRunning}).
   *
   * <p>Two guards against KAFKA-20808 (Kafka Streams 4.3.1: after an unclean shutdown under
   * exactly-once, re-initialising a corrupted task with segmented window stores can kill the
   * stream thread with "Store ... is currently closed"; fixed for 4.3.2): if the previous run on
   * this state directory did not shut down cleanly, its local state is wiped first (exactly-once
   * would discard it anyway; it is rebuilt from the changelogs); and a stream thread that still
   * dies of that error is replaced, up to 5 times.
   */
  public static MeteringApplication start(Map<String, Object> clientProps, MeteringConfig config, Options options) {
    MeteringConfig complete = provisionTopics(clientProps, config);
    acceptFutureTimestampsOnInternalTopics(clientProps, options.applicationId());
    KafkaStreams streams = new KafkaStreams(topology(complete, clientProps), streamsProperties(clientProps, complete, options));
    Path marker = options.stateDir().resolve(options.applicationId()).resolve(RUNNING_MARKER);
    try {
      if (Files.exists(marker)) {
        log.warn("The previous run on {} did not shut down cleanly: its local state is rebuilt from the changelogs",
            marker.getParent());
        streams.cleanUp();
      }
      Files.createDirectories(marker.getParent());
      Files.writeString(marker, "running\n");
    } catch (IOException e) {
      throw new IllegalStateException("Cannot use state directory " + options.stateDir() + ": " + e.getMessage(), e);
    }
    AtomicInteger replaced = new AtomicInteger();
    AtomicInteger registryRetries = new AtomicInteger();
    streams.setUncaughtExceptionHandler(e -> {
      if (SchemaRegistryUnavailableException.isCause(e)) {
        // not the data's fault: the failed task's transaction is aborted and its records are read again
        long backoffMs = Math.min(30_000, 1_000L << Math.min(5, registryRetries.getAndIncrement()));
        log.warn("Schema registry unavailable: waiting {} s, then the stream thread is replaced and its records read again",
            backoffMs / 1000);
        sleepQuietly(backoffMs);
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
      }
      if (isKafka20808(e) && replaced.incrementAndGet() <= 5) {
        log.warn("Stream thread failed re-initialising a task after an unclean shutdown (KAFKA-20808); replacing the thread", e);
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
      }
      log.error("Stream thread failed; stopping the application", e);
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    streams.start();
    return new MeteringApplication(streams, marker);
  }

  /**
   * Internal topics made by an earlier version may refuse record timestamps ahead of the broker's
   * clock (new ones are created accepting them): sets {@code message.timestamp.after.max.ms} on them.
   */
  static void acceptFutureTimestampsOnInternalTopics(Map<String, Object> clientProps, String applicationId) {
    try (Admin admin = Admin.create(adminProps(clientProps))) {
      List<TopicProvisioner.Topic> internal = admin.listTopics().names().get().stream()
          .filter(n -> n.startsWith(applicationId + "-") && (n.endsWith("-repartition") || n.endsWith("-changelog")))
          .map(n -> new TopicProvisioner.Topic(n, Map.of(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG,
              FactoryTopic.ANY_FUTURE_TIMESTAMP), Optional.empty()))
          .toList();
      if (!internal.isEmpty()) {
        new TopicProvisioner(admin, Optional.empty(), Optional.empty()).ensure(internal);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while preparing topics", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("Cannot list topics: " + e.getCause().getMessage(), e);
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Name of the file that marks a state directory in use; left behind, it says the last run did not shut down cleanly. */
  static final String RUNNING_MARKER = ".factory-meter-running";

  private static boolean isKafka20808(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InvalidStateStoreException && String.valueOf(t.getMessage()).contains("is currently closed")) {
        return true;
      }
    }
    return false;
  }

  /** Waits until the application is RUNNING; false if it failed or the timeout passed. */
  public boolean awaitRunning(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      KafkaStreams.State s = streams.state();
      if (s == KafkaStreams.State.RUNNING) {
        return true;
      }
      if (s == KafkaStreams.State.ERROR || s == KafkaStreams.State.NOT_RUNNING || s == KafkaStreams.State.PENDING_ERROR) {
        return false;
      }
      Thread.sleep(100);
    }
    return false;
  }

  public KafkaStreams streams() {
    return streams;
  }

  /** Totals of the operator counters ({@link MeteringCounters}), by name, summed over tasks. */
  public Map<String, Double> counters() {
    return counters(streams.metrics());
  }

  /**
   * Kafka Streams' own count of records its windows dropped as too late. Should stay 0: the intake
   * decides lateness, and cluster and fleet windows accept for the restatement horizon + 1 h; a
   * partition lagging further behind the most advanced one (see the README) is the exception.
   */
  public static final String DROPPED_RECORDS = "dropped-records";

  public static Map<String, Double> counters(Map<MetricName, ? extends Metric> metrics) {
    Map<String, Double> totals = new TreeMap<>();
    for (MeteringCounters.Counter c : MeteringCounters.Counter.values()) {
      totals.put(c.metricName(), 0.0);
    }
    totals.put(DROPPED_RECORDS, 0.0);
    metrics.forEach((name, metric) -> {
      if (name.group().equals("stream-task-metrics") && name.name().equals("dropped-records-total")) {
        totals.merge(DROPPED_RECORDS, ((Number) metric.metricValue()).doubleValue(), Double::sum);
      }
      if (name.group().equals(MeteringCounters.GROUP) && name.name().endsWith("-total")) {
        totals.merge(name.name().substring(0, name.name().length() - "-total".length()),
            ((Number) metric.metricValue()).doubleValue(), Double::sum);
      }
    });
    totals.put("processing-errors", (double) HandledErrors.processing());
    totals.put("production-errors", (double) HandledErrors.production());
    return totals;
  }

  /**
   * Stops the application and leaves its consumer group; a clean stop removes the running marker
   * of its state directory.
   */
  @Override
  public void close() {
    // leave the group: the others take over its partitions at once, and a reset need not wait for the session to expire
    boolean clean = streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
        .withTimeout(Duration.ofSeconds(60)));
    if (clean && streams.state() == KafkaStreams.State.NOT_RUNNING) {
      try {
        Files.deleteIfExists(runningMarker);
      } catch (IOException e) {
        log.warn("Cannot remove {}: {}", runningMarker, e.toString());
      }
    }
  }
}
