package io.factorymeter.cli.fault;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.common.utils.Utils;

/**
 * The results a workload file must give, computed from the file alone, as SPEC.md and the README
 * state them: its own JSON parsing, validation, partitioning (Kafka's default partitioner: murmur2
 * of the key bytes), stream time per partition, deduplication, lateness, prices in effect at each
 * sample's timestamp, attribution and sums in {@link BigDecimal}. It uses none of the pipeline's
 * classes, so a mistake there cannot hide in both.
 *
 * <p>The workload file ({@link Workload}) holds, in the order they are sent, JSON Lines of three kinds:
 * a NodeSample in the replay form (key: its nodeId, or {@code "_key"} when given), undecodable bytes
 * ({@code {"_raw": base64, "_key": …}}) and heartbeats ({@code {"_heartbeat": epochMs, "_partition": p}}).
 */
public final class GroundTruth {

  private static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:/@-]{1,128}");
  private static final MathContext MC = MathContext.DECIMAL128;
  private static final BigDecimal J_PER_KWH = BigDecimal.valueOf(3_600_000);
  private static final BigDecimal MS_PER_HOUR = BigDecimal.valueOf(3_600_000);
  private static final BigDecimal MS_PER_S = BigDecimal.valueOf(1000);
  private static final long HOUR = 3_600_000L;
  private static final long YEAR_2000 = Instant.parse("2000-01-01T00:00:00Z").toEpochMilli();
  private static final long YEAR_2100 = Instant.parse("2100-01-01T00:00:00Z").toEpochMilli();

  /** The pipeline's settings the expected results depend on (its defaults, SPEC §2 and §4). */
  public record Settings(int partitions, long windowMs, long graceMs, long billingGraceMs, long horizonMs, String currency) {
    public static Settings defaults(int partitions) {
      return new Settings(partitions, 60_000L, 120_000L, 600_000L, 48 * HOUR, "USD");
    }
  }

  /** One price version: in effect from {@code from} until the key's next version. */
  record Price(long from, BigDecimal value, BigDecimal pue) {
  }

  /** Expected rows by category ("bill", "node", "cluster", "fleet", "ledger"), each key to its figures. */
  public static final class Expected {
    public final Map<String, TreeMap<String, Map<String, Object>>> rows = new LinkedHashMap<>();
    /** Dead letters by reason. */
    public final Map<String, Long> deadLetters = new TreeMap<>();
    public long tooLate;
    public long recordsIn;
    public long heartbeats;
    public long metered;
    public long duplicates;
    public long lateForMetrics;

    Expected() {
      for (String c : List.of("bill", "node", "cluster", "fleet", "ledger")) {
        rows.put(c, new TreeMap<>());
      }
    }

    public long deadLetterTotal() {
      return deadLetters.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private final Settings settings;
  private final Map<String, List<Price>> tariffs = new HashMap<>();
  private final Map<String, List<Price>> gpuRates = new HashMap<>();
  private final long[] streamTime;
  private final List<Set<String>> seen = new ArrayList<>();
  private final Expected expected = new Expected();

  private GroundTruth(Settings settings) {
    this.settings = settings;
    this.streamTime = new long[settings.partitions()];
    java.util.Arrays.fill(streamTime, Long.MIN_VALUE);
    for (int p = 0; p < settings.partitions(); p++) {
      seen.add(new HashSet<>());
    }
  }

  /** Expected results of the workload file with the prices file (the {@code prices load} format). */
  public static Expected compute(Path workload, Path prices, Settings settings) {
    GroundTruth g = new GroundTruth(settings);
    try (BufferedReader in = Files.newBufferedReader(prices, StandardCharsets.UTF_8)) {
      for (String line; (line = in.readLine()) != null; ) {
        if (!line.isBlank()) {
          g.price(JSON.readTree(line));
        }
      }
      try (BufferedReader w = Files.newBufferedReader(workload, StandardCharsets.UTF_8)) {
        for (String line; (line = w.readLine()) != null; ) {
          if (!line.isBlank()) {
            g.record(JSON.readTree(line));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    g.finish();
    return g.expected;
  }

  private void price(JsonNode p) {
    if (!settings.currency().equals(p.get("currency").asText())) {
      return;   // a price in another currency is not used (SPEC §2)
    }
    long from = Instant.parse(p.get("effectiveFrom").asText()).toEpochMilli();
    if ("tariff".equals(p.get("type").asText())) {
      tariffs.computeIfAbsent(p.get("site").asText(), k -> new ArrayList<>())
          .add(new Price(from, p.get("pricePerKwh").decimalValue(), p.get("pue").decimalValue()));
    } else {
      gpuRates.computeIfAbsent(p.get("gpuModel").asText(), k -> new ArrayList<>())
          .add(new Price(from, p.get("hourlyRate").decimalValue(), null));
    }
  }

  /** The version with the latest start at or before {@code t} (a later line of the same start wins), or null. */
  static Price inEffect(List<Price> versions, long t) {
    Price best = null;
    if (versions != null) {
      for (Price p : versions) {
        if (p.from() <= t && (best == null || p.from() >= best.from())) {
          best = p;
        }
      }
    }
    return best;
  }

  /** Partition of a key under Kafka's default partitioner. */
  public static int partition(String key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  private void record(JsonNode r) {
    if (r.has("_heartbeat")) {
      int p = r.get("_partition").asInt();
      streamTime[p] = Math.max(streamTime[p], r.get("_heartbeat").asLong());
      expected.heartbeats++;
      ledger(p, ledgerHour(p)).merge("heartbeats", 1L, GroundTruth::add);   // the hour of stream time once it moved
      return;
    }
    expected.recordsIn++;
    if (r.has("_raw")) {
      String key = r.get("_key").asText();
      byte[] value = Base64.getDecoder().decode(r.get("_raw").asText());
      if (value.length > 0 && value[0] == 0) {
        throw new IllegalArgumentException("a raw record must not look like Confluent wire format");
      }
      deadLetter(partition(key, settings.partitions()), "DESERIALIZATION");
      return;
    }
    String key = r.has("_key") ? r.get("_key").asText() : r.get("nodeId").asText();
    int p = partition(key, settings.partitions());
    String reason = invalid(r, key);
    if (reason != null) {
      deadLetter(p, reason);
      return;
    }
    long ts = timestamp(r.get("timestamp"));
    long now = Math.max(streamTime[p], ts);
    long hourStart = Math.floorDiv(ts, HOUR) * HOUR;
    if (hourStart + HOUR <= now - settings.horizonMs()) {
      expected.tooLate++;
      ledger(p, ledgerHour(p)).merge("tooLate", 1L, GroundTruth::add);
      return;
    }
    streamTime[p] = now;
    Map<String, Object> hour = ledger(p, hourStart);
    if (!seen.get(p).add(r.get("nodeId").asText() + "|" + ts)) {
      expected.duplicates++;
      hour.merge("duplicates", 1L, GroundTruth::add);
      return;
    }
    expected.metered++;
    hour.merge("metered", 1L, GroundTruth::add);
    long windowStart = Math.floorDiv(ts, settings.windowMs()) * settings.windowMs();
    boolean lateForMetrics = windowStart + settings.windowMs() <= now - settings.graceMs();
    if (lateForMetrics) {
      expected.lateForMetrics++;
      hour.merge("lateForMetrics", 1L, GroundTruth::add);
    }
    if (!meter(r, ts, windowStart, hourStart, lateForMetrics)) {
      hour.merge("unpriced", 1L, GroundTruth::add);
    }
  }

  private void deadLetter(int p, String reason) {
    expected.deadLetters.merge(reason, 1L, Long::sum);
    Map<String, Object> hour = ledger(p, ledgerHour(p));
    hour.merge("deadLetters", 1L, GroundTruth::add);
    hour.merge("deadLetters." + reason, 1L, GroundTruth::add);
  }

  /** The hour a dead letter or too-late sample counts in: that of its partition's stream time. */
  private long ledgerHour(int p) {
    if (streamTime[p] == Long.MIN_VALUE) {
      throw new IllegalArgumentException("the workload puts an invalid or too-late record on partition " + p
          + " before any valid one: its ledger hour would depend on the wall clock");
    }
    return Math.floorDiv(streamTime[p], HOUR) * HOUR;
  }

  private Map<String, Object> ledger(int p, long hourStart) {
    return expected.rows.get("ledger").computeIfAbsent(p + "|" + Instant.ofEpochMilli(hourStart), k -> {
      Map<String, Object> row = new TreeMap<>();
      for (String f : List.of("metered", "duplicates", "deadLetters", "tooLate", "lateForMetrics", "unpriced", "heartbeats")) {
        row.put(f, 0L);
      }
      return row;
    });
  }

  private static Object add(Object a, Object b) {
    if (a instanceof Long x && b instanceof Long y) {
      return x + y;
    }
    if (a == null || b == null) {
      return null;   // a sum with an unknown part is unknown (an unpriced sample: null cost)
    }
    return ((BigDecimal) a).add((BigDecimal) b);
  }

  private static long timestamp(JsonNode t) {
    return t.isIntegralNumber() ? t.asLong() : Instant.parse(t.asText()).toEpochMilli();
  }

  /** The dead-letter reason of a sample that breaks a rule of SPEC §1 (README "Validation"), or null. */
  static String invalid(JsonNode s, String key) {
    String nodeId = s.get("nodeId").asText();
    if (key == null || !key.equals(nodeId)) {
      return "KEY_MISMATCH";
    }
    List<String> ids = new ArrayList<>(List.of(nodeId, s.get("clusterId").asText(), s.get("site").asText()));
    JsonNode usage = s.get("usage");
    for (JsonNode u : usage) {
      ids.add(u.get("tenantId").asText());
      ids.add(u.get("modelId").asText());
    }
    String gpuModel = s.get("gpuModel").asText();
    if (!ids.stream().allMatch(id -> ID.matcher(id).matches())
        || gpuModel.isEmpty() || gpuModel.length() > 128 || !gpuModel.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
      return "INVALID_ID";
    }
    for (JsonNode u : usage) {
      if ("_idle".equals(u.get("tenantId").asText()) || "_idle".equals(u.get("modelId").asText())) {
        return "RESERVED_ID";
      }
    }
    double power = s.get("powerWatts").asDouble();
    JsonNode e = s.get("energyJoules");
    Double energy = e == null || e.isNull() ? null : e.asDouble();
    double temperature = s.get("temperatureC").asDouble();
    double utilization = s.get("gpuUtilization").asDouble();
    if (Double.isNaN(power) || (energy != null && Double.isNaN(energy)) || Double.isNaN(temperature) || Double.isNaN(utilization)) {
      return "NAN";
    }
    long gpus = s.get("gpuCount").asLong();
    long interval = s.get("intervalMs").asLong();
    long ts = timestamp(s.get("timestamp"));
    boolean out = gpus < 1 || gpus > 1024 || interval < 1 || interval > HOUR
        || power < 0 || power > 2000.0 * gpus
        || (energy != null && (energy < 0 || energy > 2000.0 * gpus * interval / 1000.0))
        || temperature < -40 || temperature > 150 || utilization < 0 || utilization > 1
        || ts < YEAR_2000 || ts >= YEAR_2100 || usage.size() > 4096;
    long tokens = 0;
    for (JsonNode u : usage) {
      long pt = u.get("promptTokens").asLong();
      long ct = u.get("completionTokens").asLong();
      out |= pt < 0 || ct < 0;
      tokens += Math.max(0, pt) + Math.max(0, ct);
    }
    return out || tokens > 1_000_000_000_000L ? "OUT_OF_RANGE" : null;
  }

  /** Adds a metered sample to its billing lines and metric windows; false when it lacked a price. */
  private boolean meter(JsonNode s, long ts, long windowStart, long hourStart, boolean lateForMetrics) {
    long gpus = s.get("gpuCount").asLong();
    long interval = s.get("intervalMs").asLong();
    JsonNode e = s.get("energyJoules");
    BigDecimal energy = e == null || e.isNull()
        ? decimal(s.get("powerWatts")).multiply(BigDecimal.valueOf(interval)).divide(MS_PER_S, MC)
        : decimal(e);
    Price tariff = inEffect(tariffs.get(s.get("site").asText()), ts);
    Price rate = inEffect(gpuRates.get(s.get("gpuModel").asText()), ts);
    BigDecimal energyCost = tariff == null ? null
        : energy.divide(J_PER_KWH, MC).multiply(tariff.value(), MC).multiply(tariff.pue(), MC);
    BigDecimal capacityCost = rate == null ? null
        : BigDecimal.valueOf(gpus * interval).divide(MS_PER_HOUR, MC).multiply(rate.value(), MC);

    // usage entries of the same tenant and model are one; weight = prompt + completion (promptWeight 1)
    Map<String, long[]> usage = new LinkedHashMap<>();
    for (JsonNode u : s.get("usage")) {
      long[] t = usage.computeIfAbsent(u.get("tenantId").asText() + "|" + u.get("modelId").asText(), k -> new long[2]);
      t[0] += u.get("promptTokens").asLong();
      t[1] += u.get("completionTokens").asLong();
    }
    long prompt = usage.values().stream().mapToLong(t -> t[0]).sum();
    long completion = usage.values().stream().mapToLong(t -> t[1]).sum();
    long weight = prompt + completion;
    String hour = "|" + Instant.ofEpochMilli(hourStart);
    if (weight == 0) {
      bill("_idle|_idle" + hour, 0, 0, energy, energyCost, capacityCost);
    } else {
      for (Map.Entry<String, long[]> u : usage.entrySet()) {
        long w = u.getValue()[0] + u.getValue()[1];
        if (w == 0) {
          continue;
        }
        BigDecimal share = BigDecimal.valueOf(w).divide(BigDecimal.valueOf(weight), MC);
        bill(u.getKey() + hour, u.getValue()[0], u.getValue()[1], energy.multiply(share, MC),
            energyCost == null ? null : energyCost.multiply(share, MC), capacityCost == null ? null : capacityCost.multiply(share, MC));
      }
    }
    String window = "|" + Instant.ofEpochMilli(windowStart);
    if (!lateForMetrics) {
      window("node", s.get("nodeId").asText() + window, prompt, completion, interval, energy, energyCost, capacityCost);
    }
    window("cluster", s.get("clusterId").asText() + window, prompt, completion, interval, energy, energyCost, capacityCost);
    window("fleet", "fleet" + window, prompt, completion, interval, energy, energyCost, capacityCost);
    return tariff != null && rate != null;
  }

  private static BigDecimal decimal(JsonNode n) {
    return new BigDecimal(Double.toString(n.asDouble()));   // the number the JSON text means, as the double the sample carries
  }

  private void bill(String key, long prompt, long completion, BigDecimal energy, BigDecimal energyCost, BigDecimal capacityCost) {
    Map<String, Object> row = expected.rows.get("bill").computeIfAbsent(key, k -> zeroRow("promptTokens", "completionTokens"));
    row.merge("promptTokens", prompt, GroundTruth::add);
    row.merge("completionTokens", completion, GroundTruth::add);
    sums(row, energy, energyCost, capacityCost);
  }

  private void window(String level, String key, long prompt, long completion, long interval, BigDecimal energy,
      BigDecimal energyCost, BigDecimal capacityCost) {
    Map<String, Object> row = expected.rows.get(level).computeIfAbsent(key, k -> zeroRow("samples", "tokens", "outputTokens", "covered"));
    row.merge("samples", 1L, GroundTruth::add);
    row.merge("tokens", prompt + completion, GroundTruth::add);
    row.merge("outputTokens", completion, GroundTruth::add);
    row.merge("covered", interval, GroundTruth::add);
    sums(row, energy, energyCost, capacityCost);
  }

  private static Map<String, Object> zeroRow(String... counts) {
    Map<String, Object> row = new TreeMap<>();
    for (String c : counts) {
      row.put(c, 0L);
    }
    row.put("energyJ", BigDecimal.ZERO);
    row.put("energyCost", BigDecimal.ZERO);
    row.put("capacityCost", BigDecimal.ZERO);
    return row;
  }

  private static void sums(Map<String, Object> row, BigDecimal energy, BigDecimal energyCost, BigDecimal capacityCost) {
    row.put("energyJ", ((BigDecimal) row.get("energyJ")).add(energy));
    row.put("energyCost", add(row.get("energyCost"), energyCost));
    row.put("capacityCost", add(row.get("capacityCost"), capacityCost));
  }

  /**
   * totalCost of every row (null when either part is unknown); recordsIn of every ledger hour; the
   * ledger hours that never close left out (an hour is written once its partition's stream time
   * reaches its end + the billing grace).
   */
  private void finish() {
    expected.rows.get("ledger").entrySet().removeIf(e -> {
      int p = Integer.parseInt(e.getKey().substring(0, e.getKey().indexOf('|')));
      long start = Instant.parse(e.getKey().substring(e.getKey().indexOf('|') + 1)).toEpochMilli();
      return start + HOUR + settings.billingGraceMs() > streamTime[p];
    });
    for (String c : List.of("bill", "node", "cluster", "fleet")) {
      for (Map<String, Object> row : expected.rows.get(c).values()) {
        row.put("totalCost", add(row.get("energyCost"), row.get("capacityCost")));
      }
    }
    for (Map<String, Object> row : expected.rows.get("ledger").values()) {
      row.put("recordsIn", (Long) row.get("metered") + (Long) row.get("duplicates") + (Long) row.get("deadLetters")
          + (Long) row.get("tooLate"));
    }
  }
}
