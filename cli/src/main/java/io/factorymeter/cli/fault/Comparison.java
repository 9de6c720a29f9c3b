package io.factorymeter.cli.fault;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compares expected rows with the pipeline's, key by key and field by field. Counts must be equal;
 * sums of energy and money may differ by 1e-9 relative (at least 1e-9 absolute): the pipeline rounds
 * each sample's energy to the µJ and its costs to 1e-12 before adding them, and the ground truth
 * does not round.
 */
final class Comparison {

  static final BigDecimal TOLERANCE = new BigDecimal("1e-9");

  private Comparison() {
  }

  /**
   * Adds a line to {@code differences} for each key missing or unexpected and each field that differs.
   *
   * A key the ground truth lacks may be in the output with every figure 0.
   *
   * @return the number of keys compared (expected and observed together)
   */
  static int compare(String category, TreeMap<String, Map<String, Object>> expected,
      TreeMap<String, Map<String, Object>> observed, List<String> differences) {
    TreeSet<String> keys = new TreeSet<>(expected.keySet());
    keys.addAll(observed.keySet());
    for (String key : keys) {
      Map<String, Object> e = expected.get(key);
      Map<String, Object> o = observed.get(key);
      if (o == null) {
        differences.add(category + " " + key + ": expected " + e + ", not in the output");
        continue;
      }
      if (e == null) {
        if (!allZero(o)) {   // e.g. a cluster minute whose known nodes all stopped reporting: 0 samples (SPEC §4 nodesKnown)
          differences.add(category + " " + key + ": not expected, the output has " + o);
        }
        continue;
      }
      TreeSet<String> fields = new TreeSet<>(e.keySet());
      fields.addAll(o.keySet());
      for (String f : fields) {
        Object ev = e.containsKey(f) ? e.get(f) : 0L;   // a count the other side leaves out is 0
        Object ov = o.containsKey(f) ? o.get(f) : 0L;
        if (!same(ev, ov)) {
          differences.add(category + " " + key + " " + f + ": expected " + plain(ev) + ", got " + plain(ov));
        }
      }
    }
    return keys.size();
  }

  /** A row whose every figure is 0: what a key without any input amounts to. */
  static boolean allZero(Map<String, Object> row) {
    return row.values().stream().allMatch(v -> v != null && decimal(v).signum() == 0);
  }

  static boolean same(Object expected, Object observed) {
    if (expected == null || observed == null) {
      return expected == null && observed == null;
    }
    if (expected instanceof Long && observed instanceof Long) {
      return Objects.equals(expected, observed);
    }
    BigDecimal e = decimal(expected);
    BigDecimal o = decimal(observed);
    BigDecimal allowed = TOLERANCE.multiply(e.abs().max(BigDecimal.ONE));
    return e.subtract(o).abs().compareTo(allowed) <= 0;
  }

  private static BigDecimal decimal(Object v) {
    return v instanceof BigDecimal d ? d : BigDecimal.valueOf(((Number) v).longValue());
  }

  private static String plain(Object v) {
    return v instanceof BigDecimal d ? d.round(new java.math.MathContext(17)).toPlainString() : String.valueOf(v);
  }
}
