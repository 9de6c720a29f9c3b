package io.factorymeter.stack.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factorymeter.registry.client.SchemaRegistryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * The state of a Confluent-compatible schema registry: schemas by global id, subjects with their
 * versions, compatibility levels. Every change is written to a {@link SchemaJournal} before it is
 * applied, and the state is rebuilt from the journal on start.
 *
 * <p>Semantics follow Confluent Schema Registry: the same schema (compared in Avro's normalized
 * JSON form, so whitespace and key order do not matter) has one global id in every subject;
 * registering a schema a subject already has returns its id without a new version; a soft-deleted
 * version keeps its number, and a permanent delete needs a soft delete first. Single writer: one
 * repository per journal. Thread-safe (methods are synchronized).
 */
public final class SchemaRepository {

  private static final ObjectMapper JSON = new ObjectMapper();

  private record Version(int version, int id, boolean deleted) {
  }

  private static final class Subject {
    final TreeMap<Integer, Version> versions = new TreeMap<>();
    String compatibility;

    List<Version> live() {
      return versions.values().stream().filter(v -> !v.deleted()).toList();
    }
  }

  /** A version of a subject as the API shows it. */
  public record SubjectVersion(String subject, int version, int id, String schema) {
  }

  private final SchemaJournal journal;
  private final Map<Integer, String> schemasById = new HashMap<>();
  private final Map<String, Integer> idsBySchema = new HashMap<>();
  private final TreeMap<String, Subject> subjects = new TreeMap<>();
  private CompatibilityLevel globalCompatibility;
  private int nextId = 1;

  /**
   * A repository whose state is rebuilt from {@code journal}.
   *
   * @param defaultCompatibility the global level until one is set through the API
   */
  public SchemaRepository(SchemaJournal journal, CompatibilityLevel defaultCompatibility) {
    this.journal = journal;
    this.globalCompatibility = defaultCompatibility;
    journal.replay(this::apply);
  }

  // --- schemas ---------------------------------------------------------------------------------

  /** Registers a schema under a subject; returns its global id. */
  public synchronized int register(String subject, String schemaText) {
    Schema schema = parse(schemaText);
    String normalized = schema.toString();
    Subject s = subjects.get(subject);
    if (s != null) {
      Optional<Version> same = liveMatch(s, normalized);
      if (same.isPresent()) {
        return same.get().id();
      }
      List<Schema> earlier = s.live().stream().map(v -> parse(schemasById.get(v.id()))).toList();
      List<String> violations = compatibilityOf(subject).violations(schema, earlier);
      if (!violations.isEmpty()) {
        throw new SchemaRegistryException(409, SchemaRegistryException.INCOMPATIBLE_SCHEMA,
            "Schema being registered is incompatible with an earlier schema for subject \"" + subject
                + "\", details: " + violations);
      }
    }
    int id = idsBySchema.getOrDefault(normalized, nextId);
    int version = s == null || s.versions.isEmpty() ? 1 : s.versions.lastKey() + 1;
    write(schemaKey(subject, version), schemaValue(subject, version, id, normalized, false));
    return id;
  }

