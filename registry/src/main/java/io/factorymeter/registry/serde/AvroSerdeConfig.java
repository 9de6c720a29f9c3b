package io.factorymeter.registry.serde;

import java.util.Map;
import java.util.Locale;
import org.apache.kafka.common.config.ConfigException;

/**
 * Serde settings, read from Confluent's keys:
 *
 * <ul>
 *   <li>{@code auto.register.schemas} (default true): register the record's schema under the
 *       subject when writing;
 *   <li>{@code use.latest.version} (default false): with auto-registration off, write with the
 *       subject's latest registered schema;
 *   <li>{@code normalize.schemas} (default false): ask the registry to normalize on registration;
 *   <li>{@code specific.avro.reader} (default false): decode into generated SpecificRecord classes
 *       instead of GenericRecord;
 *   <li>{@code specific.avro.key.type} / {@code specific.avro.value.type}: the SpecificRecord class
 *       to decode into (default: the class named by the writer schema);
 *   <li>{@code key.subject.name.strategy} / {@code value.subject.name.strategy}: only the topic
 *       name strategy ({@code <topic>-key} / {@code <topic>-value}) is supported.
 * </ul>
 */
public record AvroSerdeConfig(
    boolean autoRegister,
    boolean useLatestVersion,
    boolean normalize,
    boolean specificReader,
    Class<?> specificType) {

  public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
  public static final String USE_LATEST_VERSION = "use.latest.version";
  public static final String NORMALIZE_SCHEMAS = "normalize.schemas";
  public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";
  public static final String SPECIFIC_AVRO_KEY_TYPE = "specific.avro.key.type";
  public static final String SPECIFIC_AVRO_VALUE_TYPE = "specific.avro.value.type";
  public static final String KEY_SUBJECT_NAME_STRATEGY = "key.subject.name.strategy";
  public static final String VALUE_SUBJECT_NAME_STRATEGY = "value.subject.name.strategy";

  /** Reads the serde settings for a key ({@code isKey}) or value serde. */
  public static AvroSerdeConfig from(Map<String, ?> props, boolean isKey) {
    String strategyKey = isKey ? KEY_SUBJECT_NAME_STRATEGY : VALUE_SUBJECT_NAME_STRATEGY;
    Object strategy = props.get(strategyKey);
    if (strategy != null) {
      String name = strategy instanceof Class<?> c ? c.getName() : strategy.toString();
      if (!name.endsWith("TopicNameStrategy")) {
        throw new ConfigException(strategyKey, name, "only TopicNameStrategy (<topic>-key / <topic>-value) is supported");
      }
    }
    Object type = props.get(isKey ? SPECIFIC_AVRO_KEY_TYPE : SPECIFIC_AVRO_VALUE_TYPE);
    Class<?> specificType = null;
    if (type instanceof Class<?> c) {
      specificType = c;
    } else if (type != null && !type.toString().isBlank()) {
      try {
        specificType = Class.forName(type.toString().trim());
      } catch (ClassNotFoundException e) {
        throw new ConfigException(isKey ? SPECIFIC_AVRO_KEY_TYPE : SPECIFIC_AVRO_VALUE_TYPE, type, "class not found");
      }
    }
    return new AvroSerdeConfig(
        bool(props, AUTO_REGISTER_SCHEMAS, true),
        bool(props, USE_LATEST_VERSION, false),
        bool(props, NORMALIZE_SCHEMAS, false),
        bool(props, SPECIFIC_AVRO_READER, false) || specificType != null,
        specificType);
  }

  private static boolean bool(Map<String, ?> props, String key, boolean defaultValue) {
    Object v = props.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    String s = v.toString().trim().toLowerCase(Locale.ROOT);
    if (s.equals("true")) {
      return true;
    }
    if (s.equals("false")) {
      return false;
    }
    throw new ConfigException(key, v, "expected true or false");
  }
}
