package io.factorymeter.producers.reference;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.factorymeter.contract.PriceRules;
import io.factorymeter.schema.GridIntensity;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One zone's hourly dataset from Electricity Maps (the CSV layout of their data portal) as the
 * grid-intensity versions of a site: one {@link GridIntensity} per row, effective from the row's
 * {@code Datetime (UTC)} (the start of its hour), with the row's direct carbon intensity
 * (location-based, the operational emissions of generation) or, for the life cycle, its LCA figure.
 *
 * <p>Columns are found by their header name, not their position: {@code Datetime (UTC)},
 * {@code Zone Id}, {@code Carbon Intensity gCO₂eq/kWh (direct)} and
 * {@code Carbon Intensity gCO₂eq/kWh (LCA)} (the subscript ₂ or a plain 2, any case, surrounding
 * spaces ignored); other columns are not read. Cells are split as RFC 4180 CSV (Jackson's CSV
 * parser), so a quoted cell may hold commas; one row per line. {@code Datetime (UTC)} is
 * {@code yyyy-MM-dd HH:mm:ss} in UTC, or an ISO-8601 instant. Every row must name the same zone.
 * The whole file is checked first: {@link ReferenceFileException} lists every bad row as
 * {@code FILE:LINE: reason} (an empty or non-numeric intensity, a value {@link PriceRules}
 * refuses, an unreadable or repeated hour, another zone, a wrong number of cells).
 *
 * <p>The file has no publication time; every version gets the one given (null: none). Versions
 * published after the hour they take effect are corrections (SPEC §2a); their hours are whole
 * minutes, as {@link PriceRules} requires of a correction.
 */
public final class ElectricityMapsCsv {

  static final String DATETIME = "Datetime (UTC)";
  static final String ZONE_ID = "Zone Id";
  static final String DIRECT = "Carbon Intensity gCO₂eq/kWh (direct)";
  static final String LCA = "Carbon Intensity gCO₂eq/kWh (LCA)";

