package io.factorymeter.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Peak resident memory of processes: reads {@code VmHWM} (the kernel's high-water mark of the
 * resident set) from {@code /proc/<pid>/status} of every tracked process once a second and keeps
 * the largest value seen, so the peak survives the process. Linux only; elsewhere nothing is
 * measured.
 */
public final class RssSampler implements AutoCloseable {

  private final Map<Long, Long> peakKb = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "bench-rss-sampler");
    t.setDaemon(true);
    return t;
  });

  /** Starts sampling every second. */
  public RssSampler() {
    timer.scheduleAtFixedRate(this::sampleAll, 1, 1, TimeUnit.SECONDS);
  }

  /** Samples {@code pid} from now on (and once right away). */
  public void track(long pid) {
    peakKb.putIfAbsent(pid, 0L);
    sample(pid);
  }

  /** Samples {@code pid} once more now, e.g. right before stopping it. */
  public void sample(long pid) {
    OptionalLong kb = read(pid);
    if (kb.isPresent()) {
      peakKb.merge(pid, kb.getAsLong(), Math::max);
    }
  }

  /** The largest VmHWM seen of {@code pid}, MiB (1,048,576 bytes); 0 when never measured. */
  public long peakMb(long pid) {
    return peakKb.getOrDefault(pid, 0L) / 1024;
  }

  private void sampleAll() {
    peakKb.keySet().forEach(this::sample);
  }

  private static OptionalLong read(long pid) {
    try {
      return vmHwmKb(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty(); // gone, or not Linux
    }
  }

  /** The {@code VmHWM} line of a {@code /proc/<pid>/status} text, kB (the kernel's kB are KiB). */
  public static OptionalLong vmHwmKb(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("VmHWM:")) {
        String[] parts = line.substring("VmHWM:".length()).trim().split("\\s+");
        try {
          return OptionalLong.of(Long.parseLong(parts[0]));
        } catch (NumberFormatException e) {
          return OptionalLong.empty();
        }
      }
    }
    return OptionalLong.empty();
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
