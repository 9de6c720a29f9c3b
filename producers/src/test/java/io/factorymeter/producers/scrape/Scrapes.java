package io.factorymeter.producers.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Scrape texts for the tests: the verbatim captures in ../shared/data, the fixtures cut from them, and edits. */
final class Scrapes {

  static final String DIR = "shared/data/prometheus-scrapes-dcgm-vllm";

  private Scrapes() {
  }

  /** A verbatim capture (see SOURCE.md there); the test is skipped where ../shared/data is not present. */
  static String verbatim(String file) throws IOException {
    Path p = Path.of("").toAbsolutePath().getParent().getParent().resolve(DIR).resolve(file);
    assumeTrue(Files.isReadable(p), "shared data not present: " + p);
    return Files.readString(p, StandardCharsets.UTF_8);
  }

  /** A fixture from src/test/resources/io/factorymeter/producers/scrape. */
  static String fixture(String name) {
    try (InputStream in = Scrapes.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("no test resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The text with the value of one sample line replaced: the line that starts with
   * {@code metric{} and contains {@code labelPart}; exactly one line must match.
   */
  static String set(String text, String metric, String labelPart, String value) {
    StringBuilder out = new StringBuilder();
    int matches = 0;
    for (String line : text.split("\n", -1)) {
      if (line.startsWith(metric + "{") && line.contains(labelPart)) {
        line = line.substring(0, line.lastIndexOf(' ') + 1) + value;
        matches++;
      }
      out.append(line).append('\n');
    }
    assertEquals(1, matches, "lines of " + metric + " with " + labelPart);
    return out.substring(0, out.length() - 1);
  }
}
