package io.factorymeter.cli.fault;

import io.factorymeter.producers.simulate.FleetSimulator;
import io.factorymeter.producers.simulate.FleetSpec;
import io.factorymeter.producers.telemetry.NodeSampleJson;
import io.factorymeter.schema.NodeSample;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The fault suite's workload: a deterministic simulated fleet ({@link FleetSimulator}) written in
 * sending order to a JSON Lines file, with the hostile input of SPEC §1 mixed in, and the prices
 * it is billed with (the {@code prices load} format, with price changes inside the workload).
 *
 * <p>Lines: a NodeSample in the replay form (sent with key nodeId, or {@code "_key"} when given);
 * {@code {"_raw": base64, "_key": k}} (bytes that do not decode); {@code {"_heartbeat": epochMs,
 * "_partition": p}}. What is mixed in, by step (one interval of the whole fleet):
 * <ul>
 *   <li>duplicates: a sample sent again right after itself, or 3 minutes of event time later;
 *   <li>samples late for metrics: held back 10 minutes of event time, some 75 minutes (their hour's
 *       bill is then settled and restated);
 *   <li>too-late samples: copies 72 h in the past (beyond the 48 h restatement horizon);
 *   <li>invalid records: a bad identifier, power below 0, utilization above 1, a NaN, a key that is
 *       not the nodeId, and undecodable bytes.
 * </ul>
 * A heartbeat goes to every partition at the first step and every event-time minute, and at the end
 * one at the last hour's end + 11 min closes every hour (billing grace 10 min).
 */
public final class Workload {

  /** Shape of the workload. */
  public record Spec(int nodes, int clusters, int sites, int tenants, Duration interval, Duration length,
      Instant start, long seed, int partitions) {
  }

  /** Counts of what the file holds. */
  public record Summary(long records, long lines, long heartbeats, Instant start, Instant end) {
  }

  private Workload() {
  }

