package io.factorymeter.cli;

import io.factorymeter.stack.LocalStack;
import java.net.BindException;
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

  /** Starts the stack, turning a taken port into one clear line. */
  LocalStack start() {
    if (kafkaPort < 0 || kafkaPort > 65535 || registryPort < 0 || registryPort > 65535) {
      throw new UserError("Ports must be between 0 and 65535", 2);
    }
    LocalStack.Builder builder = LocalStack.builder().kafkaPort(kafkaPort).registryPort(registryPort)
        .advertisedKafkaPort(advertisedKafkaPort);
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
}
