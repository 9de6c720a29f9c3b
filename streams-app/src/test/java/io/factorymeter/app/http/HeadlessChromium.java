package io.factorymeter.app.http;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Headless Chromium (Debian's {@code chromium} package; {@code .ci/run} installs it when missing)
 * driven from the command line: the DOM of a page after its scripts ran for a while
 * ({@code --dump-dom}), or a screenshot of it ({@code --screenshot}). Time in the page is virtual
 * ({@code --virtual-time-budget}): timers run as fast as the page is idle, and the budget does not
 * run while a request is pending. Each call is a fresh browser with a profile of its own, removed
 * afterwards.
 */
public final class HeadlessChromium {

  /** Names of the browser on the PATH, in the order tried; {@code factory.meter.chromium} overrides. */
  private static final List<String> NAMES = List.of("chromium", "chromium-browser", "google-chrome");
  private static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(90);

  private final Path binary;

  private HeadlessChromium(Path binary) {
    this.binary = binary;
  }

  /** The browser of system property {@code factory.meter.chromium}, else the first on the PATH; empty without one. */
  public static Optional<HeadlessChromium> find() {
    String configured = System.getProperty("factory.meter.chromium");
    if (configured != null && !configured.isBlank()) {
      Path p = Path.of(configured);
      return Files.isExecutable(p) ? Optional.of(new HeadlessChromium(p)) : Optional.empty();
    }
    for (String name : NAMES) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        Path p = Path.of(dir, name);
        if (!dir.isEmpty() && Files.isExecutable(p)) {
          return Optional.of(new HeadlessChromium(p));
        }
      }
    }
    return Optional.empty();
  }

  /** The executable run. */
  public Path binary() {
    return binary;
  }

  /** The page's DOM, serialized, once its scripts had {@code virtualTime} of (virtual) time. */
  public String dumpDom(String url, Duration virtualTime) {
    return new String(run(url, virtualTime, List.of("--dump-dom")), StandardCharsets.UTF_8);
  }

  /** A PNG of the page's top {@code width × height} pixels, once its scripts had {@code virtualTime}. */
  public void screenshot(String url, Path png, int width, int height, Duration virtualTime) {
    try {
      Files.createDirectories(png.toAbsolutePath().getParent());
      Files.deleteIfExists(png);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    run(url, virtualTime, List.of("--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height,
        "--hide-scrollbars"));
    if (!Files.isRegularFile(png)) {
      throw new IllegalStateException("chromium wrote no screenshot to " + png);
    }
  }

  private byte[] run(String url, Duration virtualTime, List<String> what) {
    Path profile = null;
    Path log = null;
    Path stdout = null;
    try {
      profile = Files.createTempDirectory("chromium-profile");
      log = Files.createTempFile("chromium", ".log");
      stdout = Files.createTempFile("chromium", ".out");
      List<String> command = new ArrayList<>(List.of(binary.toString(),
          "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage",
          "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--mute-audio",
          "--user-data-dir=" + profile, "--virtual-time-budget=" + virtualTime.toMillis()));
      command.addAll(what);
      command.add(url);
      Process p = new ProcessBuilder(command).redirectError(log.toFile()).redirectOutput(stdout.toFile()).start();
      p.getOutputStream().close();
      if (!p.waitFor(PROCESS_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("chromium did not finish within " + PROCESS_TIMEOUT + " on " + url);
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("chromium exited with " + p.exitValue() + " on " + url + ": " + tail(log));
      }
      return Files.readAllBytes(stdout);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      delete(profile);
      delete(log);
      delete(stdout);
    }
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
  }

  private static void delete(Path path) {
    if (path == null || !Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary file left behind
    }
  }
}
