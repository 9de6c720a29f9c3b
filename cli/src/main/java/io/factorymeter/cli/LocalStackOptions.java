package io.factorymeter.cli;

import io.factorymeter.stack.LocalStack;
import java.io.IOException;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Ports and data directory of the local stack. */
public final class LocalStackOptions {

  @Option(names = "--kafka-port", paramLabel = "PORT", defaultValue = "9092",
      description = "Port of the Kafka broker on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
  int kafkaPort;

  @Option(names = "--registry-port", paramLabel = "PORT", defaultValue = "8081",
      description = "Port of the schema registry on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
  int registryPort;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Keep broker data (and with it the schemas) in DIR across runs (default: a temporary directory removed on exit).")
  Path dataDir;

  @Option(names = "--advertised-kafka-port", paramLabel = "PORT", defaultValue = "0", hidden = true,
      description = "Port the broker advertises to clients, e.g. a proxy's (used by fault-test); 0: --kafka-port.")
  int advertisedKafkaPort;

  @Option(names = "--secure",
      description = {"Kafka over SASL_SSL (SCRAM-SHA-512) and the registry over HTTPS with Basic auth; certificates and"
          + " passwords are made in the data directory (secure/) on first start, and DIR/client.properties holds the"
          + " client settings (--config)."})
  boolean secure;

  @Option(names = "--secure-user", paramLabel = "NAME",
      description = "With --secure: the client user (default: factory-meter, or the one a --data-dir was made with).")
  String secureUser;

  @Option(names = "--secure-password-file", paramLabel = "FILE",
      description = "With --secure: the client user's Kafka password, first line of FILE (default: a random one)."
          + " The registry password is always generated.")
  Path securePasswordFile;

  /** Starts the stack, turning a taken port into one clear line. */
  LocalStack start() {
    if (kafkaPort < 0 || kafkaPort > 65535 || registryPort < 0 || registryPort > 65535) {
      throw new UserError("Ports must be between 0 and 65535", 2);
    }
    LocalStack.Builder builder = LocalStack.builder().kafkaPort(kafkaPort).registryPort(registryPort)
        .advertisedKafkaPort(advertisedKafkaPort);
    if (!secure && (secureUser != null || securePasswordFile != null)) {
      throw new UserError("--secure-user and --secure-password-file need --secure", 2);
    }
    if (secure) {
      builder.secure(secureUser, securePasswordFile == null ? null : readPassword(securePasswordFile));
    }
    if (dataDir != null) {
      builder.dataDir(dataDir);
    }
    try {
      return builder.start();
    } catch (RuntimeException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof BindException || String.valueOf(t.getMessage()).contains("Address already in use")) {
          String which = String.valueOf(e.getMessage()).contains("already in use") ? e.getMessage()
              : "a port is already in use (Kafka " + kafkaPort + ", registry " + registryPort + ")";
          throw new UserError("Cannot start the local stack: " + which
              + "; is another stack running? Choose others with --kafka-port / --registry-port");
        }
      }
      throw new UserError("Cannot start the local stack: " + e.getMessage());
    }
  }

  private static String readPassword(Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      int end = text.indexOf('\n');
      String password = (end < 0 ? text : text.substring(0, end)).strip();
      if (password.isEmpty()) {
        throw new UserError("--secure-password-file " + file + ": the first line is empty", 2);
      }
      return password;
    } catch (IOException e) {
      throw new UserError("Cannot read --secure-password-file " + file + ": " + e.getClass().getSimpleName(), 2);
    }
  }
}
