package io.factorymeter.cli.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A pipeline ({@code factory-meter run}) started as a separate OS process, its stdout and stderr
 * going to a log file. Every process started here is stopped when this JVM exits, also on Ctrl-C
 * or SIGTERM (a shutdown hook: {@link Process#destroy()}, then {@link Process#destroyForcibly()}).
 */
public final class PipelineProcess {

  /** How long a stop waits after SIGTERM before killing: the pipeline commits and closes its stores in that time. */
  public static final Duration STOP_GRACE = Duration.ofSeconds(60);

  private static final List<PipelineProcess> LIVE = new CopyOnWriteArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(PipelineProcess::stopAll, "bench-stop-pipelines"));
  }

  private final Process process;
  private final Path log;
  private final long startedNanos;

  private PipelineProcess(Process process, Path log, long startedNanos) {
    this.process = process;
    this.log = log;
    this.startedNanos = startedNanos;
  }

  /**
   * Starts {@code command}, output appended to {@code log}.
   *
   * @throws UncheckedIOException when it cannot be started
   */
  public static PipelineProcess start(List<String> command, Path log) {
    try {
      Files.createDirectories(log.toAbsolutePath().getParent());
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      long started = System.nanoTime();
      PipelineProcess p = new PipelineProcess(builder.start(), log, started);
      LIVE.add(p);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + command.get(0) + ": " + e.getMessage(), e);
    }
  }

  /**
   * The command line of one pipeline process: {@code java <jvmOpts> [JFR] -jar <jar> run …}.
   *
   * @param jfrFile where to write a Flight Recorder profile (settings=profile, recording name
   *     {@link #JFR_RECORDING}), or null for none
   */
  public static List<String> runCommand(Path java, List<String> jvmOpts, Path jfrFile, Path jar, String bootstrapServers,
      String schemaRegistryUrl, String applicationId, Path stateDir, int threads, Path config) {
    List<String> cmd = new ArrayList<>();
    cmd.add(java.toString());
    cmd.addAll(jvmOpts);
    if (jfrFile != null) {
      cmd.add("-XX:StartFlightRecording=name=" + JFR_RECORDING + ",filename=" + jfrFile.toAbsolutePath()
          + ",settings=profile,dumponexit=true");
    }
    cmd.addAll(List.of("-jar", jar.toString(), "run",
        "--bootstrap-servers", bootstrapServers,
        "--schema-registry-url", schemaRegistryUrl,
        "--application-id", applicationId,
        "--state-dir", stateDir.toString(),
        "--num-stream-threads", Integer.toString(threads),
        "--http-port", "0",
        "--config", config.toString()));
    return cmd;
  }

  /** Name of the Flight Recorder recording {@link #runCommand} starts. */
  public static final String JFR_RECORDING = "factory-meter-bench";

  public long pid() {
    return process.pid();
  }

  /** {@link System#nanoTime()} right before the process was started. */
  public long startedNanos() {
    return startedNanos;
  }

  public boolean alive() {
    return process.isAlive();
  }

  public Path log() {
    return log;
  }

  /** The exit code, when the process has ended. */
  public int exitValue() {
    return process.exitValue();
  }

  /**
   * Stops the process: SIGTERM (the pipeline commits and closes cleanly), then, if it is still
   * running after {@code grace}, SIGKILL.
   *
   * @return true when it stopped within the grace period
   */
  public boolean stop(Duration grace) {
    LIVE.remove(this);
    if (!process.isAlive()) {
      return true;
    }
    process.destroy();
    try {
      if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        return true;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }

  /** SIGKILL (no shutdown hook, no commit, no close), and waits until the process is gone. */
  public void kill() {
    LIVE.remove(this);
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The last {@code n} lines of the log, e.g. to say why the process died. */
  public String logTail(int n) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /**
   * Stops every process started here and not stopped yet: SIGTERM to all, then SIGKILL to those left after 30 s.
   * A second caller waits until the first is done.
   */
  public static synchronized void stopAll() {
    List<PipelineProcess> live = new ArrayList<>(LIVE);
    LIVE.clear();
    live.forEach(p -> p.process.destroy());
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    for (PipelineProcess p : live) {
      try {
        long left = Math.max(0, deadline - System.nanoTime());
        if (!p.process.waitFor(left, TimeUnit.NANOSECONDS)) {
          p.process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.process.destroyForcibly();
      }
    }
  }
}
