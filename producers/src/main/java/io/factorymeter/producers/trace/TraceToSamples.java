package io.factorymeter.producers.trace;

import io.factorymeter.contract.Apportionment;
import io.factorymeter.producers.simulate.FleetNames;
import io.factorymeter.producers.simulate.ModelProfile;
import io.factorymeter.producers.simulate.PowerModel;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.UsageEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Turns a per-request LLM trace into NodeSamples: the requests (in arrival order) go round robin
 * to the fleet's nodes and are drawn to tenants; a request's prompt tokens count in the interval
 * it arrives in, and its generated tokens are spread over its generation time (generated tokens ×
 * the profile's median inter-token latency) in proportion to how much of it each interval holds,
 * in whole tokens that add up exactly. Every node reports every interval from the first request
 * to the last generated token; a node's load is its generated tokens over the profile's full-load
 * throughput, and its power and temperature follow {@link PowerModel}. No energy counter is
 * reported (energyJoules null): energy is power × interval. Every token of the trace is in the
 * samples, exactly once.
 */
public final class TraceToSamples {

  private TraceToSamples() {
  }

  /**
   * Converts the trace, handing the samples of each interval (all nodes) to {@code sink} in time order.
   *
   * @param shiftMs added to every arrival time (0 keeps the trace's own times)
   */
  public static void convert(List<TraceRequest> trace, TraceFleet fleet, long shiftMs, Consumer<List<NodeSample>> sink) {
    if (trace.isEmpty()) {
      return;
    }
    List<TraceRequest> requests = new ArrayList<>(trace);
    requests.sort(Comparator.comparingLong(TraceRequest::arrivalMs));
    ModelProfile profile = fleet.profile();
    long intervalMs = fleet.interval().toMillis();
    double itlMs = profile.medianInterTokenLatencyMs();
    String model = profile.shortModelId();
    SplittableRandom draw = new SplittableRandom(fleet.seed());
    // node -> interval index -> tenant -> {prompt, completion}
    List<TreeMap<Long, Map<String, long[]>>> buckets = new ArrayList<>();
    double[] temperatures = new double[fleet.nodes()];
    for (int n = 0; n < fleet.nodes(); n++) {
      buckets.add(new TreeMap<>());
      temperatures[n] = PowerModel.targetTemperature(PowerModel.wattsPerGpu(profile, 0));
    }
    long first = Math.floorDiv(requests.get(0).arrivalMs() + shiftMs, intervalMs);
    long next = first;   // next interval to emit
    long last = first;
    for (int i = 0; i < requests.size(); i++) {
      TraceRequest r = requests.get(i);
      long arrival = r.arrivalMs() + shiftMs;
      while (next < Math.floorDiv(arrival, intervalMs)) {
        sink.accept(emit(next++, buckets, temperatures, fleet, model));
      }
      int node = i % fleet.nodes();
      String tenant = FleetNames.tenant(draw.nextInt(fleet.tenants()) + 1);
      TreeMap<Long, Map<String, long[]>> nodeBuckets = buckets.get(node);
      long arrivalInterval = Math.floorDiv(arrival, intervalMs);
      nodeBuckets.computeIfAbsent(arrivalInterval, k -> new HashMap<>()).computeIfAbsent(tenant, k -> new long[2])[0] += r.promptTokens();
      last = Math.max(last, arrivalInterval);
      if (r.completionTokens() > 0) {
        double end = arrival + r.completionTokens() * itlMs;
        long endInterval = (long) Math.floor((end - 1e-9) / intervalMs);
        int spans = (int) (endInterval - arrivalInterval + 1);
        double[] weights = new double[spans];
        for (int k = 0; k < spans; k++) {
          double from = Math.max(arrival, (arrivalInterval + k) * (double) intervalMs);
          double to = Math.min(end, (arrivalInterval + k + 1) * (double) intervalMs);
          weights[k] = Math.max(0, to - from);
        }
        long[] parts = Apportionment.split(r.completionTokens(), weights);
        for (int k = 0; k < spans; k++) {
          if (parts[k] > 0) {
            nodeBuckets.computeIfAbsent(arrivalInterval + k, x -> new HashMap<>()).computeIfAbsent(tenant, x -> new long[2])[1] += parts[k];
          }
        }
        last = Math.max(last, endInterval);
      }
    }
    while (next <= last) {
      sink.accept(emit(next++, buckets, temperatures, fleet, model));
    }
  }

  private static List<NodeSample> emit(long interval, List<TreeMap<Long, Map<String, long[]>>> buckets, double[] temperatures,
      TraceFleet fleet, String model) {
    ModelProfile profile = fleet.profile();
    long intervalMs = fleet.interval().toMillis();
    double seconds = intervalMs / 1000.0;
    List<NodeSample> samples = new ArrayList<>(fleet.nodes());
    for (int n = 0; n < fleet.nodes(); n++) {
      Map<String, long[]> tokens = buckets.get(n).remove(interval);
      List<UsageEntry> usage = new ArrayList<>();
      long generated = 0;
      if (tokens != null) {
        for (Map.Entry<String, long[]> e : new TreeMap<>(tokens).entrySet()) {
          usage.add(new UsageEntry(e.getKey(), model, e.getValue()[0], e.getValue()[1]));
          generated += e.getValue()[1];
        }
      }
      double load = PowerModel.load(profile, fleet.gpusPerNode(), generated, seconds);
      double watts = PowerModel.wattsPerGpu(profile, load);
      temperatures[n] = PowerModel.nextTemperature(temperatures[n], watts, seconds);
      int cluster = n % fleet.clusters();
      samples.add(NodeSample.newBuilder()
          .setNodeId(String.format("trace-node-%04d", n + 1))
          .setClusterId("trace-cluster-" + (cluster + 1))
          .setSite(FleetNames.site(cluster % fleet.sites()))
          .setGpuModel(profile.gpu().gpuModel())
          .setGpuCount(fleet.gpusPerNode())
          .setTimestamp(Instant.ofEpochMilli(interval * intervalMs))
          .setIntervalMs((int) intervalMs)
          .setPowerWatts(watts * fleet.gpusPerNode())
          .setEnergyJoules(null)
          .setTemperatureC((float) (temperatures[n] + 2.0))
          .setGpuUtilization((float) load)
          .setUsage(usage)
          .build());
    }
    return samples;
  }

}
