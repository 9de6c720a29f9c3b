package io.factorymeter.schema;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.SchemaValidationException;
import org.apache.avro.SchemaValidator;
import org.apache.avro.SchemaValidatorBuilder;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every contract in {@code schemas/*.avsc} must stay BACKWARD-compatible with its released
 * versions in {@code schemas/released/<Name>/v<N>.avsc}: a consumer on the new schema reads
 * everything written with the previous one. Checked with Avro's own validator.
 */
class SchemaEvolutionTest {

  private static final Path MODULE = Path.of("").toAbsolutePath();
  private static final SchemaValidator BACKWARD =
      new SchemaValidatorBuilder().canReadStrategy().validateLatest();

  @TestFactory
  Stream<DynamicTest> eachSchemaIsBackwardCompatibleWithItsLatestRelease() throws IOException {
    List<Path> current = currentSchemas();
    assertEquals(11, current.size(), "contracts in " + MODULE + ": " + current);
    return current.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
      Schema now = parse(file);
      List<Path> released = releasedVersions(now.getName());
      assertFalse(released.isEmpty(), "no released version of " + now.getName() + " under released/");
      for (int i = 1; i < released.size(); i++) {
        Schema older = parse(released.get(i - 1));
        Schema newer = parse(released.get(i));
        assertDoesNotThrow(() -> BACKWARD.validate(newer, List.of(older)),
            released.get(i) + " cannot read data written with " + released.get(i - 1));
      }
      Schema latestRelease = parse(released.get(released.size() - 1));
      assertDoesNotThrow(() -> BACKWARD.validate(now, List.of(latestRelease)),
          file + " cannot read data written with " + released.get(released.size() - 1));
    }));
  }

  @Test
  void validatorRejectsARequiredFieldAddedWithoutDefault() throws IOException {
    Schema released = parse(MODULE.resolve("released/Tariff/v1.avsc"));
    Schema broken = new Schema.Parser().parse(released.toString().replace(
        "\"fields\":[",
        "\"fields\":[{\"name\":\"vatRate\",\"type\":\"double\"},"));
    assertTrue(broken.getField("vatRate") != null);
    assertThrows(SchemaValidationException.class, () -> BACKWARD.validate(broken, List.of(released)));
  }

  @Test
  void validatorAcceptsAnOptionalFieldAddedWithDefault() throws IOException {
    Schema released = parse(MODULE.resolve("released/Tariff/v1.avsc"));
    Schema evolved = new Schema.Parser().parse(released.toString().replace(
        "\"fields\":[",
        "\"fields\":[{\"name\":\"vatRate\",\"type\":[\"null\",\"double\"],\"default\":null},"));
    assertDoesNotThrow(() -> BACKWARD.validate(evolved, List.of(released)));
  }

  @Test
  void generatedClassesMatchTheContractFiles() throws IOException {
    // The generated classes add "avro.java.string" properties; the parsing form ignores them.
    assertEquals(parsingForm(parse(MODULE.resolve("NodeSample.avsc"))), parsingForm(NodeSample.getClassSchema()));
    assertEquals(parsingForm(parse(MODULE.resolve("BillingLine.avsc"))), parsingForm(BillingLine.getClassSchema()));
    assertEquals(parsingForm(parse(MODULE.resolve("NodeMetrics.avsc"))), parsingForm(NodeMetrics.getClassSchema()));
  }

  private static String parsingForm(Schema schema) {
    return SchemaNormalization.toParsingForm(schema);
  }

  private static List<Path> currentSchemas() throws IOException {
    try (Stream<Path> files = Files.list(MODULE)) {
      return files.filter(p -> p.toString().endsWith(".avsc")).sorted().toList();
    }
  }

  private static List<Path> releasedVersions(String name) throws IOException {
    Path dir = MODULE.resolve("released").resolve(name);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> versions = new ArrayList<>(files.filter(p -> p.getFileName().toString().matches("v\\d+\\.avsc")).toList());
      versions.sort(Comparator.comparingInt(SchemaEvolutionTest::versionOf));
      return versions;
    }
  }

  private static int versionOf(Path p) {
    String n = p.getFileName().toString();
    return Integer.parseInt(n.substring(1, n.length() - ".avsc".length()));
  }

  private static Schema parse(Path file) throws IOException {
    return new Schema.Parser().parse(file.toFile());
  }
}
