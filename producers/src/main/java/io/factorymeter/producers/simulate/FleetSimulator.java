package io.factorymeter.producers.simulate;

import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.UsageEntry;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A simulated fleet of GPU nodes serving LLMs, producing one {@link NodeSample} per node and
 * interval in event time. Deterministic: the same {@link FleetSpec} (seed included) and start
 * give the same samples, whatever the wall clock.
 *
 * <p>The model, per node and interval:
 * <ul>
 *   <li>load u in [0, 1]: a diurnal mean (0.5 + 0.3 sin(2π(h − 9)/24), peak at 15:00 UTC) plus a
 *       node offset, followed by an AR(1) process (φ = 0.9, σ = 0.05);
 *   <li>clusters are H100, B200, H200, GB200 in turn ({@link GpuType}: H200 and GB200 figures are
 *       derived from the measured H100 and B200 ones);
 *   <li>output tokens = u × the profile's full-load tokens/s per GPU × GPUs × seconds, with the
 *       full-load figures of the node's ML.ENERGY profile ({@link ModelProfiles}); prompt tokens =
 *       output × 5.47 (the prompt/output token ratio of the Azure 2023 conversation trace in
 *       ../shared/data/azure-llm-inference-2023) × noise; split among the model's tenants;
 *   <li>power per GPU from {@link PowerModel} ± 1 %; nodes of even-numbered clusters also report an
 *       energy counter (energyJoules);
 *   <li>temperature follows power ({@link PowerModel});
 *   <li>below 3 % load a node is idle (no usage entries); a node fails with probability 0.05 %
 *       per interval and stays silent for 1 to 10 minutes.
 * </ul>
 */
public final class FleetSimulator {

  /** Prompt tokens per generated token in the Azure LLM inference trace 2023 (conversation). */
  static final double PROMPT_PER_OUTPUT_TOKEN = 5.47;

  /** A simulated node and its fixed placement. */
  public record Node(String nodeId, String clusterId, String site, GpuType gpuType, ModelProfile profile,
      List<String> tenants, double[] tenantWeights, boolean reportsEnergy, long phaseMs) {
  }

  private static final class State {
    double load;
    double temperatureC = 30.0;
    int silentIntervals;
  }

  /** GPU type of cluster c: GPU_CYCLE[c % 4]. */
  static final GpuType[] GPU_CYCLE = {GpuType.H100, GpuType.B200, GpuType.H200, GpuType.GB200};

  private final FleetSpec spec;
  private final List<Node> nodes = new ArrayList<>();
  private final List<State> states = new ArrayList<>();
  private final List<SplittableRandom> randoms = new ArrayList<>();
  private final long intervalMs;
  private long stepStartMs;

  /**
   * @param start event time of the first interval; truncated to a whole interval
   */
  public FleetSimulator(FleetSpec spec, Instant start) {
    this.spec = spec;
    this.intervalMs = spec.interval().toMillis();
    this.stepStartMs = Math.floorDiv(start.toEpochMilli(), intervalMs) * intervalMs;
    SplittableRandom layout = new SplittableRandom(spec.seed());
    List<String> tenantIds = new ArrayList<>();
    for (int t = 1; t <= spec.tenants(); t++) {
      tenantIds.add(FleetNames.tenant(t));
    }
    for (int i = 0; i < spec.nodes(); i++) {
      int cluster = i % spec.clusters();
      GpuType gpu = GPU_CYCLE[cluster % GPU_CYCLE.length];
      List<ModelProfile> profiles = ModelProfiles.forGpu(gpu);
      ModelProfile profile = profiles.get((i / spec.clusters()) % profiles.size());
      int modelIndex = modelIndex(profile);
      List<String> tenants = new ArrayList<>();
      for (int k : new int[] {0, 1, 3}) {
        String tenant = tenantIds.get((modelIndex + k) % tenantIds.size());
        if (!tenants.contains(tenant)) {
          tenants.add(tenant);
        }
      }
      double[] weights = new double[tenants.size()];
      double[] shares = {0.5, 0.3, 0.2};
      for (int k = 0; k < weights.length; k++) {
        weights[k] = shares[k];
      }
      long phase = layout.nextLong(intervalMs / 100) * 100;
      nodes.add(new Node(String.format("node-%04d", i + 1), "cluster-" + (cluster + 1),
          FleetNames.site(cluster % spec.sites()), gpu, profile, List.copyOf(tenants), weights,
          cluster % 2 == 1, phase));
      SplittableRandom random = new SplittableRandom(spec.seed() * 1_000_003L + i);
      State state = new State();
      state.load = clamp(diurnalMean(stepStartMs) + random.nextGaussian() * 0.05);
      state.temperatureC = PowerModel.targetTemperature(PowerModel.wattsPerGpu(profile, state.load));
      states.add(state);
      randoms.add(random);
    }
  }

