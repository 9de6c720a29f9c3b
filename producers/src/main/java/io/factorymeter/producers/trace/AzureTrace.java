package io.factorymeter.producers.trace;

import io.factorymeter.producers.replay.RejectedLine;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads the Azure LLM inference traces (Azure/AzurePublicDataset, {@code AzureLLMInferenceTrace_*.csv}):
 * a header {@code TIMESTAMP,ContextTokens,GeneratedTokens}, then one request per line with its
 * arrival time ({@code 2023-11-16 18:15:46.6805900}, taken as UTC) and token counts. A line that
 * is not a request is reported with its number and skipped.
 */
public final class AzureTrace {

  private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSSSSSS]");
  static final String HEADER = "TIMESTAMP,ContextTokens,GeneratedTokens";

  private AzureTrace() {
  }

  public static List<TraceRequest> read(Path file, Consumer<RejectedLine> onRejected) throws IOException {
    List<TraceRequest> requests = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String header = in.readLine();
      if (header == null || !header.trim().equals(HEADER)) {
        throw new IllegalArgumentException(file + ": not an Azure LLM inference trace (expected the header " + HEADER + ")");
      }
      long lineNumber = 1;
      String line;
      while ((line = in.readLine()) != null) {
        lineNumber++;
        if (line.isBlank()) {
          continue;
        }
        try {
          requests.add(parse(line));
        } catch (IllegalArgumentException e) {
          onRejected.accept(new RejectedLine(file, lineNumber, e.getMessage()));
        }
      }
    }
    return requests;
  }

  static TraceRequest parse(String line) {
    String[] f = line.split(",");
    if (f.length != 3) {
      throw new IllegalArgumentException("expected 3 columns, got " + f.length);
    }
    long arrival;
    try {
      arrival = LocalDateTime.parse(f[0].trim(), TIMESTAMP).toInstant(ZoneOffset.UTC).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("TIMESTAMP '" + f[0] + "' is not yyyy-MM-dd HH:mm:ss.fffffff");
    }
    return new TraceRequest(arrival, count(f[1], "ContextTokens"), count(f[2], "GeneratedTokens"));
  }

  private static long count(String v, String column) {
    try {
      long n = Long.parseLong(v.trim());
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(column + " '" + v + "' is not a token count");
    }
  }
}
