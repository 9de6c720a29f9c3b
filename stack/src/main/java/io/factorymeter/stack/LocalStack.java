package io.factorymeter.stack;

import io.factorymeter.stack.registry.CompatibilityLevel;
import io.factorymeter.stack.registry.KafkaSchemaJournal;
import io.factorymeter.stack.registry.SchemaRegistryServer;
import io.factorymeter.stack.registry.SchemaRepository;
import io.factorymeter.stack.security.StackSecurity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local stack: a real Kafka broker (KRaft, in this JVM) and a Confluent-compatible schema
 * registry that keeps its schemas in the broker's compacted {@code _schemas} topic. Hands out
 * their addresses. Used by the demo (fixed ports 9092 and 8081 by default) and by the tests
 * (free ports).
 *
 * <pre>{@code
 * try (LocalStack stack = LocalStack.builder().start()) {
 *   String bootstrap = stack.bootstrapServers();   // 127.0.0.1:<port>
 *   String registry = stack.schemaRegistryUrl();   // http://127.0.0.1:<port>
 * }
 * }</pre>
 */
public final class LocalStack implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LocalStack.class);

  /** Name of the topic the registry stores schemas in, as in Confluent Schema Registry. */
  public static final String SCHEMAS_TOPIC = "_schemas";

  private final EmbeddedKafka kafka;
  private final KafkaSchemaJournal journal;
  private final SchemaRepository repository;
  private final int registryPort;
  private SchemaRegistryServer registry;
  private final Path dataDir;
  private final boolean deleteOnClose;
  private final StackSecurity security;
  private final Path clientPropertiesFile;
  private boolean closed;

  private LocalStack(EmbeddedKafka kafka, KafkaSchemaJournal journal, SchemaRepository repository,
      SchemaRegistryServer registry, Path dataDir, boolean deleteOnClose, StackSecurity security) {
    this.security = security;
    this.kafka = kafka;
    this.journal = journal;
    this.repository = repository;
    this.registry = registry;
    this.registryPort = java.net.URI.create(registry.url()).getPort();
    this.dataDir = dataDir;
    this.deleteOnClose = deleteOnClose;
    this.clientPropertiesFile = security == null ? null
        : security.writeClientProperties(dataDir.resolve(StackSecurity.CLIENT_PROPERTIES), bootstrapServers(), schemaRegistryUrl());
  }

  public static Builder builder() {
    return new Builder();
  }

  /** {@code bootstrap.servers} of the broker. */
  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  /** {@code schema.registry.url} of the registry (the same after {@link #startRegistry}). */
  public String schemaRegistryUrl() {
    return (security == null ? "http" : "https") + "://127.0.0.1:" + registryPort;
  }

  /** The stack's security ({@code stack --secure}), or null when it is open (PLAINTEXT, plain HTTP). */
  public StackSecurity security() {
    return security;
  }

  /**
   * The client settings file of a secured stack ({@code <data dir>/client.properties}, every key
   * {@link #clientProps()} holds), or null when the stack is open.
   */
  public Path clientPropertiesFile() {
    return clientPropertiesFile;
  }

  /** Stops the schema registry alone (its port refuses connections), e.g. to test an outage. */
  public synchronized void stopRegistry() {
    if (registry != null) {
      registry.close();
      registry = null;
    }
  }

  /** Starts the schema registry again on its port, with the schemas it had. */
  public synchronized void startRegistry() {
    if (registry == null) {
      registry = startRegistry(repository, registryPort, security);
    }
  }

  public Path dataDir() {
    return dataDir;
  }

  public EmbeddedKafka kafka() {
    return kafka;
  }

  /**
   * Client properties that reach this stack: {@code bootstrap.servers} and {@code schema.registry.url},
   * and for a secured stack the client user's Kafka security settings and registry credentials.
   */
  public Map<String, Object> clientProps() {
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", bootstrapServers());
    props.put("schema.registry.url", schemaRegistryUrl());
    if (security != null) {
      props.putAll(security.clientKafkaProps());
      props.putAll(security.clientRegistryProps());
    }
    return props;
  }

  private static SchemaRegistryServer startRegistry(SchemaRepository repository, int port, StackSecurity security) {
    return security == null
        ? SchemaRegistryServer.start(repository, port, SchemaRegistryServer.Auth.NONE)
        : SchemaRegistryServer.start(repository, port, SchemaRegistryServer.Auth.basic(security.registryUserInfo()),
            security.serverSslContext());
  }

  /** Stops the registry, then the broker; removes the data directory when it was temporary. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopRegistry();
    journal.close();
    kafka.close();
    if (deleteOnClose) {
      deleteRecursively(dataDir);
    }
    log.info("Local stack stopped");
  }

  /** Settings of a {@link LocalStack}. */
  public static final class Builder {
    private int kafkaPort;
    private int registryPort;
    private int advertisedKafkaPort;
    private Path dataDir;
    private boolean secure;
    private String secureUser;
    private String securePassword;

    /**
     * Secures the stack: SASL_SSL with SCRAM-SHA-512 for Kafka clients, HTTPS with Basic
     * authentication for the registry (see {@link StackSecurity}); certificates and passwords are
     * made in the data directory on first start and reused.
     *
     * @param user the client user, or null for the stored one (default {@value StackSecurity#DEFAULT_CLIENT_USER})
     * @param password its SCRAM password, or null for the stored or a generated one
     */
    public Builder secure(String user, String password) {
      this.secure = true;
      this.secureUser = user;
      this.securePassword = password;
      return this;
    }

    /** Broker port on 127.0.0.1; 0 (default) picks a free one. */
    public Builder kafkaPort(int port) {
      this.kafkaPort = port;
      return this;
    }

    /** Port the broker advertises to clients, e.g. a proxy's (the fault suite); 0 (default): its own. */
    public Builder advertisedKafkaPort(int port) {
      this.advertisedKafkaPort = port;
      return this;
    }

    /** Registry port on 127.0.0.1; 0 (default) picks a free one. */
    public Builder registryPort(int port) {
      this.registryPort = port;
      return this;
    }

    /**
     * Directory kept across runs (broker data, hence the schemas too). Default: a fresh temporary
     * directory, removed on close.
     */
    public Builder dataDir(Path dir) {
      this.dataDir = dir;
      return this;
    }

    /** Starts the broker and the registry, and waits until both serve requests. */
    public LocalStack start() {
      if (registryPort != 0) {
        EmbeddedKafka.requireFree(registryPort, "Schema registry"); // before the broker starts, not after
      }
      boolean temporary = dataDir == null;
      Path dir;
      try {
        dir = temporary ? Files.createTempDirectory("factory-meter-stack-") : dataDir.toAbsolutePath();
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot create the stack's data directory: " + e.getMessage(), e);
      }
      EmbeddedKafka kafka = null;
      KafkaSchemaJournal journal = null;
      try {
        Path kafkaDir = dir.resolve("kafka");
        StackSecurity security = null;
        if (secure) {
          security = StackSecurity.prepare(dir, secureUser, securePassword, EmbeddedKafka.isFormatted(kafkaDir));
        } else if (Files.exists(dir.resolve(StackSecurity.DIR).resolve(StackSecurity.CREDENTIALS))) {
          throw new IllegalStateException("The data directory " + dir + " holds a secured stack: add --secure");
        }
        kafka = EmbeddedKafka.start(kafkaDir, kafkaPort, security, advertisedKafkaPort);
        Map<String, Object> journalProps = new HashMap<>();
        journalProps.put("bootstrap.servers", kafka.bootstrapServers());
        if (security != null) {
          journalProps.putAll(security.registryKafkaProps());
        }
        journal = new KafkaSchemaJournal(journalProps, SCHEMAS_TOPIC);
        SchemaRepository repository = new SchemaRepository(journal, CompatibilityLevel.BACKWARD);
        SchemaRegistryServer registry = startRegistry(repository, registryPort, security);
        return new LocalStack(kafka, journal, repository, registry, dir, temporary, security);
      } catch (RuntimeException e) {
        if (journal != null) {
          journal.close();
        }
        if (kafka != null) {
          kafka.close();
        }
        if (temporary) {
          deleteRecursively(dir);
        }
        throw e;
      }
    }
  }

  static void deleteRecursively(Path dir) {
    if (dir == null) {
      return;
    }
    try {
      Utils.delete(dir.toFile());
    } catch (IOException e) {
      log.warn("Could not remove {}: {}", dir, e.toString());
    }
  }
}
