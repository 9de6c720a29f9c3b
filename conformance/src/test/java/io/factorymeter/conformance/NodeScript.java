package io.factorymeter.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** Runs the Node.js programs of {@code examples/node} (Confluent's own clients) from tests. */
final class NodeScript {

  /** {@code examples/node} of the repository. */
  static final Path DIR = Path.of("").toAbsolutePath().getParent().resolve("examples/node");

  private NodeScript() {
  }

  /** Fails (skips with -Dinterop.node.skip=true) when node or the example's npm packages are missing. */
  static void requireNodeClients() {
    String missing = !onPath("node") ? "node is not on PATH"
        : !Files.isDirectory(DIR.resolve("node_modules")) ? DIR.resolve("node_modules") + " is missing"
        : null;
    if (missing == null) {
      return;
    }
    String message = missing + "; this test needs Node.js 18+ and Confluent's Node.js clients: "
        + "examples/node/install.sh (or skip it with -Dinterop.node.skip=true)";
    Assumptions.assumeFalse(Boolean.getBoolean("interop.node.skip"), message);
    fail(message);
  }

  /** Runs {@code node <script> args…} in {@code examples/node}; returns its stdout, fails with its stderr. */
  static String run(String script, Path tmp, Duration timeout, String... args) throws Exception {
    Path stdout = tmp.resolve(script + ".stdout");
    Path stderr = tmp.resolve(script + ".stderr");
    List<String> command = Stream.concat(Stream.of("node", DIR.resolve(script).toString()), Stream.of(args)).toList();
    Process process = new ProcessBuilder(command)
        .directory(DIR.toFile())
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile())
        .start();
    if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      fail(script + " did not finish within " + timeout.toSeconds() + " s; stderr: " + Files.readString(stderr));
    }
    if (process.exitValue() != 0) {
      fail(script + " exited with " + process.exitValue() + "; stderr: " + Files.readString(stderr));
    }
    return Files.readString(stdout);
  }

  private static boolean onPath(String command) {
    String path = System.getenv("PATH");
    return path != null && Stream.of(path.split(File.pathSeparator))
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)) || Files.isExecutable(Path.of(dir, command + ".exe")));
  }
}
