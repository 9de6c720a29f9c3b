package io.factorymeter.app.config;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/** Numbers read from a Kafka-style configuration map, where a value may be a number or its text. */
public final class ConfigValues {

  private ConfigValues() {
  }

  /** The value of {@code key} as a number, or {@code fallback} when absent; {@link ConfigException} when not a number. */
  public static double number(Map<String, ?> props, String key, double fallback) {
    Object v = props.get(key);
    if (v == null) {
      return fallback;
    }
    try {
      return v instanceof Number n ? n.doubleValue() : Double.parseDouble(v.toString().trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key, v, "expected a number");
    }
  }

  /**
   * The value of {@code key} as a whole number, or {@code fallback} when absent.
   *
   * @param what what the number counts, for the error ("a whole number of bytes")
   */
  public static long wholeNumber(Map<String, ?> props, String key, long fallback, String what) {
    Object v = props.get(key);
    if (v == null) {
      return fallback;
    }
    try {
      return v instanceof Number n ? n.longValue() : Long.parseLong(v.toString().trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key, v, "expected " + what);
    }
  }
}