  /** Position of the profile's model among the bundled models (stable across GPU types). */
  private static int modelIndex(ModelProfile profile) {
    List<String> models = ModelProfiles.bundled().stream().map(ModelProfile::modelId).distinct().toList();
    return models.indexOf(profile.modelId());
  }

  public List<Node> nodes() {
    return List.copyOf(nodes);
  }

  public FleetSpec spec() {
    return spec;
  }

  /** Start of the next interval {@link #step()} produces. */
  public Instant time() {
    return Instant.ofEpochMilli(stepStartMs);
  }

  /** The samples of every reporting node for the next interval; advances time by one interval. */
  public List<NodeSample> step() {
    List<NodeSample> samples = new ArrayList<>(nodes.size());
    double seconds = intervalMs / 1000.0;
    double fleetMean = diurnalMean(stepStartMs);
    for (int i = 0; i < nodes.size(); i++) {
      Node node = nodes.get(i);
      State s = states.get(i);
      SplittableRandom r = randoms.get(i);
      double nodeOffset = ((i * 7919) % 11 - 5) * 0.01;
      double mean = clamp(fleetMean + nodeOffset);
      s.load = clamp(mean + (s.load - mean) * 0.9 + r.nextGaussian() * 0.05);
      double failureDraw = r.nextDouble();
      double durationDraw = r.nextDouble();
      if (s.silentIntervals > 0) {
        s.silentIntervals--;
        continue;
      }
      if (failureDraw < 0.0005) {
        s.silentIntervals = (int) Math.ceil((60_000 + durationDraw * 540_000) / intervalMs) - 1;
        continue;
      }
      GpuType gpu = node.gpuType();
      ModelProfile p = node.profile();
      int gpus = spec.gpusPerNode();
      double wattsPerGpu = PowerModel.wattsPerGpu(p, s.load) * (1 + r.nextGaussian() * 0.01);
      double power = wattsPerGpu * gpus;
      s.temperatureC = PowerModel.nextTemperature(s.temperatureC, wattsPerGpu, seconds);
      double hottest = s.temperatureC + 2.0 + Math.abs(r.nextGaussian()) * 0.5;
      float utilization = (float) clamp(s.load * 1.1 + r.nextGaussian() * 0.02);

      List<UsageEntry> usage = new ArrayList<>();
      if (s.load >= 0.03) {
        long output = Math.round(s.load * p.outputTokensPerSecondPerGpu() * gpus * seconds);
        long prompt = Math.round(output * PROMPT_PER_OUTPUT_TOKEN * (0.8 + 0.4 * r.nextDouble()));
        long outputLeft = output;
        long promptLeft = prompt;
        for (int k = 0; k < node.tenants().size(); k++) {
          boolean last = k == node.tenants().size() - 1;
          double w = node.tenantWeights()[k] * (0.9 + 0.2 * r.nextDouble());
          long o = last ? outputLeft : Math.min(outputLeft, Math.round(output * w));
          long pr = last ? promptLeft : Math.min(promptLeft, Math.round(prompt * w));
          outputLeft -= o;
          promptLeft -= pr;
          if (o + pr > 0) {
            usage.add(new UsageEntry(node.tenants().get(k), p.shortModelId(), pr, o));
          }
        }
      }
      Double energy = node.reportsEnergy() ? power * seconds * (1 + r.nextGaussian() * 0.002) : null;
      samples.add(NodeSample.newBuilder()
          .setNodeId(node.nodeId())
          .setClusterId(node.clusterId())
          .setSite(node.site())
          .setGpuModel(gpu.gpuModel())
          .setGpuCount(gpus)
          .setTimestamp(Instant.ofEpochMilli(stepStartMs + node.phaseMs()))
          .setIntervalMs((int) intervalMs)
          .setPowerWatts(round(power, 1))
          .setEnergyJoules(energy == null ? null : round(energy, 1))
          .setTemperatureC((float) round(hottest, 1))
          .setGpuUtilization((float) round(utilization, 3))
          .setUsage(usage)
          .build());
    }
    stepStartMs += intervalMs;
    return samples;
  }

  /** Diurnal mean load at an instant: 0.5 + 0.3 sin(2π(h − 9)/24), h the UTC hour of day. */
  static double diurnalMean(long epochMs) {
    double hour = Instant.ofEpochMilli(epochMs).atZone(ZoneOffset.UTC).toLocalTime().toSecondOfDay() / 3600.0;
    return 0.5 + 0.3 * Math.sin(2 * Math.PI * (hour - 9) / 24);
  }

  private static double clamp(double v) {
    return Math.max(0.0, Math.min(1.0, v));
  }

  private static double round(double v, int decimals) {
    double f = Math.pow(10, decimals);
    return Math.round(v * f) / f;
  }
}
