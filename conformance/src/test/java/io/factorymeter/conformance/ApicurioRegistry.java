package io.factorymeter.conformance;

import io.factorymeter.registry.client.RegistryClientConfig;
import io.factorymeter.registry.client.SchemaRegistryClient;
import io.factorymeter.stack.EmbeddedKafka;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Apicurio Registry 3.3.3 (a third-party registry with a Confluent-compatible API under
 * {@code /apis/ccompat/v7}) run as a separate process for the conformance suite. The distribution
 * is a test dependency of this module, unpacked by Maven into {@code target/apicurio}
 * (system property {@code apicurio.home}); it needs Java 21 or newer, taken from
 * {@code APICURIO_JAVA_HOME} or the newest JDK under {@code /usr/lib/jvm}.
 */
final class ApicurioRegistry implements AutoCloseable {

  private final Process process;
  private final String url;
  private final Path log;

  private ApicurioRegistry(Process process, String url, Path log) {
    this.process = process;
    this.url = url;
    this.log = log;
  }

  /** The Confluent-compatible base URL, e.g. {@code http://127.0.0.1:PORT/apis/ccompat/v7}. */
  String url() {
    return url;
  }

  static ApicurioRegistry start() throws IOException, InterruptedException {
    Path home = Path.of(System.getProperty("apicurio.home", "target/apicurio"));
    Path jar = home.resolve("quarkus-run.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("Apicurio Registry not found at " + jar
          + " (it is unpacked by `mvn process-test-resources` in the conformance module)");
    }
    Path java = javaHome21().resolve("bin/java");
    int port = EmbeddedKafka.freePort();
    int managementPort = EmbeddedKafka.freePort();
    Path log = Files.createTempFile("apicurio-", ".log");
    List<String> command = new ArrayList<>(List.of(java.toString(),
        "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
        "-Dquarkus.management.host=127.0.0.1", "-Dquarkus.management.port=" + managementPort,
        "-Dapicurio.metrics.response-error-liveness-check.disabled=true",
        "-jar", jar.toAbsolutePath().toString()));
    Process process = new ProcessBuilder(command)
        .directory(home.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    ApicurioRegistry registry = new ApicurioRegistry(process, "http://127.0.0.1:" + port + "/apis/ccompat/v7", log);
    try {
      registry.awaitReady("http://127.0.0.1:" + managementPort + "/health/ready", Duration.ofSeconds(120));
      // Apicurio's global default is NONE; Confluent's is BACKWARD. The suite asserts Confluent's behaviour.
      new SchemaRegistryClient(RegistryClientConfig.forUrl(registry.url())).setGlobalCompatibility("BACKWARD");
    } catch (RuntimeException | IOException | InterruptedException e) {
      registry.close();
      throw e;
    }
    return registry;
  }

  private void awaitReady(String readyUrl, Duration timeout) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Apicurio Registry exited with " + process.exitValue() + "; log: "
            + tail());
      }
      try {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(readyUrl)).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("Apicurio Registry not ready after " + timeout + "; log: " + tail());
  }

  private String tail() throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
      Files.deleteIfExists(log);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException ignored) {
      // best effort
    }
  }

  /** A JDK of version 21 or newer: APICURIO_JAVA_HOME, else the newest under /usr/lib/jvm. */
  static Path javaHome21() throws IOException {
    String env = System.getenv("APICURIO_JAVA_HOME");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    Path jvm = Path.of("/usr/lib/jvm");
    if (Files.isDirectory(jvm)) {
      try (Stream<Path> dirs = Files.list(jvm)) {
        Optional<Path> best = dirs.filter(d -> Files.isExecutable(d.resolve("bin/java")))
            .filter(d -> majorVersion(d) >= 21)
            .max(Comparator.comparingInt(ApicurioRegistry::majorVersion));
        if (best.isPresent()) {
          return best.get();
        }
      }
    }
    throw new IllegalStateException("Apicurio Registry needs Java 21+: set APICURIO_JAVA_HOME "
        + "(no JDK 21+ found under /usr/lib/jvm)");
  }

  private static int majorVersion(Path jdk) {
    try {
      for (String line : Files.readAllLines(jdk.resolve("release"))) {
        if (line.startsWith("JAVA_VERSION=")) {
          String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
          return Integer.parseInt(v.split("[.+-]")[0]);
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

}
