package io.factorymeter.stack.registry;

import io.factorymeter.registry.client.SchemaRegistryException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * Compatibility levels of Confluent Schema Registry, checked with Avro's own
 * {@link SchemaCompatibility}. BACKWARD: the new schema reads data written with the previous one;
 * FORWARD: the previous schema reads data written with the new one; FULL: both. The
 * {@code _TRANSITIVE} variants check against every earlier version, the others against the latest.
 */
public enum CompatibilityLevel {
  NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE;

  /** Parses a level name, case-insensitively; 42203 when it is not one. */
  public static CompatibilityLevel parse(String name) {
    if (name != null) {
      try {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException ignored) {
        // fall through
      }
    }
    throw new SchemaRegistryException(422, SchemaRegistryException.INVALID_COMPATIBILITY_LEVEL,
        "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive,"
            + " forward_transitive, and full_transitive");
  }

  boolean transitive() {
    return name().endsWith("_TRANSITIVE");
  }

  /**
   * Why {@code candidate} may not follow {@code earlier} (oldest first) under this level; empty
   * when it may.
   */
  public List<String> violations(Schema candidate, List<Schema> earlier) {
    List<String> messages = new ArrayList<>();
    if (this == NONE || earlier.isEmpty()) {
      return messages;
    }
    List<Schema> against = transitive() ? earlier : List.of(earlier.get(earlier.size() - 1));
    boolean backward = this == BACKWARD || this == BACKWARD_TRANSITIVE || this == FULL || this == FULL_TRANSITIVE;
    boolean forward = this == FORWARD || this == FORWARD_TRANSITIVE || this == FULL || this == FULL_TRANSITIVE;
    for (Schema old : against) {
      if (backward) {
        describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, old), "new schema cannot read data written with an earlier version", messages);
      }
      if (forward) {
        describe(SchemaCompatibility.checkReaderWriterCompatibility(old, candidate), "an earlier version cannot read data written with the new schema", messages);
      }
    }
    return messages;
  }

  private static void describe(SchemaPairCompatibility result, String direction, List<String> messages) {
    for (Incompatibility i : result.getResult().getIncompatibilities()) {
      messages.add("{errorType:'" + i.getType() + "', description:'" + direction + ": " + i.getMessage()
          + "', location:'" + i.getLocation() + "'}");
    }
  }
}
