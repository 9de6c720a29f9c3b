package io.factorymeter.producers.scrape;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4, what {@code /metrics} of
 * dcgm-exporter, vLLM and Triton serve. Lines are separated by {@code \n} (a trailing {@code \r}
 * is tolerated); blank lines and comments are skipped; {@code # HELP name text} and
 * {@code # TYPE name counter|gauge|histogram|summary|untyped} are checked but not returned;
 * every other line is a sample {@code name[{label="value",...}] value [timestamp]} with label
 * value escapes {@code \\ \" \n}, a value that is a decimal number, {@code NaN}, {@code +Inf} or
 * {@code -Inf}, and an optional integer timestamp in epoch milliseconds. Spaces or tabs may separate
 * tokens. A line that breaks these rules, a second TYPE or HELP line for a metric, or a series
 * that appears twice fails the whole text with a {@link PrometheusFormatException} naming the
 * line. Values are returned as written: units are the exporter's.
 */
public final class PrometheusText {

  private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");
  private static final Pattern NUMBER = Pattern.compile("[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?");
  private static final Pattern INTEGER = Pattern.compile("-?\\d{1,19}");

  private PrometheusText() {
  }

  /** The samples of an exposition, in the order of the text. */
  public static List<PrometheusSample> parse(String text) {
    List<PrometheusSample> samples = new ArrayList<>();
    Map<String, Integer> seriesLines = new HashMap<>();
    Map<String, Integer> helpLines = new HashMap<>();
    Map<String, Integer> typeLines = new HashMap<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String raw = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
      Line line = new Line(raw, i + 1);
      line.skipBlanks();
      if (line.atEnd()) {
        continue;
      }
      if (line.peek() == '#') {
        line.comment(helpLines, typeLines);
        continue;
      }
      PrometheusSample sample = line.sample();
      Integer first = seriesLines.putIfAbsent(sample.series(), i + 1);
      if (first != null) {
        throw new PrometheusFormatException(i + 1, "series " + sample.series() + " appears again (first on line " + first + ")");
      }
      samples.add(sample);
    }
    return samples;
  }

  /** A cursor over one line. */
  private static final class Line {
    private final String s;
    private final int number;
    private int pos;

    Line(String s, int number) {
      this.s = s;
      this.number = number;
    }

    boolean atEnd() {
      return pos >= s.length();
    }

    char peek() {
      return s.charAt(pos);
    }

    boolean atBlank() {
      return !atEnd() && (peek() == ' ' || peek() == '\t');
    }

    void skipBlanks() {
      while (atBlank()) {
        pos++;
      }
    }

    PrometheusFormatException error(String detail) {
      return new PrometheusFormatException(number, detail + " (column " + (pos + 1) + ")");
    }

    /** {@code # HELP name text}, {@code # TYPE name type}, or any other comment (ignored). */
    void comment(Map<String, Integer> helpLines, Map<String, Integer> typeLines) {
      pos++;
      skipBlanks();
      String keyword = token();
      if (!keyword.equals("HELP") && !keyword.equals("TYPE")) {
        return;
      }
      requireBlank("a metric name after " + keyword);
      String name = metricName();
      if (keyword.equals("HELP")) {
        if (!atEnd()) {
          requireBlank("a space after the metric name");
          helpText();
        }
        once(helpLines, name, "HELP");
        return;
      }
      requireBlank("a type after the metric name");
      String type = token();
      if (!TYPES.contains(type)) {
        throw error("unknown metric type '" + type + "' (expected counter, gauge, histogram, summary or untyped)");
      }
      skipBlanks();
      if (!atEnd()) {
        throw error("unexpected text after the type");
      }
      once(typeLines, name, "TYPE");
    }

    private void once(Map<String, Integer> seen, String name, String keyword) {
      Integer first = seen.putIfAbsent(name, number);
      if (first != null) {
        throw new PrometheusFormatException(number, "second " + keyword + " line for " + name + " (first on line " + first + ")");
      }
    }

    /** HELP text: anything, but a backslash must start {@code \\} or {@code \n}. */
    private void helpText() {
      while (!atEnd()) {
        if (s.charAt(pos++) == '\\') {
          if (atEnd() || (peek() != '\\' && peek() != 'n')) {
            pos--;
            throw error("invalid escape in HELP text (only \\\\ and \\n are allowed)");
          }
          pos++;
        }
      }
    }

    PrometheusSample sample() {
      String name = metricName();
      Map<String, String> labels = new LinkedHashMap<>();
      if (!atEnd() && peek() != '{') {
        requireBlank("a space or '{' after the metric name");
      }
      if (!atEnd() && peek() == '{') {
        pos++;
        labels(labels);
        skipBlanks();
      }
      if (atEnd()) {
        throw error("missing value");
      }
      double value = value(token());
      skipBlanks();
      Long timestamp = null;
      if (!atEnd()) {
        String t = token();
        if (!INTEGER.matcher(t).matches()) {
          throw error("timestamp '" + t + "' is not an integer (epoch milliseconds)");
        }
        try {
          timestamp = Long.parseLong(t);
        } catch (NumberFormatException e) {
          throw error("timestamp '" + t + "' is out of range");
        }
        skipBlanks();
        if (!atEnd()) {
          throw error("unexpected text after the timestamp");
        }
      }
      return new PrometheusSample(name, labels, value, timestamp);
    }

    /** {@code label="value", ...}}, after the opening brace; a trailing comma is allowed. */
    private void labels(Map<String, String> labels) {
      while (true) {
        skipBlanks();
        if (atEnd()) {
          throw error("unterminated label set");
        }
        if (peek() == '}') {
          pos++;
          return;
        }
        String label = labelName();
        skipBlanks();
        expect('=', "'=' after label " + label);
        skipBlanks();
        expect('"', "'\"' to open the value of label " + label);
        String value = labelValue(label);
        if (labels.put(label, value) != null) {
          throw error("label " + label + " appears twice");
        }
        skipBlanks();
        if (atEnd()) {
          throw error("unterminated label set");
        }
        char c = peek();
        if (c == '}') {
          pos++;
          return;
        }
        expect(',', "',' or '}' after the value of label " + label);
      }
    }

    private String labelValue(String label) {
      StringBuilder b = new StringBuilder();
      while (!atEnd()) {
        char c = s.charAt(pos++);
        if (c == '"') {
          return b.toString();
        }
        if (c != '\\') {
          b.append(c);
          continue;
        }
        if (atEnd()) {
          break;
        }
        char e = s.charAt(pos++);
        switch (e) {
          case '\\' -> b.append('\\');
          case '"' -> b.append('"');
          case 'n' -> b.append('\n');
          default -> {
            pos -= 2;
            throw error("invalid escape '\\" + e + "' in the value of label " + label + " (only \\\\, \\\" and \\n are allowed)");
          }
        }
      }
      throw error("unterminated value of label " + label);
    }

    private String metricName() {
      int start = pos;
      if (!atEnd() && (isAsciiLetter(peek()) || peek() == '_' || peek() == ':')) {
        pos++;
        while (!atEnd() && (isAsciiLetterOrDigit(peek()) || peek() == '_' || peek() == ':')) {
          pos++;
        }
      }
      if (pos == start) {
        throw error("expected a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)");
      }
      return s.substring(start, pos);
    }

    private String labelName() {
      int start = pos;
      if (!atEnd() && (isAsciiLetter(peek()) || peek() == '_')) {
        pos++;
        while (!atEnd() && (isAsciiLetterOrDigit(peek()) || peek() == '_')) {
          pos++;
        }
      }
      if (pos == start) {
        throw error("expected a label name ([a-zA-Z_][a-zA-Z0-9_]*)");
      }
      return s.substring(start, pos);
    }

    private static boolean isAsciiLetter(char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isAsciiLetterOrDigit(char c) {
      return isAsciiLetter(c) || (c >= '0' && c <= '9');
    }

    /** The characters up to the next blank or the end of the line. */
    private String token() {
      int start = pos;
      while (!atEnd() && !atBlank()) {
        pos++;
      }
      return s.substring(start, pos);
    }

    private double value(String t) {
      switch (t.toLowerCase(Locale.ROOT)) {
        case "nan":
          return Double.NaN;
        case "+inf":
        case "inf":
          return Double.POSITIVE_INFINITY;
        case "-inf":
          return Double.NEGATIVE_INFINITY;
        default:
          break;
      }
      if (!NUMBER.matcher(t).matches()) {
        throw error("value '" + t + "' is not a number");
      }
      return Double.parseDouble(t);
    }

    private void expect(char c, String what) {
      if (atEnd() || peek() != c) {
        throw error("expected " + what);
      }
      pos++;
    }

    private void requireBlank(String what) {
      if (!atBlank()) {
        throw error("expected " + what);
      }
      skipBlanks();
    }
  }
}