  private static final ObjectReader CELLS = CsvMapper.builder().enable(CsvParser.Feature.WRAP_AS_ARRAY).build()
      .readerFor(String[].class).with(CsvSchema.emptySchema());
  private static final DateTimeFormatter PORTAL_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);
  private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

  /** The versions of the file, in file order, and the zone they come from. */
  public record Conversion(List<ReferenceRecord> records, String zoneId) {
  }

  private ElectricityMapsCsv() {
  }

  /** Converts a file, versions without a publication time; see the class comment. */
  public static Conversion read(Path file, String site, boolean lifecycle) throws IOException {
    return read(file, site, lifecycle, null);
  }

  /** Converts a file, every version published at {@code publishedAt} (null: none); see the class comment. */
  public static Conversion read(Path file, String site, boolean lifecycle, Instant publishedAt) throws IOException {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(in, file.toString(), site, lifecycle, publishedAt);
    }
  }

  /** Converts a file read from {@code in}, versions without a publication time; {@code source} names it in errors. */
  public static Conversion read(BufferedReader in, String source, String site, boolean lifecycle) throws IOException {
    return read(in, source, site, lifecycle, null);
  }

  /**
   * Converts a file read from {@code in}, every version published at {@code publishedAt} (null:
   * none); {@code source} names it in errors.
   */
  public static Conversion read(BufferedReader in, String source, String site, boolean lifecycle, Instant publishedAt)
      throws IOException {
    String header = in.readLine();
    if (header == null) {
      throw new ReferenceFileException(List.of(source + ":1: empty file, expected the Electricity Maps header"));
    }
    if (header.startsWith("\uFEFF")) {
      header = header.substring(1);
    }
    String[] names;
    try {
      names = cells(header);
    } catch (IllegalArgumentException e) {
      throw new ReferenceFileException(List.of(source + ":1: " + e.getMessage()));
    }
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < names.length; i++) {
      index.putIfAbsent(normal(names[i]), i);
    }
    String intensityColumn = lifecycle ? LCA : DIRECT;
    List<String> missing = new ArrayList<>();
    for (String c : List.of(DATETIME, ZONE_ID, intensityColumn)) {
      if (!index.containsKey(normal(c))) {
        missing.add("\"" + c + "\"");
      }
    }
    if (!missing.isEmpty()) {
      throw new ReferenceFileException(List.of(source + ":1: the header lacks column(s) " + String.join(", ", missing)
          + " (an Electricity Maps hourly dataset starts: Datetime (UTC),Country,Zone Name,Zone Id," + DIRECT + "," + LCA + ",...)"));
    }
    int timeAt = index.get(normal(DATETIME));
    int zoneAt = index.get(normal(ZONE_ID));
    int intensityAt = index.get(normal(intensityColumn));

    List<ReferenceRecord> records = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    Map<Instant, Integer> seen = new HashMap<>();
    String zone = null;
    String line;
    for (int number = 2; (line = in.readLine()) != null; number++) {
      if (line.isBlank()) {
        continue;
      }
      try {
        String[] cells = cells(line);
        if (cells.length != names.length) {
          throw new IllegalArgumentException("row has " + cells.length + " cells, the header " + names.length);
        }
        Instant from = time(cells[timeAt].trim());
        String rowZone = cells[zoneAt].trim();
        if (rowZone.isEmpty()) {
          throw new IllegalArgumentException("column \"" + ZONE_ID + "\" is empty");
        }
        if (zone == null) {
          zone = rowZone;
        } else if (!zone.equals(rowZone)) {
          throw new IllegalArgumentException("zone \"" + rowZone + "\" differs from the first row's \"" + zone + "\" (one zone per file)");
        }
        double intensity = number(cells[intensityAt].trim(), intensityColumn);
        Integer earlier = seen.putIfAbsent(from, number);
        if (earlier != null) {
          throw new IllegalArgumentException("hour " + cells[timeAt].trim() + " appears twice (first on line " + earlier + ")");
        }
        String text = "Electricity Maps " + rowZone + (lifecycle ? " LCA " : " direct ") + from.atOffset(ZoneOffset.UTC).getYear()
            + " (ODbL)";
        GridIntensity g = new GridIntensity(site, intensity, from, text, publishedAt);
        PriceRules.check(g).ifPresent(p -> {
          throw new IllegalArgumentException(("gco2ePerKwh".equals(p.field()) ? "column \"" + intensityColumn + "\"" : "field \"" + p.field() + "\"")
              + " " + p.rule() + ", got " + p.value());
        });
        records.add(new ReferenceRecord(ReferenceKind.GRID_INTENSITY, site, g, from));
      } catch (IllegalArgumentException e) {
        errors.add(source + ":" + number + ": " + e.getMessage());
      }
    }
    if (errors.isEmpty() && records.isEmpty()) {
      errors.add(source + ": no data rows after the header");
    }
    if (!errors.isEmpty()) {
      throw new ReferenceFileException(errors);
    }
    return new Conversion(List.copyOf(records), zone);
  }

  /** Header names compare without surrounding spaces, case, or the subscript: gCO₂eq = gCO2eq. */
  private static String normal(String name) {
    return name.trim().replace('₂', '2').toLowerCase(Locale.ROOT);
  }

  private static String[] cells(String line) {
    try (MappingIterator<String[]> it = CELLS.readValues(line)) {
      return it.hasNext() ? it.next() : new String[0];
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a CSV row: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  private static Instant time(String text) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException("column \"" + DATETIME + "\" is empty");
    }
    try {
      return text.indexOf('T') >= 0 ? Instant.parse(text) : LocalDateTime.parse(text, PORTAL_TIME).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("column \"" + DATETIME + "\" must be a UTC time like 2024-01-01 00:00:00, got \"" + text + "\"");
    }
  }

  private static double number(String text, String column) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException("column \"" + column + "\" is empty: no intensity for this hour");
    }
    if (!NUMBER.matcher(text).matches()) {
      throw new IllegalArgumentException("column \"" + column + "\" must be a number, got \"" + text + "\"");
    }
    return Double.parseDouble(text);
  }
}
