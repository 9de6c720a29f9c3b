package io.factorymeter.app.metering;

import io.factorymeter.contract.NodeSampleRules;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.UsageEntry;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The physical-range and identifier checks of SPEC §1. A sample is invalid when an identifier
 * breaks {@code [A-Za-z0-9._:/@-]{1,128}}, when power is below 0 or above 2,000 W per GPU, the
 * temperature is outside −40..150 °C, the utilization outside 0..1, a token count is negative,
 * intervalMs is outside 1 ms..1 h, or any number is NaN. Where SPEC is silent:
 * <ul>
 *   <li>gpuCount 1..1,024; gpuModel 1..128 printable characters; energyJoules (when given) between 0
 *       and the energy of 2,000 W per GPU over the interval; the timestamp between 2000-01-01 and
 *       2100-01-01; powerWatts, energyJoules, temperature and utilization finite (±Infinity is out
 *       of range);</li>
 *   <li>at most {@value NodeSampleRules#MAX_USAGE_ENTRIES} usage entries and at most 10^12 tokens
 *       (prompt + completion, all entries) per sample ({@link NodeSampleRules}): with these bounds
 *       no single sample can overflow a sum, and a sum overflows only beyond millions of samples at
 *       the bound;</li>
 *   <li>tenantId and modelId {@code _idle} are reserved for idle energy (SPEC §3): RESERVED_ID;</li>
 *   <li>a timestamp more than the allowed skew ahead of the record's own timestamp (the producer's
 *       clock) is FUTURE_TIMESTAMP ({@link #checkTime}).</li>
 * </ul>
 */
public final class SampleValidation {

  /** Why a record went to the dead-letter topic; the {@code reason} header carries the name. */
  public enum Reason {
    /** Not Confluent wire format, unknown schema id, or an Avro payload that does not decode. */
    DESERIALIZATION,
    /** The record key is not the sample's nodeId. */
    KEY_MISMATCH,
    /** An identifier breaks the pattern. */
    INVALID_ID,
    /** A value outside its physical range. */
    OUT_OF_RANGE,
    /** NaN in a number. */
    NAN,
    /** A tenantId or modelId the pipeline keeps for itself ({@code _idle}). */
    RESERVED_ID,
    /** The sample's (or heartbeat's) time lies further ahead of its record's timestamp than allowed. */
    FUTURE_TIMESTAMP
  }

  /** A failed check: the reason and a sentence for people. */
  public record Violation(Reason reason, String detail) {
  }

  public static final Pattern ID = NodeSampleRules.ID;
  public static final double MAX_WATTS_PER_GPU = 2_000.0;
  public static final int MAX_GPU_COUNT = NodeSampleRules.MAX_GPU_COUNT;
  public static final long MIN_TIMESTAMP_MS = Instant.parse("2000-01-01T00:00:00Z").toEpochMilli();
  public static final long MAX_TIMESTAMP_MS = Instant.parse("2100-01-01T00:00:00Z").toEpochMilli();

  private SampleValidation() {
  }

  /** The first violation of the sample, or empty when it is valid. */
  public static Optional<Violation> check(NodeSample s) {
    Violation v = firstViolation(s);
    return Optional.ofNullable(v);
  }

  private static Violation firstViolation(NodeSample s) {
    Violation v;
    if ((v = id("nodeId", s.getNodeId())) != null || (v = id("clusterId", s.getClusterId())) != null
        || (v = id("site", s.getSite())) != null) {
      return v;
    }
    String gpu = s.getGpuModel();
    if (!NodeSampleRules.isGpuModel(gpu)) {
      return new Violation(Reason.INVALID_ID, "gpuModel '" + printable(gpu) + "' must be 1..128 printable characters");
    }
    if (Double.isNaN(s.getPowerWatts()) || Float.isNaN(s.getTemperatureC()) || Float.isNaN(s.getGpuUtilization())
        || (s.getEnergyJoules() != null && Double.isNaN(s.getEnergyJoules()))) {
      return new Violation(Reason.NAN, "NaN in " + nanField(s));
    }
    if (s.getGpuCount() < 1 || s.getGpuCount() > MAX_GPU_COUNT) {
      return range("gpuCount " + s.getGpuCount() + " is outside 1.." + MAX_GPU_COUNT);
    }
    if (s.getIntervalMs() < 1 || s.getIntervalMs() > NodeSampleRules.MAX_INTERVAL_MS) {
      return range("intervalMs " + s.getIntervalMs() + " is outside 1..3600000");
    }
    long ts = s.getTimestamp().toEpochMilli();
    if (ts < MIN_TIMESTAMP_MS || ts >= MAX_TIMESTAMP_MS) {
      return range("timestamp " + s.getTimestamp() + " is outside 2000-01-01..2100-01-01");
    }
    double maxWatts = MAX_WATTS_PER_GPU * s.getGpuCount();
    if (!(s.getPowerWatts() >= 0 && s.getPowerWatts() <= maxWatts)) {
      return range("powerWatts " + s.getPowerWatts() + " is outside 0.." + maxWatts + " (2000 W per GPU x " + s.getGpuCount() + ")");
    }
    if (s.getEnergyJoules() != null) {
      double maxJoules = maxWatts * s.getIntervalMs() / 1000.0;
      if (!(s.getEnergyJoules() >= 0 && s.getEnergyJoules() <= maxJoules)) {
        return range("energyJoules " + s.getEnergyJoules() + " is outside 0.." + maxJoules + " (2000 W per GPU over the interval)");
      }
    }
    if (!(s.getTemperatureC() >= -40f && s.getTemperatureC() <= 150f)) {
      return range("temperatureC " + s.getTemperatureC() + " is outside -40..150");
    }
    if (!(s.getGpuUtilization() >= 0f && s.getGpuUtilization() <= 1f)) {
      return range("gpuUtilization " + s.getGpuUtilization() + " is outside 0..1");
    }
    if (s.getUsage().size() > NodeSampleRules.MAX_USAGE_ENTRIES) {
      return range(s.getUsage().size() + " usage entries, more than " + NodeSampleRules.MAX_USAGE_ENTRIES);
    }
    long tokens = 0;
    for (int i = 0; i < s.getUsage().size(); i++) {
      UsageEntry u = s.getUsage().get(i);
      if (!NodeSampleRules.isId(u.getTenantId())) {
        return id("usage[" + i + "].tenantId", u.getTenantId());
      }
      if (!NodeSampleRules.isId(u.getModelId())) {
        return id("usage[" + i + "].modelId", u.getModelId());
      }
      if (NodeSampleRules.IDLE.equals(u.getTenantId()) || NodeSampleRules.IDLE.equals(u.getModelId())) {
        return new Violation(Reason.RESERVED_ID, "usage[" + i + "] names " + NodeSampleRules.IDLE
            + ", which is reserved for energy that served no tokens");
      }
      if (u.getPromptTokens() < 0 || u.getCompletionTokens() < 0) {
        return range("usage[" + i + "] has negative tokens (prompt " + u.getPromptTokens() + ", completion " + u.getCompletionTokens() + ")");
      }
      if (u.getPromptTokens() > NodeSampleRules.MAX_TOKENS_PER_SAMPLE || u.getCompletionTokens() > NodeSampleRules.MAX_TOKENS_PER_SAMPLE) {
        return range("usage[" + i + "] has more than " + NodeSampleRules.MAX_TOKENS_PER_SAMPLE + " tokens (prompt "
            + u.getPromptTokens() + ", completion " + u.getCompletionTokens() + ")");
      }
      // each term is at most 10^12 and there are at most 2 x 4,096 of them: no overflow
      tokens += u.getPromptTokens() + u.getCompletionTokens();
    }
    if (tokens > NodeSampleRules.MAX_TOKENS_PER_SAMPLE) {
      return range("the sample has " + tokens + " tokens, more than " + NodeSampleRules.MAX_TOKENS_PER_SAMPLE);
    }
    return null;
  }

  /**
   * The rule against wrong clocks (SPEC §4): a sample (or heartbeat) whose event time lies more
   * than {@code maxSkewMs} ahead of its record's timestamp, the clock of the producer that sent it,
   * would advance its partition's stream time and make every other node's samples late; it is
   * FUTURE_TIMESTAMP instead. Deterministic under replay: both times are in the record.
   */
  public static Optional<Violation> checkTime(long eventTimeMs, long recordTimestampMs, long maxSkewMs) {
    if (recordTimestampMs >= 0 && eventTimeMs - recordTimestampMs > maxSkewMs) {
      return Optional.of(new Violation(Reason.FUTURE_TIMESTAMP, "event time " + Instant.ofEpochMilli(eventTimeMs)
          + " is more than " + java.time.Duration.ofMillis(maxSkewMs) + " ahead of the record's timestamp "
          + Instant.ofEpochMilli(recordTimestampMs) + " (the producer's clock)"));
    }
    return Optional.empty();
  }

  private static Violation id(String field, String value) {
    if (!NodeSampleRules.isId(value)) {
      return new Violation(Reason.INVALID_ID, field + " '" + printable(value) + "' does not match " + ID.pattern());
    }
    return null;
  }

  private static Violation range(String detail) {
    return new Violation(Reason.OUT_OF_RANGE, detail);
  }

  private static String nanField(NodeSample s) {
    if (Double.isNaN(s.getPowerWatts())) {
      return "powerWatts";
    }
    if (Float.isNaN(s.getTemperatureC())) {
      return "temperatureC";
    }
    if (Float.isNaN(s.getGpuUtilization())) {
      return "gpuUtilization";
    }
    return "energyJoules";
  }

  private static String printable(String s) {
    if (s == null) {
      return "null";
    }
    String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }
}
