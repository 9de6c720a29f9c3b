package io.factorymeter.cli;

import io.factorymeter.stack.LocalStack;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Starts the local broker and schema registry and waits until Ctrl-C or SIGTERM. */
@Command(name = "stack", mixinStandardHelpOptions = true,
    description = "Start a local Kafka broker (KRaft) and schema registry, and wait; Ctrl-C or SIGTERM stops them."
        + " --secure: SASL_SSL (SCRAM-SHA-512) and HTTPS with Basic auth, client settings in DIR/client.properties.")
final class StackCommand implements Callable<Integer> {

  @Mixin
  LocalStackOptions stackOptions;

  @Override
  public Integer call() throws InterruptedException {
    LocalStack stack = stackOptions.start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.err.println("Stopping the local stack...");
      stack.close();
      stopped.countDown();
    }, "stack-shutdown"));
    System.out.println("Kafka broker      " + stack.bootstrapServers());
    System.out.println("Schema registry   " + stack.schemaRegistryUrl());
    System.out.println("Data              " + stack.dataDir() + (stackOptions.dataDir == null ? " (removed on exit)" : ""));
    if (stack.security() != null) {
      System.out.println("Security          Kafka SASL_SSL (SCRAM-SHA-512, user " + stack.security().clientUser()
          + "), registry HTTPS with Basic auth; certificates in " + stack.security().dir());
      System.out.println("Client settings   " + stack.clientPropertiesFile() + " (holds the passwords; owner-only)");
      System.out.println("                  e.g. ./factory-meter tail factory.telemetry --config " + stack.clientPropertiesFile());
    }
    System.out.println("Ready. Ctrl-C to stop.");
    System.out.flush();
    stopped.await();
    return 0;
  }
}
