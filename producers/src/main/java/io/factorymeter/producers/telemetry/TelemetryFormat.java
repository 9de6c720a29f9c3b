package io.factorymeter.producers.telemetry;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * File formats of telemetry history: JSON Lines (one NodeSample per line), flat CSV (one row per
 * sample × usage entry, see {@link NodeSampleCsv}) and Avro object container files (NodeSample
 * records). Any of them may be gzip-compressed.
 */
public enum TelemetryFormat {
  JSONL, CSV, AVRO;

  /** The format a file name says: {@code .jsonl}/{@code .json}, {@code .csv}, {@code .avro}, each optionally + {@code .gz}. */
  public static Optional<TelemetryFormat> ofFileName(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".gz")) {
      name = name.substring(0, name.length() - 3);
    }
    if (name.endsWith(".jsonl") || name.endsWith(".json") || name.endsWith(".ndjson")) {
      return Optional.of(JSONL);
    }
    if (name.endsWith(".csv")) {
      return Optional.of(CSV);
    }
    if (name.endsWith(".avro")) {
      return Optional.of(AVRO);
    }
    return Optional.empty();
  }

  /** Parses jsonl, csv or avro (any case). */
  public static TelemetryFormat parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("format must be jsonl, csv or avro, got '" + name + "'");
    }
  }

  /** Whether a file name asks for gzip. */
  public static boolean gzipped(Path file) {
    return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz");
  }
}
