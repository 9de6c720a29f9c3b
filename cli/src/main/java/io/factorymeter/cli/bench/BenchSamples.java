package io.factorymeter.cli.bench;

import io.factorymeter.producers.simulate.FleetNames;
import io.factorymeter.producers.simulate.GpuType;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.UsageEntry;
import java.time.Instant;
import java.util.List;

/**
 * The benchmark's samples: a fleet of {@code nodes} nodes of 8 GPUs, each reporting every
 * {@code intervalMs}, every sample with exactly two usage entries (two tenants of the model the
 * node serves). Unlike {@link io.factorymeter.producers.simulate.FleetSimulator} no node fails or
 * idles, so N samples are exactly N / nodes intervals of the whole fleet.
 *
 * <p>Sample {@code i} (from 0) is node {@code i % nodes} in interval {@code i / nodes}: its
 * timestamp is {@code start + (i / nodes) × intervalMs}. Nodes are spread over
 * {@code max(1, nodes / 100)} clusters, clusters over sites site-a, site-b, site-c and over the
 * GPU models of {@code examples/prices.jsonl} (H100, B200, H200, GB200 in turn), so every sample is
 * priced. Values are deterministic (a hash of node and interval) and physically valid: power
 * 100–700 W per GPU, temperature 36–72 °C, utilization 0.1–0.9, about 3,000 output tokens/s
 * per GPU at full load and 5 prompt tokens per output token.
 */
public final class BenchSamples {

  /** GPUs in every node. */
  public static final int GPUS_PER_NODE = 8;
  private static final GpuType[] GPUS = {GpuType.H100, GpuType.B200, GpuType.H200, GpuType.GB200};
  private static final String[] MODELS = {"llama-3.1-70b", "qwen2.5-72b", "llama-3.1-8b", "mixtral-8x22b"};
  private static final int TENANTS = 30;

  private final int nodes;
  private final int clusters;
  private final long startMs;
  private final int intervalMs;

  /**
   * @param nodes nodes in the fleet, at least 1
   * @param start event time of interval 0
   * @param intervalMs sample interval, milliseconds (1 .. 3,600,000)
   */
  public BenchSamples(int nodes, Instant start, int intervalMs) {
    if (nodes < 1) {
      throw new IllegalArgumentException("nodes must be at least 1");
    }
    if (intervalMs < 1 || intervalMs > 3_600_000) {
      throw new IllegalArgumentException("interval must be between 1 ms and 1 h");
    }
    this.nodes = nodes;
    this.clusters = Math.max(1, nodes / 100);
    this.startMs = start.toEpochMilli();
    this.intervalMs = intervalMs;
  }

  public int nodes() {
    return nodes;
  }

  public int intervalMs() {
    return intervalMs;
  }

  /** Node id of node {@code n} (from 0): node-0001, node-0002, … */
  public static String nodeId(int n) {
    return String.format("node-%04d", n + 1);
  }

  /** Event time of sample {@code i}, epoch milliseconds. */
  public long timestampMs(long i) {
    return startMs + (i / nodes) * intervalMs;
  }

  /** Index of the first sample whose event time is at or after {@code eventTimeMs}: the first of a whole fleet interval. */
  public long firstIndexAtOrAfter(long eventTimeMs) {
    long intervals = Math.max(0, Math.floorDiv(eventTimeMs - startMs + intervalMs - 1, intervalMs));
    return intervals * nodes;
  }

  /** Sample {@code i} (from 0). */
  public NodeSample sample(long i) {
    int n = (int) (i % nodes);
    long interval = i / nodes;
    int cluster = n % clusters;
    GpuType gpu = GPUS[cluster % GPUS.length];
    double load = 0.1 + 0.8 * unit(n, interval);
    double wattsPerGpu = 100 + 600 * load;
    double power = round1(wattsPerGpu * GPUS_PER_NODE);
    double seconds = intervalMs / 1000.0;
    long output = Math.round(load * 3000 * GPUS_PER_NODE * seconds);
    long prompt = 5 * output;
    long output1 = output * 3 / 5;
    long prompt1 = prompt * 3 / 5;
    String model = MODELS[cluster % MODELS.length];
    int tenant = n % TENANTS;
    return NodeSample.newBuilder()
        .setNodeId(nodeId(n))
        .setClusterId("cluster-" + (cluster + 1))
        .setSite(FleetNames.site(cluster % 3))
        .setGpuModel(gpu.gpuModel())
        .setGpuCount(GPUS_PER_NODE)
        .setTimestamp(Instant.ofEpochMilli(startMs + interval * intervalMs))
        .setIntervalMs(intervalMs)
        .setPowerWatts(power)
        .setEnergyJoules(cluster % 2 == 1 ? round1(power * seconds) : null)
        .setTemperatureC((float) round1(30 + 0.06 * wattsPerGpu))
        .setGpuUtilization((float) (Math.round(load * 1000) / 1000.0))
        .setUsage(List.of(
            new UsageEntry(FleetNames.tenant(tenant + 1), model, prompt1, output1),
            new UsageEntry(FleetNames.tenant((tenant + 7) % TENANTS + 1), model, prompt - prompt1, output - output1)))
        .build();
  }

  /** A number in [0, 1) from node and interval (SplitMix64 finaliser). */
  private static double unit(int node, long interval) {
    long z = node * 0x9E3779B97F4A7C15L + interval * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z = z ^ (z >>> 31);
    return (z >>> 11) * 0x1.0p-53;
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
