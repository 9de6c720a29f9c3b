package io.factorymeter.producers.scrape;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One sample line of a Prometheus text exposition: {@code name{label="value",...} value [timestamp]}.
 * The value is in the exporter's own unit (its HELP text says which, e.g. W or mJ); NaN and ±Inf
 * are possible.
 *
 * @param labels label name to value, in the order of the line; unmodifiable
 * @param timestampMs the sample's own timestamp, epoch milliseconds, or null when the line has none
 */
public record PrometheusSample(String name, Map<String, String> labels, double value, Long timestampMs) {

  public PrometheusSample {
    labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
  }

  /** The value of a label, or null when the sample does not have it. */
  public String label(String labelName) {
    return labels.get(labelName);
  }

  /** The identity of the series: {@code name{a="x",b="y"}} with the labels sorted by name. */
  public String series() {
    StringBuilder b = new StringBuilder(name).append('{');
    new TreeMap<>(labels).forEach((k, v) -> {
      if (b.charAt(b.length() - 1) != '{') {
        b.append(',');
      }
      b.append(k).append("=\"").append(v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
    });
    return b.append('}').toString();
  }
}
