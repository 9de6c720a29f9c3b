package io.factorymeter.producers.reference;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads and publishes reference data: every line of a file is checked before anything is sent,
 * so a reference file is applied completely or not at all. Each record goes to its kind's topic
 * keyed by site or gpuModel, with record timestamp = effectiveFrom (the moment it takes effect).
 */
public final class ReferenceLoader {

  /** Where records are sent: one call per record, then {@link #flush()} waits for the broker's acknowledgement. */
  public interface Sink {
    void send(ReferenceKind kind, String key, SpecificRecord value, long timestampMs);

    void flush();
  }

  private ReferenceLoader() {
  }

  /**
   * Reads and checks every line of a JSON Lines file ({@link ReferenceJson}); blank lines are
   * skipped. {@link ReferenceFileException} lists every bad line as {@code FILE:LINE: reason}.
   */
  public static List<ReferenceRecord> read(Path file) throws IOException {
    return read(file, null);
  }

  /**
   * As {@link #read(Path)}, a record without a {@code publishedAt} of its own getting
   * {@code publishedAt} (null: none) before it is checked.
   */
  public static List<ReferenceRecord> read(Path file, Instant publishedAt) throws IOException {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(in, file.toString(), publishedAt);
    }
  }

  /** As {@link #read(Path)}, from a reader; {@code source} names it in errors. */
  public static List<ReferenceRecord> read(BufferedReader in, String source) throws IOException {
    return read(in, source, null);
  }

  /** As {@link #read(Path, Instant)}, from a reader; {@code source} names it in errors. */
  public static List<ReferenceRecord> read(BufferedReader in, String source, Instant publishedAt) throws IOException {
    List<ReferenceRecord> records = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    String line;
    for (int number = 1; (line = in.readLine()) != null; number++) {
      if (number == 1 && line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
      if (line.isBlank()) {
        continue;
      }
      try {
        records.add(ReferenceJson.parse(line, publishedAt));
      } catch (IllegalArgumentException e) {
        errors.add(source + ":" + number + ": " + e.getMessage());
      }
    }
    if (!errors.isEmpty()) {
      throw new ReferenceFileException(errors);
    }
    return records;
  }

  /** How many records of each kind (every kind present, 0 when none). */
  public static Map<ReferenceKind, Integer> count(List<ReferenceRecord> records) {
    Map<ReferenceKind, Integer> counts = new EnumMap<>(ReferenceKind.class);
    for (ReferenceKind k : ReferenceKind.values()) {
      counts.put(k, 0);
    }
    records.forEach(r -> counts.merge(r.kind(), 1, Integer::sum));
    return counts;
  }

  /** Sends the records in order, each stamped with its effectiveFrom, and waits for the acknowledgement; returns the counts. */
  public static Map<ReferenceKind, Integer> publish(List<ReferenceRecord> records, Sink sink) {
    for (ReferenceRecord r : records) {
      sink.send(r.kind(), r.key(), r.value(), r.effectiveFrom().toEpochMilli());
    }
    sink.flush();
    return count(records);
  }
}
