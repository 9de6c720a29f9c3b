package io.factorymeter.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Peak RSS from /proc/<pid>/status. */
class BenchRssSamplerTest {

  @Test
  void readsVmHwmInKilobytes() {
    String status = "Name:\tjava\nVmPeak:\t 9000000 kB\nVmSize:\t 8000000 kB\nVmHWM:\t  2097152 kB\nVmRSS:\t 1048576 kB\n";
    assertEquals(OptionalLong.of(2_097_152), RssSampler.vmHwmKb(status));
    assertEquals(OptionalLong.empty(), RssSampler.vmHwmKb("Name:\tkthreadd\nState:\tS (sleeping)\n"));
  }

  @Test
  void keepsThePeakOfALiveProcessInMebibytes() {
    assumeTrue(Files.exists(Path.of("/proc/self/status")), "Linux only");
    long pid = ProcessHandle.current().pid();
    try (RssSampler rss = new RssSampler()) {
      assertEquals(0, rss.peakMb(pid));
      rss.track(pid);
      assertTrue(rss.peakMb(pid) > 10, "a JVM holds more than 10 MiB: " + rss.peakMb(pid));
    }
  }
}