  /** Writes the prices the workload is billed with: every site and GPU model of the fleet, and changes within it. */
  public static void writePrices(Path file, Spec spec) {
    Instant from = Instant.parse("2026-01-01T00:00:00Z");
    Instant change = spec.start().plus(spec.length().dividedBy(2)).plus(Duration.ofMinutes(7));
    List<String> lines = new ArrayList<>();
    String[] gpus = {"H100-SXM5-80GB", "B200-SXM-180GB", "H200-SXM-141GB", "GB200-NVL72"};
    double[] rates = {2.10, 3.40, 2.60, 4.20};
    for (int s = 0; s < spec.sites(); s++) {
      String site = io.factorymeter.producers.simulate.FleetNames.site(s);
      lines.add(tariff(site, 0.085 + 0.02 * s, 1.25 + 0.05 * s, from));
      lines.add(tariff(site, 0.112 + 0.02 * s, 1.25 + 0.05 * s, change));   // a price change mid-workload
    }
    for (int g = 0; g < gpus.length; g++) {
      lines.add(rate(gpus[g], rates[g], from));
      lines.add(rate(gpus[g], rates[g] * 0.9, change.plus(Duration.ofMinutes(13))));
    }
    lines.add(rate("H100-SXM5-80GB", 9.99, change).replace("\"USD\"", "\"EUR\""));   // another currency: not used
    try {
      Files.write(file, lines, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String tariff(String site, double price, double pue, Instant from) {
    return String.format(java.util.Locale.ROOT, "{\"type\":\"tariff\",\"site\":\"%s\",\"currency\":\"USD\",\"pricePerKwh\":%.4f,"
        + "\"pue\":%.2f,\"effectiveFrom\":\"%s\"}", site, price, pue, from);
  }

  private static String rate(String gpu, double rate, Instant from) {
    return String.format(java.util.Locale.ROOT, "{\"type\":\"gpu-rate\",\"gpuModel\":\"%s\",\"currency\":\"USD\",\"hourlyRate\":%.4f,"
        + "\"effectiveFrom\":\"%s\"}", gpu, rate, from);
  }

  /** Writes the workload file. */
  public static Summary write(Path file, Spec spec) {
    FleetSimulator sim = new FleetSimulator(new FleetSpec(spec.nodes(), spec.clusters(), spec.sites(), spec.tenants(), 8,
        spec.interval(), spec.seed()), spec.start());
    long intervalMs = spec.interval().toMillis();
    long steps = spec.length().toMillis() / intervalMs;
    long minuteSteps = Math.max(1, 60_000 / intervalMs);
    SplittableRandom random = new SplittableRandom(spec.seed() ^ 0x5eed_fa17L);
    TreeMap<Long, List<String>> pending = new TreeMap<>();   // lines held back until a later step
    long[] counts = new long[3];
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      Writer w = new Writer(out, counts);
      long lastHeartbeat = Long.MIN_VALUE;
      for (long step = 0; step < steps; step++) {
        long t = sim.time().toEpochMilli();
        if (lastHeartbeat == Long.MIN_VALUE || t - lastHeartbeat >= 60_000) {
          w.heartbeats(t, spec.partitions());
          lastHeartbeat = t;
        }
        List<NodeSample> samples = new ArrayList<>(sim.step());
        if (samples.isEmpty()) {
          continue;
        }
        NodeSample pick = samples.get(random.nextInt(samples.size()));
        if (step % 61 == 11) {   // late for metrics: held back 10 minutes
          samples.remove(pick);
          pending.computeIfAbsent(step + 10 * minuteSteps, k -> new ArrayList<>()).add(NodeSampleJson.format(pick));
        } else if (step % 229 == 13) {   // late for metrics and restating a settled bill: held back 75 minutes
          samples.remove(pick);
          pending.computeIfAbsent(step + 75 * minuteSteps, k -> new ArrayList<>()).add(NodeSampleJson.format(pick));
        }
        for (NodeSample s : samples) {
          w.line(NodeSampleJson.format(s), true);
        }
        NodeSample other = samples.get(random.nextInt(samples.size()));
        if (step % 37 == 5) {   // a duplicate right away
          w.line(NodeSampleJson.format(other), true);
        }
        if (step % 53 == 7) {   // a duplicate 3 minutes later
          pending.computeIfAbsent(step + 3 * minuteSteps, k -> new ArrayList<>()).add(NodeSampleJson.format(other));
        }
        if (step % 97 == 17) {   // too late: 72 h in the past
          w.line(NodeSampleJson.format(NodeSample.newBuilder(other)
              .setTimestamp(other.getTimestamp().minus(Duration.ofHours(72))).build()), true);
        }
        if (step % 41 == 19) {   // invalid, one kind after the other
          w.line(invalid((int) (step / 41) % 6, other, random), true);
        }
        for (String held : pending.headMap(step, true).values().stream().flatMap(List::stream).toList()) {
          w.line(held, true);
        }
        pending.headMap(step, true).clear();
      }
      for (List<String> held : pending.values()) {
        for (String line : held) {
          w.line(line, true);
        }
      }
      Instant end = spec.start().plus(spec.length());
      Instant close = Instant.ofEpochMilli(Math.floorDiv(end.toEpochMilli() - 1, 3_600_000L) * 3_600_000L + 3_600_000L)
          .plus(Duration.ofMinutes(11));
      w.heartbeats(close.toEpochMilli(), spec.partitions());
      return new Summary(counts[0], counts[1], counts[2], spec.start(), close);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String invalid(int kind, NodeSample s, SplittableRandom random) {
    return switch (kind) {
      case 0 -> NodeSampleJson.format(NodeSample.newBuilder(s).setClusterId("bad cluster!").build());
      case 1 -> NodeSampleJson.format(NodeSample.newBuilder(s).setPowerWatts(-5.0).build());
      case 2 -> NodeSampleJson.format(NodeSample.newBuilder(s).setGpuUtilization(1.5f).build());
      case 3 -> NodeSampleJson.format(NodeSample.newBuilder(s).setTemperatureC(Float.NaN).build());
      case 4 -> {   // sent under another node's key
        String otherKey = s.getNodeId() + "-x";
        yield "{\"_key\":\"" + otherKey + "\"," + NodeSampleJson.format(s).substring(1);
      }
      default -> {
        byte[] junk = ("not avro " + random.nextInt(1000)).getBytes(StandardCharsets.UTF_8);
        yield "{\"_raw\":\"" + Base64.getEncoder().encodeToString(junk) + "\",\"_key\":\"" + s.getNodeId() + "\"}";
      }
    };
  }

  private static final class Writer {
    private final BufferedWriter out;
    private final long[] counts;

    Writer(BufferedWriter out, long[] counts) {
      this.out = out;
      this.counts = counts;
    }

    void line(String line, boolean record) throws IOException {
      out.write(line);
      out.write('\n');
      counts[1]++;
      if (record) {
        counts[0]++;
      }
    }

    void heartbeats(long eventTime, int partitions) throws IOException {
      for (int p = 0; p < partitions; p++) {
        out.write("{\"_heartbeat\":" + eventTime + ",\"_partition\":" + p + "}\n");
        counts[1]++;
        counts[2]++;
      }
    }
  }
}