  /** Finds a schema among a subject's live versions. */
  public synchronized SubjectVersion lookup(String subject, String schemaText) {
    Subject s = liveSubject(subject);
    String normalized = parse(schemaText).toString();
    return liveMatch(s, normalized).map(v -> new SubjectVersion(subject, v.version(), v.id(), normalized))
        .orElseThrow(() -> new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema not found"));
  }

  /** The live version of a subject whose (normalized) schema text is this one. */
  private Optional<Version> liveMatch(Subject s, String normalized) {
    return s.live().stream().filter(v -> schemasById.get(v.id()).equals(normalized)).findFirst();
  }

  /** The schema text with a global id. */
  public synchronized String schemaById(int id) {
    String schema = schemasById.get(id);
    if (schema == null) {
      throw new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
    }
    return schema;
  }

  /** Subject and version pairs that use a global id. */
  public synchronized List<SubjectVersion> usesOf(int id) {
    schemaById(id);
    List<SubjectVersion> uses = new ArrayList<>();
    subjects.forEach((name, s) -> s.live().stream().filter(v -> v.id() == id)
        .forEach(v -> uses.add(new SubjectVersion(name, v.version(), id, schemasById.get(id)))));
    return uses;
  }

  /** Subjects with at least one live version (or any version, with {@code includeDeleted}), sorted. */
  public synchronized List<String> subjects(boolean includeDeleted) {
    return subjects.entrySet().stream()
        .filter(e -> includeDeleted ? !e.getValue().versions.isEmpty() : !e.getValue().live().isEmpty())
        .map(Map.Entry::getKey).toList();
  }

  /** Version numbers of a subject, ascending. */
  public synchronized List<Integer> versions(String subject, boolean includeDeleted) {
    Subject s = includeDeleted ? anySubject(subject) : liveSubject(subject);
    return s.versions.values().stream().filter(v -> includeDeleted || !v.deleted()).map(Version::version).toList();
  }

  /** One version of a subject: a number, or "latest" / -1. */
  public synchronized SubjectVersion version(String subject, String versionId, boolean includeDeleted) {
    Subject s = includeDeleted ? anySubject(subject) : liveSubject(subject);
    Version v = resolve(s, subject, versionId, includeDeleted);
    return new SubjectVersion(subject, v.version(), v.id(), schemasById.get(v.id()));
  }

  /** Soft- or permanently deletes a subject; returns the versions deleted. */
  public synchronized List<Integer> deleteSubject(String subject, boolean permanent) {
    Subject s = anySubject(subject);
    List<Integer> deleted = new ArrayList<>();
    if (!permanent) {
      if (s.live().isEmpty()) {
        throw new SchemaRegistryException(404, SchemaRegistryException.SUBJECT_SOFT_DELETED,
            "Subject '" + subject + "' was soft deleted.Set permanent=true to delete permanently");
      }
      for (Version v : s.live()) {
        write(schemaKey(subject, v.version()), schemaValue(subject, v.version(), v.id(), schemasById.get(v.id()), true));
        deleted.add(v.version());
      }
      return deleted;
    }
    if (!s.live().isEmpty()) {
      throw new SchemaRegistryException(404, 40405,
          "Subject '" + subject + "' was not deleted first before being permanently deleted");
    }
    for (Version v : List.copyOf(s.versions.values())) {
      write(schemaKey(subject, v.version()), null);
      deleted.add(v.version());
    }
    return deleted;
  }

  /** Soft- or permanently deletes one version of a subject; returns its number. */
  public synchronized int deleteVersion(String subject, String versionId, boolean permanent) {
    Subject s = anySubject(subject);
    Version v = resolve(s, subject, versionId, permanent);
    if (!permanent) {
      if (v.deleted()) {
        throw new SchemaRegistryException(404, 40406, "Subject '" + subject + "' Version " + v.version()
            + " was soft deleted.Set permanent=true to delete permanently");
      }
      write(schemaKey(subject, v.version()), schemaValue(subject, v.version(), v.id(), schemasById.get(v.id()), true));
      return v.version();
    }
    if (!v.deleted()) {
      throw new SchemaRegistryException(404, 40407, "Subject '" + subject + "' Version " + v.version()
          + " was not deleted first before being permanently deleted");
    }
    write(schemaKey(subject, v.version()), null);
    return v.version();
  }

  /**
   * Whether {@code schemaText} could follow the given version (or, with {@code versionId} null,
   * all versions) of a subject under its level; the list of violations, empty when compatible. A
   * subject that does not exist accepts any schema.
   */
  public synchronized List<String> checkCompatibility(String subject, String versionId, String schemaText) {
    Schema candidate = parse(schemaText);
    Subject s = subjects.get(subject);
    if (s == null || s.live().isEmpty()) {
      return List.of();
    }
    CompatibilityLevel level = compatibilityOf(subject);
    if (versionId == null) {
      List<Schema> all = s.live().stream().map(v -> parse(schemasById.get(v.id()))).toList();
      List<String> out = new ArrayList<>();
      for (Schema old : all) {
        out.addAll(level.violations(candidate, List.of(old)));
      }
      return out;
    }
    Version v = resolve(s, subject, versionId, false);
    return level.violations(candidate, List.of(parse(schemasById.get(v.id()))));
  }

  // --- config ----------------------------------------------------------------------------------

  public synchronized CompatibilityLevel globalCompatibility() {
    return globalCompatibility;
  }

  public synchronized void setGlobalCompatibility(CompatibilityLevel level) {
    write(configKey(null), configValue(level));
  }

  /** The subject's own level, if one is set. */
  public synchronized Optional<CompatibilityLevel> subjectCompatibility(String subject) {
    Subject s = subjects.get(subject);
    return Optional.ofNullable(s == null ? null : s.compatibility).map(CompatibilityLevel::parse);
  }

  public synchronized void setSubjectCompatibility(String subject, CompatibilityLevel level) {
    write(configKey(subject), configValue(level));
  }

  /** Removes a subject's own level; returns the level it had. */
  public synchronized CompatibilityLevel deleteSubjectCompatibility(String subject) {
    CompatibilityLevel old = subjectCompatibility(subject).orElseThrow(() -> new SchemaRegistryException(404,
        SchemaRegistryException.SUBJECT_COMPATIBILITY_NOT_CONFIGURED,
        "Subject '" + subject + "' does not have subject-level compatibility configured"));
    write(configKey(subject), null);
    return old;
  }

  /** The level that applies to a subject: its own, else the global one. */
  public synchronized CompatibilityLevel compatibilityOf(String subject) {
    return subjectCompatibility(subject).orElse(globalCompatibility);
  }

  // --- journal ---------------------------------------------------------------------------------

  private void write(ObjectNode key, ObjectNode value) {
    String k = key.toString();
    String v = value == null ? null : value.toString();
    try {
      journal.append(k, v);
    } catch (RuntimeException e) {
      throw new SchemaRegistryException(500, SchemaRegistryException.STORE_ERROR,
          "Error while storing the change in the schema journal: " + e.getMessage());
    }
    apply(k, v);
  }

  private void apply(String keyJson, String valueJson) {
    try {
      JsonNode key = JSON.readTree(keyJson);
      JsonNode value = valueJson == null ? null : JSON.readTree(valueJson);
      String type = key.path("keytype").asText();
      String subject = key.hasNonNull("subject") ? key.get("subject").asText() : null;
      switch (type) {
        case "SCHEMA" -> {
          int version = key.get("version").asInt();
          if (value == null) {
            Subject s = subjects.get(subject);
            if (s != null) {
              s.versions.remove(version);
              if (s.versions.isEmpty() && s.compatibility == null) {
                subjects.remove(subject);
              }
            }
            return;
          }
          int id = value.get("id").asInt();
          String schema = value.get("schema").asText();
          schemasById.putIfAbsent(id, schema);
          idsBySchema.putIfAbsent(schema, id);
          nextId = Math.max(nextId, id + 1);
          subjects.computeIfAbsent(subject, n -> new Subject()).versions
              .put(version, new Version(version, id, value.path("deleted").asBoolean(false)));
        }
        case "CONFIG" -> {
          String level = value == null ? null : value.get("compatibilityLevel").asText();
          if (subject == null) {
            if (level != null) {
              globalCompatibility = CompatibilityLevel.parse(level);
            }
          } else if (level != null) {
            subjects.computeIfAbsent(subject, n -> new Subject()).compatibility = level;
          } else if (subjects.containsKey(subject)) {
            Subject s = subjects.get(subject);
            s.compatibility = null;
            if (s.versions.isEmpty()) {
              subjects.remove(subject);
            }
          }
        }
        default -> {
          // other record types of a Confluent _schemas topic (NOOP, MODE, ...) change nothing here
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Unreadable schema journal record " + keyJson, e);
    }
  }

  private static ObjectNode schemaKey(String subject, int version) {
    ObjectNode key = JSON.createObjectNode();
    key.put("keytype", "SCHEMA");
    key.put("subject", subject);
    key.put("version", version);
    key.put("magic", 1);
    return key;
  }

  private static ObjectNode schemaValue(String subject, int version, int id, String schema, boolean deleted) {
    ObjectNode value = JSON.createObjectNode();
    value.put("subject", subject);
    value.put("version", version);
    value.put("id", id);
    value.put("schema", schema);
    value.put("deleted", deleted);
    return value;
  }

  private static ObjectNode configKey(String subject) {
    ObjectNode key = JSON.createObjectNode();
    key.put("keytype", "CONFIG");
    if (subject == null) {
      key.putNull("subject");
    } else {
      key.put("subject", subject);
    }
    key.put("magic", 0);
    return key;
  }

  private static ObjectNode configValue(CompatibilityLevel level) {
    ObjectNode value = JSON.createObjectNode();
    value.put("compatibilityLevel", level.name());
    return value;
  }

  // --- helpers ---------------------------------------------------------------------------------

  private Subject liveSubject(String subject) {
    Subject s = subjects.get(subject);
    if (s == null || s.live().isEmpty()) {
      throw new SchemaRegistryException(404, SchemaRegistryException.SUBJECT_NOT_FOUND,
          "Subject '" + subject + "' not found.");
    }
    return s;
  }

  private Subject anySubject(String subject) {
    Subject s = subjects.get(subject);
    if (s == null || s.versions.isEmpty()) {
      throw new SchemaRegistryException(404, SchemaRegistryException.SUBJECT_NOT_FOUND,
          "Subject '" + subject + "' not found.");
    }
    return s;
  }

  private static Version resolve(Subject s, String subject, String versionId, boolean includeDeleted) {
    List<Version> candidates = s.versions.values().stream().filter(v -> includeDeleted || !v.deleted()).toList();
    if ("latest".equalsIgnoreCase(versionId) || "-1".equals(versionId)) {
      if (candidates.isEmpty()) {
        throw new SchemaRegistryException(404, SchemaRegistryException.VERSION_NOT_FOUND, "Version latest not found.");
      }
      return candidates.get(candidates.size() - 1);
    }
    int number;
    try {
      number = Integer.parseInt(versionId);
    } catch (NumberFormatException e) {
      number = 0;
    }
    if (number <= 0) {
      throw new SchemaRegistryException(422, SchemaRegistryException.INVALID_VERSION,
          "The specified version '" + versionId + "' is not a valid version id. Allowed values are between "
              + "[1, 2^31-1] and the string \"latest\"");
    }
    for (Version v : candidates) {
      if (v.version() == number) {
        return v;
      }
    }
    throw new SchemaRegistryException(404, SchemaRegistryException.VERSION_NOT_FOUND,
        "Version " + number + " not found.");
  }

  private static Schema parse(String text) {
    if (text == null || text.isBlank()) {
      throw new SchemaRegistryException(422, SchemaRegistryException.INVALID_SCHEMA, "Invalid schema: empty");
    }
    try {
      return new Schema.Parser().parse(text);
    } catch (SchemaParseException | IllegalArgumentException e) {
      throw new SchemaRegistryException(422, SchemaRegistryException.INVALID_SCHEMA,
          "Invalid schema " + abbreviate(text) + ", details: " + e.getMessage());
    } catch (RuntimeException e) {
      throw new SchemaRegistryException(422, SchemaRegistryException.INVALID_SCHEMA,
          "Invalid schema " + abbreviate(text) + ", details: " + e);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
