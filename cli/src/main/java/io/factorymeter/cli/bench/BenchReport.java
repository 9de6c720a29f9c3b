package io.factorymeter.cli.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one benchmark run measured, as text for people and JSON for tools.
 *
 * @param settings what was run
 * @param machine where, and the load then
 * @param records samples loaded (N)
 * @param produceRecordsPerSec loading rate: N / seconds from the first send to the last acknowledgement
 * @param rawRecordsPerSec a plain consumer reading and Avro-decoding all N from the beginning: N / seconds
 * @param runs the pipeline's catch-up, one per instance count, in the order run
 * @param latency produce-to-node-metric latency at the offered load, or null when not measured
 * @param offeredRecordsPerSec the load actually offered during the latency phase, samples/s
 * @param latencyInstances pipeline processes running during the latency phase
 */
public record BenchReport(Map<String, Object> settings, Machine machine, long records, double produceRecordsPerSec,
    double rawRecordsPerSec, List<PipelineRun> runs, LatencyTracker.Summary latency, double offeredRecordsPerSec,
    int latencyInstances) {

  /**
   * @param cores available processors
   * @param loadAtStart the 1, 5 and 15 min load averages ({@code /proc/loadavg}) when the run began
   * @param loadAtEnd the same when it ended
   * @param java the Java runtime version
   */
  public record Machine(int cores, String loadAtStart, String loadAtEnd, String java) {
  }

  /**
   * The pipeline's catch-up with {@code instances} processes.
   *
   * @param instances processes (same application id)
   * @param applicationId the Kafka Streams application id
   * @param secondsFromStart seconds from the start of the first process to caught-up (no lag on the
   *     input and repartition topics)
   * @param secondsFromFirstCommit seconds from the first committed input offset to caught-up
   * @param peakRssMb peak RSS (VmHWM) of each process, MiB
   * @param stateBytesAtCatchUp bytes under each process's state directory when caught up (RocksDB files on disk;
   *     memtables not flushed yet are missing)
   * @param stateBytesAfterStop bytes under each process's state directory after it stopped cleanly (stores flushed),
   *     at the end of its run; empty when not measured
   * @param deadLetters records in the dead-letter topic when caught up (expected 0)
   * @param late records in the late topic when caught up (expected 0)
   */
  public record PipelineRun(int instances, String applicationId, long records, double secondsFromStart,
      double secondsFromFirstCommit, List<Long> peakRssMb, List<Long> stateBytesAtCatchUp, List<Long> stateBytesAfterStop,
      long deadLetters, long late) {

    /** N / seconds from the start of the processes, samples/s. */
    public double recordsPerSec() {
      return records / secondsFromStart;
    }

    /** N / seconds from the first committed offset (start-up left out), samples/s. */
    public double recordsPerSecFromFirstCommit() {
      return records / secondsFromFirstCommit;
    }
  }

  /** Pipeline rate of the first instance count, samples/s. */
  public double pipelineRecordsPerSec() {
    return runs.isEmpty() ? Double.NaN : runs.get(0).recordsPerSec();
  }

  /** Pipeline rate (first instance count) / raw consumer rate. */
  public double ratio() {
    return pipelineRecordsPerSec() / rawRecordsPerSec;
  }

  /** Largest peak RSS of any pipeline process, MiB. */
  public long peakRssMb() {
    return runs.stream().flatMap(r -> r.peakRssMb().stream()).mapToLong(Long::longValue).max().orElse(0);
  }

  /** State-store bytes of the last instance count's processes after their clean stop, summed (the state at the end). */
  public long stateStoreBytes() {
    return runs.isEmpty() ? 0 : runs.get(runs.size() - 1).stateBytesAfterStop().stream().mapToLong(Long::longValue).sum();
  }

  /** The JSON document: the headline figures at the top level, then details. */
  public Map<String, Object> json() {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("records", records);
    j.put("rawRecordsPerSec", round(rawRecordsPerSec));
    j.put("pipelineRecordsPerSec", round(pipelineRecordsPerSec()));
    j.put("ratio", round(ratio(), 4));
    j.put("p50LatencyMs", latency == null ? null : round1(latency.p50Ms()));
    j.put("p99LatencyMs", latency == null ? null : round1(latency.p99Ms()));
    j.put("peakRssMb", peakRssMb());
    j.put("produceRecordsPerSec", round(produceRecordsPerSec));
    List<Map<String, Object>> perCount = new ArrayList<>();
    for (PipelineRun r : runs) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("instances", r.instances());
      m.put("applicationId", r.applicationId());
      m.put("recordsPerSec", round(r.recordsPerSec()));
      m.put("recordsPerSecFromFirstCommit", round(r.recordsPerSecFromFirstCommit()));
      m.put("secondsFromStart", round(r.secondsFromStart(), 1));
      m.put("secondsFromFirstCommit", round(r.secondsFromFirstCommit(), 1));
      m.put("ratio", round(r.recordsPerSec() / rawRecordsPerSec, 4));
      m.put("peakRssMb", r.peakRssMb());
      m.put("stateBytesAtCatchUp", r.stateBytesAtCatchUp());
      m.put("stateBytesAfterStop", r.stateBytesAfterStop());
      m.put("deadLetters", r.deadLetters());
      m.put("late", r.late());
      perCount.add(m);
    }
    j.put("pipelineRuns", perCount);
    Map<String, Object> lat = new LinkedHashMap<>();
    if (latency != null) {
      lat.put("instances", latencyInstances);
      lat.put("offeredRecordsPerSec", round(offeredRecordsPerSec));
      lat.put("sent", latency.sent());
      lat.put("measured", latency.measured());
      lat.put("missing", latency.missing());
      lat.put("p50Ms", round1(latency.p50Ms()));
      lat.put("p99Ms", round1(latency.p99Ms()));
      lat.put("maxMs", round1(latency.maxMs()));
    }
    j.put("latency", latency == null ? null : lat);
    j.put("stateStoreBytes", stateStoreBytes());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", machine.cores());
    m.put("uptimeLoadAtStart", machine.loadAtStart());
    m.put("uptimeLoadAtEnd", machine.loadAtEnd());
    m.put("java", machine.java());
    j.put("machine", m);
    j.put("settings", settings);
    return j;
  }

  /** {@link #json()} as pretty-printed text. */
  public String jsonText() {
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json()) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The figures for people, one per line. */
  public String text() {
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "records           %,d%n", records));
    s.append(String.format(Locale.ROOT, "produce           %,.0f records/s (loading, not part of the pipeline rate)%n", produceRecordsPerSec));
    s.append(String.format(Locale.ROOT, "raw consumer      %,.0f records/s (read + Avro decode)%n", rawRecordsPerSec));
    for (PipelineRun r : runs) {
      s.append(String.format(Locale.ROOT,
          "pipeline x%d      %,.0f records/s = %.4f of raw (%.1f s from process start; %,.0f records/s over %.1f s from the first commit)%n",
          r.instances(), r.recordsPerSec(), r.recordsPerSec() / rawRecordsPerSec, r.secondsFromStart(),
          r.recordsPerSecFromFirstCommit(), r.secondsFromFirstCommit()));
      s.append(String.format(Locale.ROOT, "                  peak RSS %s MiB, state %s at catch-up, %s after a clean stop, dead letters %,d, late %,d%n",
          r.peakRssMb(), r.stateBytesAtCatchUp().stream().map(BenchReport::mib).toList(),
          r.stateBytesAfterStop().stream().map(BenchReport::mib).toList(), r.deadLetters(), r.late()));
    }
    if (latency != null) {
      s.append(String.format(Locale.ROOT, "latency           p50 %s ms, p99 %s ms, max %s ms (send -> node metric, %d instance(s), %,.0f samples/s offered)%n",
          ms(latency.p50Ms()), ms(latency.p99Ms()), ms(latency.maxMs()), latencyInstances, offeredRecordsPerSec));
      s.append(String.format(Locale.ROOT, "                  %,d sent, %,d measured, %,d never appeared within the wait%s%n",
          latency.sent(), latency.measured(), latency.missing(),
          latency.missing() > 0 ? " (percentiles are of the measured ones only)" : ""));
    }
    s.append(String.format(Locale.ROOT, "ratio             %.4f (pipeline x%d / raw)%n", ratio(), runs.isEmpty() ? 0 : runs.get(0).instances()));
    s.append(String.format(Locale.ROOT, "peak RSS          %,d MiB; state stores at the end %s (after a clean stop)%n", peakRssMb(),
        mib(stateStoreBytes())));
    s.append(String.format(Locale.ROOT, "machine           %d cores, load %s at start, %s at end%n", machine.cores(),
        machine.loadAtStart(), machine.loadAtEnd()));
    return s.toString();
  }

  private static String ms(Double v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%,.0f", v);
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }

  /** Rounded to 0.1; null stays null. */
  private static Double round1(Double v) {
    return v == null ? null : round(v, 1);
  }

  /** Rounded to whole units; null (JSON null) when not a finite number. */
  private static Double round(double v) {
    return round(v, 0);
  }

  /** Rounded to {@code decimals} places; null (JSON null) when not a finite number. */
  private static Double round(double v, int decimals) {
    double f = Math.pow(10, decimals);
    return Double.isFinite(v) ? Math.round(v * f) / f : null;
  }
}
