package io.factorymeter.producers.telemetry;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.factorymeter.contract.OutputKey;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.UsageEntry;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The flat CSV form of telemetry: a header, then one row per sample × usage entry, with the
 * columns {@link #COLUMNS} (any order; others are ignored). The rows of one sample are consecutive
 * and repeat the sample's fields; a sample without usage is one row with the four usage columns
 * empty. {@code timestamp} is epoch milliseconds or an ISO-8601 instant; an empty
 * {@code energyJoules} means none was measured. Values are not judged here (see
 * {@link NodeSampleJson}); the form is.
 */
public final class NodeSampleCsv {

  public static final List<String> SAMPLE_COLUMNS = List.of("nodeId", "clusterId", "site", "gpuModel", "gpuCount",
      "timestamp", "intervalMs", "powerWatts", "energyJoules", "temperatureC", "gpuUtilization");
  public static final List<String> USAGE_COLUMNS = List.of("tenantId", "modelId", "promptTokens", "completionTokens");
  public static final List<String> COLUMNS;

  static {
    List<String> all = new ArrayList<>(SAMPLE_COLUMNS);
    all.addAll(USAGE_COLUMNS);
    COLUMNS = List.copyOf(all);
  }

  private static final CsvMapper CSV = CsvMapper.builder().enable(CsvParser.Feature.WRAP_AS_ARRAY).build();
  private static final ObjectReader CELLS = CSV.readerFor(String[].class).with(CsvSchema.emptySchema());

  /** A decimal number as written in CSV, or NaN / Infinity (values are the pipeline's to judge, the form is ours). */
  private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?|[+-]?(NaN|Infinity)");
  private static final Pattern EPOCH_MS = Pattern.compile("-?\\d+");
  private static final Pattern WHOLE = Pattern.compile("[+-]?\\d+");

  private final Map<String, Integer> index;
  private final int columns;

  /** A parser for rows under {@code headerLine}; {@link NodeSampleFormatException} when a column is missing. */
  public NodeSampleCsv(String headerLine) {
    String[] header = cells(headerLine);
    index = new HashMap<>();
    for (int i = 0; i < header.length; i++) {
      if (index.put(header[i].trim(), i) != null) {
        throw new NodeSampleFormatException("CSV header names column \"" + header[i].trim() + "\" twice");
      }
    }
    columns = header.length;
    List<String> missing = COLUMNS.stream().filter(c -> !index.containsKey(c)).toList();
    if (!missing.isEmpty()) {
      throw new NodeSampleFormatException("CSV header lacks column(s) " + missing + "; expected " + String.join(",", COLUMNS));
    }
  }

  /** What makes rows one sample: the same nodeId and timestamp. */
  public record Key(String nodeId, Instant timestamp) {
  }

  /** One parsed row: the sample's own fields (usage empty) and its usage entry, if the row has one. */
  public record Row(NodeSample sample, UsageEntry usage) {

    /** Whether {@code other} is a row of the same sample (same nodeId and timestamp). */
    public boolean sameSample(Row other) {
      return other != null && key().equals(other.key());
    }

    public Key key() {
      return new Key(sample.getNodeId(), sample.getTimestamp());
    }
  }

  /**
   * The sample a row belongs to, read from its nodeId and timestamp cells alone, or null when
   * those cannot be read: tells which sample a row that does not parse would have been part of.
   */
  public Key keyOf(String line) {
    try {
      String[] cells = cells(line);
      return new Key(text(cells, "nodeId"), instant(cells, "timestamp"));
    } catch (NodeSampleFormatException e) {
      return null;
    }
  }

  /** Parses one data row; {@link NodeSampleFormatException} says what is wrong. */
  public Row parse(String line) {
    String[] cells = cells(line);
    if (cells.length != columns) {
      throw new NodeSampleFormatException("row has " + cells.length + " cells, the header " + columns);
    }
    NodeSample.Builder b = NodeSample.newBuilder()
        .setNodeId(text(cells, "nodeId"))
        .setClusterId(text(cells, "clusterId"))
        .setSite(text(cells, "site"))
        .setGpuModel(text(cells, "gpuModel"))
        .setGpuCount((int) whole(cells, "gpuCount", Integer.MIN_VALUE, Integer.MAX_VALUE))
        .setTimestamp(instant(cells, "timestamp"))
        .setIntervalMs((int) whole(cells, "intervalMs", Integer.MIN_VALUE, Integer.MAX_VALUE))
        .setPowerWatts(number(cells, "powerWatts"))
        .setEnergyJoules(cell(cells, "energyJoules").isEmpty() ? null : number(cells, "energyJoules"))
        .setTemperatureC((float) number(cells, "temperatureC"))
        .setGpuUtilization((float) number(cells, "gpuUtilization"))
        .setUsage(new ArrayList<>());
    boolean noUsage = USAGE_COLUMNS.stream().allMatch(c -> cell(cells, c).isEmpty());
    UsageEntry usage = noUsage ? null : new UsageEntry(text(cells, "tenantId"), text(cells, "modelId"),
        whole(cells, "promptTokens", Long.MIN_VALUE, Long.MAX_VALUE), whole(cells, "completionTokens", Long.MIN_VALUE, Long.MAX_VALUE));
    return new Row(b.build(), usage);
  }

  /** The header line. */
  public static String header() {
    return String.join(",", COLUMNS);
  }

  /** The rows of a sample (one per usage entry, or one without usage), without line breaks. */
  public static List<String> format(NodeSample s) {
    String sampleCells = String.join(",", quote(s.getNodeId()), quote(s.getClusterId()), quote(s.getSite()),
        quote(s.getGpuModel()), Integer.toString(s.getGpuCount()), OutputKey.iso(s.getTimestamp()),
        Integer.toString(s.getIntervalMs()), plain(s.getPowerWatts()),
        s.getEnergyJoules() == null ? "" : plain(s.getEnergyJoules()), plain(s.getTemperatureC()), plain(s.getGpuUtilization()));
    List<String> rows = new ArrayList<>();
    if (s.getUsage().isEmpty()) {
      rows.add(sampleCells + ",,,,");
    }
    for (UsageEntry u : s.getUsage()) {
      rows.add(sampleCells + "," + quote(u.getTenantId()) + "," + quote(u.getModelId()) + "," + u.getPromptTokens() + ","
          + u.getCompletionTokens());
    }
    return rows;
  }

  private static String plain(double v) {
    return Double.isFinite(v) ? BigDecimal.valueOf(v).toPlainString() : Double.toString(v);
  }

  private static String plain(float v) {
    return Float.isFinite(v) ? new BigDecimal(Float.toString(v)).toPlainString() : Float.toString(v);
  }

  private static String quote(String s) {
    return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  private static String[] cells(String line) {
    try (MappingIterator<String[]> it = CELLS.readValues(line)) {
      return it.hasNext() ? it.next() : new String[0];
    } catch (IOException | RuntimeException e) {
      throw new NodeSampleFormatException("not a CSV row: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  private String cell(String[] cells, String column) {
    int i = index.get(column);
    return i < cells.length ? cells[i].trim() : "";
  }

  private String text(String[] cells, String column) {
    String v = cell(cells, column);
    if (v.isEmpty()) {
      throw new NodeSampleFormatException("missing value in column \"" + column + "\"");
    }
    return v;
  }

  private long whole(String[] cells, String column, long min, long max) {
    String v = text(cells, column);
    try {
      if (!WHOLE.matcher(v).matches()) { // Long.parseLong would also take digits of other scripts
        throw new NumberFormatException();
      }
      long n = Long.parseLong(v);
      if (n < min || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new NodeSampleFormatException("column \"" + column + "\" must be a whole number, got \"" + shorten(v) + "\"");
    }
  }

  private double number(String[] cells, String column) {
    String v = text(cells, column);
    if (!NUMBER.matcher(v).matches()) { // Double.parseDouble would also take "12f", "0x1p3" or "1d"
      throw new NodeSampleFormatException("column \"" + column + "\" must be a number, got \"" + shorten(v) + "\"");
    }
    return Double.parseDouble(v);
  }

  private Instant instant(String[] cells, String column) {
    String v = text(cells, column);
    Instant t;
    try {
      t = EPOCH_MS.matcher(v).matches() ? Instant.ofEpochMilli(Long.parseLong(v)) : Instant.parse(v);
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new NodeSampleFormatException("column \"" + column + "\" must be epoch milliseconds or an ISO-8601 instant, got \""
          + shorten(v) + "\"");
    }
    return EpochMillis.require(t, "column \"" + column + "\"", NodeSampleFormatException::new);
  }

  private static String shorten(String v) {
    return v.length() > 40 ? v.substring(0, 40) + "..." : v;
  }
}
