package io.factorymeter.stack.security;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Security of a secured local stack ({@code stack --secure}): SASL/SCRAM-SHA-512 over TLS for Kafka
 * clients, HTTPS with HTTP Basic authentication for the schema registry.
 *
 * <p>Everything lives in {@code <data dir>/secure/} and is made on the first start, reused on later
 * ones: {@code credentials.properties} (owner-only: every password), the certificates
 * ({@link Certificates}; made again when the server certificate expires within a day). Three SCRAM
 * users are created when the broker's storage is formatted: {@value #BROKER_USER} (the broker's own
 * inter-broker connections), {@value #REGISTRY_KAFKA_USER} (the registry's journal topic) and the
 * client user (default {@value #DEFAULT_CLIENT_USER}), whose password is generated unless given.
 * The registry accepts the client user with a password of its own (generated). All generated
 * passwords are 32 random letters and digits.
 *
 * <p>{@code toString()} shows no secret.
 */
public final class StackSecurity {

  private static final Logger log = LoggerFactory.getLogger(StackSecurity.class);

  public static final String MECHANISM = "SCRAM-SHA-512";
  public static final String BROKER_USER = "broker";
  public static final String REGISTRY_KAFKA_USER = "schema-registry";
  public static final String DEFAULT_CLIENT_USER = "factory-meter";
  public static final String DIR = "secure";
  public static final String CREDENTIALS = "credentials.properties";
  public static final String CLIENT_PROPERTIES = "client.properties";
  private static final Pattern USER = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern PASSWORD = Pattern.compile("[A-Za-z0-9._~!@#$%^&*+/:;?-]{8,128}");
  private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;
  private final String clientUser;
  private final String clientPassword;
  private final String registryPassword;
  private final String brokerPassword;
  private final String registryKafkaPassword;
  private final String keystorePassword;
  private final String truststorePassword;

  private StackSecurity(Path dir, Properties c) {
    this.dir = dir;
    this.clientUser = c.getProperty("client.user");
    this.clientPassword = c.getProperty("client.password");
    this.registryPassword = c.getProperty("registry.password");
    this.brokerPassword = c.getProperty("broker.password");
    this.registryKafkaPassword = c.getProperty("registry.kafka.password");
    this.keystorePassword = c.getProperty("keystore.password");
    this.truststorePassword = c.getProperty("truststore.password");
    for (String key : List.of("client.user", "client.password", "registry.password", "broker.password",
        "registry.kafka.password", "keystore.password", "truststore.password")) {
      if (c.getProperty(key) == null || c.getProperty(key).isBlank()) {
        throw new IllegalStateException(dir.resolve(CREDENTIALS) + " lacks " + key + "; remove the data directory to start afresh");
      }
    }
  }

  /**
   * Loads the security of a stack from {@code dataDir/secure}, or makes it there.
   *
   * @param clientUser the client user; null: the one stored, or {@value #DEFAULT_CLIENT_USER} for a new stack
   * @param clientPassword its SCRAM password; null: the one stored, or a generated one for a new stack
   * @param formatted whether the broker's storage is already formatted (its SCRAM users then exist)
   */
  public static StackSecurity prepare(Path dataDir, String clientUser, String clientPassword, boolean formatted) {
    if (clientUser != null && !USER.matcher(clientUser).matches()) {
      throw new IllegalArgumentException("The user name must be 1 to 64 letters, digits, '.', '_' or '-'");
    }
    if (clientPassword != null && !PASSWORD.matcher(clientPassword).matches()) {
      throw new IllegalArgumentException("The password must be 8 to 128 characters: letters, digits or ._~!@#$%^&*+/:;?-");
    }
    Path dir = dataDir.resolve(DIR);
    Path file = dir.resolve(CREDENTIALS);
    Properties c = new Properties();
    try {
      if (Files.exists(file)) {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
          c.load(in);
        }
      } else if (formatted) {
        throw new IllegalStateException("The data directory " + dataDir + " holds a broker made without --secure;"
            + " choose another --data-dir for a secured stack");
      }
      if (formatted) {
        if (clientUser != null && !clientUser.equals(c.getProperty("client.user"))) {
          throw new IllegalStateException("The stack in " + dataDir + " was made for user " + c.getProperty("client.user")
              + " (its SCRAM users are created once); use that user or another --data-dir");
        }
        if (clientPassword != null && !clientPassword.equals(c.getProperty("client.password"))) {
          throw new IllegalStateException("The stack in " + dataDir + " was made with another password for "
              + c.getProperty("client.user") + " (its SCRAM users are created once); use another --data-dir");
        }
      } else {
        Files.createDirectories(dir);
        ownerOnly(dir);
        c.setProperty("client.user", clientUser != null ? clientUser : c.getProperty("client.user", DEFAULT_CLIENT_USER));
        c.setProperty("client.password", clientPassword != null ? clientPassword : c.getProperty("client.password", randomPassword()));
        for (String key : List.of("registry.password", "broker.password", "registry.kafka.password", "keystore.password",
            "truststore.password")) {
          if (c.getProperty(key) == null) {
            c.setProperty(key, randomPassword());
          }
        }
        writeOwnerOnly(file, c, "Passwords of the secured local stack (factory-meter stack --secure). Keep private.");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare " + dir + ": " + e.getMessage(), e);
    }
    StackSecurity security = new StackSecurity(dir, c);
    security.ensureCertificates();
    return security;
  }

  private void ensureCertificates() {
    X509Certificate cert = Files.exists(keystore()) && Files.exists(truststore())
        ? Certificates.serverCertificate(keystore(), keystorePassword.toCharArray()) : null;
    if (cert != null && cert.getNotAfter().toInstant().isAfter(Instant.now().plus(Duration.ofDays(1)))) {
      return;
    }
    Certificates.create(dir, keystorePassword.toCharArray(), truststorePassword.toCharArray());
    log.info("Made a CA and a server certificate for 127.0.0.1 and localhost in {}", dir);
  }

  /** {@code <data dir>/secure}. */
  public Path dir() {
    return dir;
  }

  public Path keystore() {
    return dir.resolve(Certificates.KEYSTORE);
  }

  public Path truststore() {
    return dir.resolve(Certificates.TRUSTSTORE);
  }

  public Path caPem() {
    return dir.resolve(Certificates.CA_PEM);
  }

  public String clientUser() {
    return clientUser;
  }

  /** The SCRAM users to create when formatting, in the form of {@code kafka-storage format --add-scram}. */
  public List<String> scramArguments() {
    return List.of(scram(BROKER_USER, brokerPassword), scram(REGISTRY_KAFKA_USER, registryKafkaPassword),
        scram(clientUser, clientPassword));
  }

  /** The registry's Basic credentials, {@code user:password}. */
  public String registryUserInfo() {
    return clientUser + ":" + registryPassword;
  }

  /**
   * Broker settings for a SASL_SSL client listener and an SSL controller listener with mutual TLS.
   *
   * @param clientListener name of the client listener, also used between brokers
   * @param controllerListener name of the controller listener
   */
  public Map<String, Object> brokerConfig(String clientListener, String controllerListener) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("listener.security.protocol.map", clientListener + ":SASL_SSL," + controllerListener + ":SSL");
    p.put("inter.broker.listener.name", clientListener);
    p.put("sasl.enabled.mechanisms", MECHANISM);
    p.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
    p.put("listener.name." + clientListener.toLowerCase(java.util.Locale.ROOT) + "." + MECHANISM.toLowerCase(java.util.Locale.ROOT)
        + ".sasl.jaas.config", jaas(BROKER_USER, brokerPassword));
    p.put("ssl.keystore.type", "PKCS12");
    p.put("ssl.keystore.location", keystore().toString());
    p.put("ssl.keystore.password", keystorePassword);
    p.put("ssl.key.password", keystorePassword);
    p.put("ssl.truststore.type", "PKCS12");
    p.put("ssl.truststore.location", truststore().toString());
    p.put("ssl.truststore.password", truststorePassword);
    p.put("listener.name." + controllerListener.toLowerCase(java.util.Locale.ROOT) + ".ssl.client.auth", "required");
    p.put("listener.name." + clientListener.toLowerCase(java.util.Locale.ROOT) + ".ssl.client.auth", "none");
    return p;
  }

  /** Kafka client settings of the broker's own user (e.g. to wait until the broker is ready). */
  public Map<String, Object> brokerClientProps() {
    return kafkaClientProps(BROKER_USER, brokerPassword);
  }

  /** Kafka client settings of the registry's journal. */
  public Map<String, Object> registryKafkaProps() {
    return kafkaClientProps(REGISTRY_KAFKA_USER, registryKafkaPassword);
  }

  /** Kafka client settings of the client user (without {@code bootstrap.servers}). */
  public Map<String, Object> clientKafkaProps() {
    return kafkaClientProps(clientUser, clientPassword);
  }

  /** Registry client settings of the client user, Confluent's keys (without {@code schema.registry.url}). */
  public Map<String, Object> clientRegistryProps() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("basic.auth.credentials.source", "USER_INFO");
    p.put("basic.auth.user.info", registryUserInfo());
    p.put("schema.registry.ssl.truststore.location", truststore().toString());
    p.put("schema.registry.ssl.truststore.password", truststorePassword);
    p.put("schema.registry.ssl.truststore.type", "PKCS12");
    return p;
  }

  /** The TLS context of the registry's HTTPS server (the server certificate). */
  public SSLContext serverSslContext() {
    try {
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(Certificates.load(keystore(), keystorePassword.toCharArray()), keystorePassword.toCharArray());
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Cannot use the keystore " + keystore() + ": " + e.getClass().getSimpleName(), e);
    }
  }

  /**
   * Writes {@code file} (owner-only) with every client setting of the client user: Kafka's and the
   * registry's, the given addresses included.
   */
  public Path writeClientProperties(Path file, String bootstrapServers, String registryUrl) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("bootstrap.servers", bootstrapServers);
    p.putAll(clientKafkaProps());
    p.put("schema.registry.url", registryUrl);
    p.putAll(clientRegistryProps());
    StringBuilder text = new StringBuilder()
        .append("# Client settings of the secured local stack: ./factory-meter COMMAND --config ").append(file).append('\n')
        .append("# Holds passwords: keep it private.\n");
    // written by hand, not with Properties#store, so that other readers (librdkafka) see plain values
    p.forEach((k, v) -> text.append(k).append('=').append(v.toString().replace("\\", "\\\\")).append('\n'));
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      Files.createFile(tmp);
      ownerOnly(tmp);
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
    }
    return file;
  }

  /** Every password of this stack, e.g. to check that none shows in a log. */
  public Set<String> secrets() {
    return Set.of(clientPassword, registryPassword, brokerPassword, registryKafkaPassword, keystorePassword, truststorePassword);
  }

  @Override
  public String toString() {
    return "StackSecurity{dir=" + dir + ", user=" + clientUser + ", mechanism=" + MECHANISM + "}";
  }

  private Map<String, Object> kafkaClientProps(String user, String password) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("security.protocol", "SASL_SSL");
    p.put("sasl.mechanism", MECHANISM);
    p.put("sasl.jaas.config", jaas(user, password));
    p.put("ssl.truststore.type", "PKCS12");
    p.put("ssl.truststore.location", truststore().toString());
    p.put("ssl.truststore.password", truststorePassword);
    return p;
  }

  static String jaas(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
        + password + "\";";
  }

  private static String scram(String user, String password) {
    return MECHANISM + "=[name=" + user + ",password=\"" + password + "\"]";
  }

  static String randomPassword() {
    char[] chars = new char[32];
    for (int i = 0; i < chars.length; i++) {
      chars[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    }
    return new String(chars);
  }

  private static void writeOwnerOnly(Path file, Properties props, String comment) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp);
    ownerOnly(tmp);
    try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      props.store(out, comment);
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void ownerOnly(Path path) throws IOException {
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(Files.isDirectory(path) ? "rwx------" : "rw-------"));
    }
  }
}
