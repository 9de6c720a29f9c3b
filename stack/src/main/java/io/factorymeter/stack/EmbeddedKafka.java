package io.factorymeter.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import io.factorymeter.stack.security.StackSecurity;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka broker in this JVM: one KRaft node that is both broker and controller, on
 * 127.0.0.1. Its log directory is formatted on first start and reused on later starts, so data
 * survives a restart when the same directory is given.
 *
 * <p>Everything else is a stock broker's default, the timestamp limits among them (a record more
 * than one hour ahead of the broker's clock is refused unless its topic says otherwise).
 *
 * <p>Settings a single-node cluster needs for consumer groups and transactions
 * (exactly_once_v2) are set: replication factor 1 for the offsets and transaction state topics,
 * transaction state min ISR 1, and no initial rebalance delay.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  private static final int NODE_ID = 1;

  private static final String SECURE_LISTENER = "SASL_SSL";

  private final int port;
  private final KafkaRaftServer server;
  private final StackSecurity security;
  private boolean closed;

  private EmbeddedKafka(int port, KafkaRaftServer server, StackSecurity security) {
    this.port = port;
    this.server = server;
    this.security = security;
  }

  /** Whether {@code logDir} holds a formatted broker. */
  public static boolean isFormatted(Path logDir) {
    return Files.exists(logDir.resolve("meta.properties"));
  }

  /**
   * Starts a broker and waits until it serves requests.
   *
   * @param logDir directory for the broker's data; formatted when it holds no Kafka data yet
   * @param port the client port on 127.0.0.1, or 0 for a free one
   */
  public static EmbeddedKafka start(Path logDir, int port) {
    return start(logDir, port, null);
  }

  /**
   * Starts a broker and waits until it serves requests; with {@code security}, its client listener
   * is SASL_SSL (SCRAM-SHA-512 only), also used between brokers (the broker's own SCRAM user), and
   * its controller listener SSL with client certificates required (the broker presents the server
   * certificate); the SCRAM users are created when the storage is formatted.
   *
   * @param security null for a PLAINTEXT broker
   */
  public static EmbeddedKafka start(Path logDir, int port, StackSecurity security) {
    return start(logDir, port, security, 0);
  }

  /**
   * Like {@link #start(Path, int, StackSecurity)}, but the broker advertises {@code advertisedPort}
   * on 127.0.0.1 to clients (0: its own port), e.g. that of a TCP proxy in front of it (the fault suite).
   */
  public static EmbeddedKafka start(Path logDir, int port, StackSecurity security, int advertisedPort) {
    try {
      Files.createDirectories(logDir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create Kafka data directory " + logDir, e);
    }
    if (port != 0) {
      requireFree(port, "Kafka"); // else the broker logs a fatal error with stack traces before it gives up
    }
    int clientPort = port == 0 ? freePort() : port;
    int controllerPort = freePort();
    Map<String, Object> props = new HashMap<>();
    props.put("process.roles", "broker,controller");
    props.put("node.id", Integer.toString(NODE_ID));
    props.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
    String clientListener = security == null ? "PLAINTEXT" : SECURE_LISTENER;
    props.put("listeners", clientListener + "://127.0.0.1:" + clientPort + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", clientListener + "://127.0.0.1:" + (advertisedPort == 0 ? clientPort : advertisedPort));
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    props.put("controller.listener.names", CONTROLLER_LISTENER);
    props.put("inter.broker.listener.name", "PLAINTEXT");
    if (security != null) {
      props.putAll(security.brokerConfig(SECURE_LISTENER, CONTROLLER_LISTENER));
    }
    props.put("log.dirs", logDir.toAbsolutePath().toString());
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "5");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("transaction.state.log.num.partitions", "5");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("num.partitions", "3");
    props.put("auto.create.topics.enable", "false");
    props.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
    props.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
    // broker timestamp limits stay at Kafka's defaults (no record more than 1 h ahead of the clock), as on a stock
    // broker: the topics the pipeline creates lift that limit themselves (FactoryTopic#configs)
    KafkaConfig config = new KafkaConfig(props, false);

    formatIfNeeded(logDir, security);
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    long started = System.nanoTime();
    try {
      server.startup();
    } catch (RuntimeException e) {
      safeShutdown(server);
      throw new IllegalStateException("Kafka broker did not start on 127.0.0.1:" + clientPort + ": " + e.getMessage(), e);
    }
    EmbeddedKafka kafka = new EmbeddedKafka(clientPort, server, security);
    try {
      kafka.awaitReady(Duration.ofSeconds(60));
    } catch (RuntimeException e) {
      kafka.close();
      throw e;
    }
    log.info("Kafka broker ready at {} ({}) in {} ms (data in {})", kafka.bootstrapServers(), clientListener,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), logDir);
    return kafka;
  }

  /** {@code 127.0.0.1:<port>}, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** The broker's security, or null for a PLAINTEXT broker. */
  public StackSecurity security() {
    return security;
  }

  /** Stops the broker and waits for it; idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    safeShutdown(server);
  }

  private void awaitReady(Duration timeout) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    if (security != null) {
      props.putAll(security.brokerClientProps());
    }
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = Admin.create(props)) {
      while (true) {
        Exception last = null;
        try {
          if (!admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty()) {
            // the broker answers metadata requests; listing topics proves the controller works too
            admin.listTopics().names().get(10, TimeUnit.SECONDS);
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          last = e;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Interrupted while waiting for the Kafka broker", e);
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Kafka broker at " + bootstrapServers() + " not ready after " + timeout, last);
        }
      }
    }
  }

  private static void formatIfNeeded(Path logDir, StackSecurity security) {
    if (isFormatted(logDir)) {
      return;
    }
    try {
      Formatter formatter = new Formatter();
      if (security != null) {
        formatter.setScramArguments(security.scramArguments());
      }
      formatter
          .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
          .setNodeId(NODE_ID)
          .setClusterId(Uuid.randomUuid().toString())
          .setDirectories(List.of(logDir.toAbsolutePath().toString()))
          .setMetadataLogDirectory(logDir.toAbsolutePath().toString())
          .setReleaseVersion(MetadataVersion.latestProduction())
          .setControllerListenerName(CONTROLLER_LISTENER)
          .setIgnoreFormatted(true)
          .run();
    } catch (Exception e) {
      throw new IllegalStateException("Cannot format Kafka data directory " + logDir + ": " + e.getMessage(), e);
    }
  }

  private static void safeShutdown(KafkaRaftServer server) {
    try {
      server.shutdown();
      server.awaitShutdown();
    } catch (RuntimeException e) {
      log.warn("Kafka broker shutdown: {}", e.toString());
    }
  }

  /**
   * Fails with an {@link IllegalStateException} (cause: the {@link java.net.BindException}) when
   * {@code port} on 127.0.0.1 is taken, e.g. by another stack.
   *
   * @param what whose port it is, for the message ("Kafka", "schema registry")
   */
  public static void requireFree(int port, String what) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
    } catch (IOException e) {
      throw new IllegalStateException(what + " cannot listen on 127.0.0.1:" + port + ": the port is already in use", e);
    }
  }

  /** A TCP port on 127.0.0.1 that was free a moment ago. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("No free TCP port on 127.0.0.1", e);
    }
  }
}
