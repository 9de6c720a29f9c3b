package io.factorymeter.producers.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.factorymeter.schema.GridIntensity;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Electricity Maps conversion on rows cut from the real 2024 files
 * ({@code src/test/resources/electricitymaps/}, see SOURCE.md there); expected values read from
 * those rows.
 */
class ElectricityMapsCsvTest {

  private static final String HEADER = "Datetime (UTC),Country,Zone Name,Zone Id,Carbon Intensity gCO₂eq/kWh (direct),"
      + "Carbon Intensity gCO₂eq/kWh (LCA),Low Carbon Percentage,Renewable Percentage,Data Source,Data Estimated,Data Estimation Method";

  private static ElectricityMapsCsv.Conversion fixture(String name, String site, boolean lifecycle) throws Exception {
    try (InputStream in = ElectricityMapsCsvTest.class.getResourceAsStream("/electricitymaps/" + name)) {
      return ElectricityMapsCsv.read(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), name, site, lifecycle);
    }
  }

  private static ElectricityMapsCsv.Conversion text(String csv, boolean lifecycle) throws Exception {
    return ElectricityMapsCsv.read(new BufferedReader(new StringReader(csv)), "em.csv", "site-x", lifecycle);
  }

  private static List<String> errors(String csv) {
    return assertThrows(ReferenceFileException.class, () -> text(csv, false)).errors();
  }

  private static GridIntensity value(ReferenceRecord r) {
    return (GridIntensity) r.value();
  }

  @Test
  void oneVersionPerRowFromTheDirectColumn() throws Exception {
    ElectricityMapsCsv.Conversion c = fixture("DE-LU_2024_hourly-excerpt.csv", "site-b", false);
    assertEquals("DE", c.zoneId());
    List<ReferenceRecord> r = c.records();
    assertEquals(6, r.size());
    assertEquals(List.of(Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2024-01-01T01:00:00Z"), Instant.parse("2024-01-01T02:00:00Z"),
        Instant.parse("2024-02-29T12:00:00Z"), Instant.parse("2024-10-27T01:00:00Z"), Instant.parse("2024-12-31T23:00:00Z")),
        r.stream().map(ReferenceRecord::effectiveFrom).toList());
    assertEquals(List.of(133.1, 134.17, 137.94, 214.92, 366.74, 158.28), r.stream().map(x -> value(x).getGco2ePerKwh()).toList());
    for (ReferenceRecord x : r) {
      assertEquals(ReferenceKind.GRID_INTENSITY, x.kind());
      assertEquals("site-b", x.key());
      assertEquals("site-b", value(x).getSite());
      assertEquals(x.effectiveFrom(), value(x).getEffectiveFrom());
      assertEquals("Electricity Maps DE direct 2024 (ODbL)", value(x).getSource());
    }
  }

  @Test
  void lifecycleTakesTheLcaColumn() throws Exception {
    List<ReferenceRecord> r = fixture("DE-LU_2024_hourly-excerpt.csv", "site-b", true).records();
    assertEquals(List.of(177.74, 179.08, 183.69, 271.03, 426.95, 207.11), r.stream().map(x -> value(x).getGco2ePerKwh()).toList());
    assertEquals("Electricity Maps DE LCA 2024 (ODbL)", value(r.get(0)).getSource());
  }

  @Test
  void dataSourceCellsWithLeadingSpacesAndSemicolonsAreFine() throws Exception {
    ElectricityMapsCsv.Conversion c = fixture("GB_2024_hourly-excerpt.csv", "site-c", false);
    assertEquals("GB", c.zoneId());
    assertEquals(List.of(61.34, 59.96, 65.7), c.records().stream().map(x -> value(x).getGco2ePerKwh()).toList());
  }

  @Test
  void columnsAreFoundByNameAndQuotedCellsMayHoldCommas() throws Exception {
    String csv = "Zone Id, carbon intensity gCO2eq/kWh (direct) ,Data Source,Datetime (UTC)\n"
        + "DE,133.1,\"entsoe.eu, estimated\",2024-01-01 00:00:00\n"
        + "\n"
        + "\"DE\",\"134.17\",x,2024-01-01T01:00:00Z\n";
    List<ReferenceRecord> r = text(csv, false).records();
    assertEquals(List.of(133.1, 134.17), r.stream().map(x -> value(x).getGco2ePerKwh()).toList());
    assertEquals(Instant.parse("2024-01-01T01:00:00Z"), r.get(1).effectiveFrom());
  }

  @Test
  void everyBadRowIsNamedAndNothingIsReturned() {
    String csv = HEADER + "\n"
        + "2024-01-01 00:00:00,Germany,Germany,DE,133.1,177.74,83.26,81.53,entsoe.eu,false,\n"
        + "2024-01-01 01:00:00,Germany,Germany,DE,,179.08,83.12,81.77,entsoe.eu,false,\n"
        + "2024-01-01 02:00:00,Germany,Germany,DE,n/a,183.69,82.63,81.6,entsoe.eu,false,\n"
        + "2024-01-01 03:00:00,Germany,Germany,DE,-4,183.69,82.63,81.6,entsoe.eu,false,\n"
        + "2024-01-01 00:00:00,Germany,Germany,DE,140,183.69,82.63,81.6,entsoe.eu,false,\n"
        + "2024-01-01 05:00:00,Great Britain,Great Britain,GB,61.34,96.44,85.53,62.7,x,false,\n"
        + "01/01/2024 06:00,Germany,Germany,DE,140,183.69,82.63,81.6,entsoe.eu,false,\n"
        + "2024-01-01 07:00:00,Germany,Germany,DE,140,183.69\n";
    String direct = "column \"Carbon Intensity gCO₂eq/kWh (direct)\"";
    assertEquals(List.of(
        "em.csv:3: " + direct + " is empty: no intensity for this hour",
        "em.csv:4: " + direct + " must be a number, got \"n/a\"",
        "em.csv:5: " + direct + " must be a finite number from 0 to 5000, got -4.0",
        "em.csv:6: hour 2024-01-01 00:00:00 appears twice (first on line 2)",
        "em.csv:7: zone \"GB\" differs from the first row's \"DE\" (one zone per file)",
        "em.csv:8: column \"Datetime (UTC)\" must be a UTC time like 2024-01-01 00:00:00, got \"01/01/2024 06:00\"",
        "em.csv:9: row has 6 cells, the header 11"), errors(csv));
  }

  @Test
  void aFileThatIsNotAnElectricityMapsDatasetIsRefusedAtItsHeader() {
    assertEquals(List.of("em.csv:1: the header lacks column(s) \"Datetime (UTC)\", \"Carbon Intensity gCO₂eq/kWh (direct)\" (an Electricity Maps"
        + " hourly dataset starts: Datetime (UTC),Country,Zone Name,Zone Id,Carbon Intensity gCO₂eq/kWh (direct),"
        + "Carbon Intensity gCO₂eq/kWh (LCA),...)"), errors("nodeId,Zone Id,site\nn-1,DE,s\n"));
    assertEquals(List.of("em.csv:1: empty file, expected the Electricity Maps header"), errors(""));
    assertEquals(List.of("em.csv: no data rows after the header"), errors(HEADER + "\n"));
  }

  @Test
  void everyVersionGetsTheGivenPublishedAt() throws Exception {
    String csv = HEADER + "\n2024-01-01 00:00:00,Germany,Germany,DE,133.1,177.74,,,,,\n2024-01-01 01:00:00,Germany,Germany,DE,134.17,178.5,,,,,\n";
    Instant published = Instant.parse("2024-03-01T08:30:00Z");
    ElectricityMapsCsv.Conversion c = ElectricityMapsCsv.read(new BufferedReader(new StringReader(csv)), "em.csv", "site-x", false, published);
    assertEquals(List.of(published, published), c.records().stream().map(r -> value(r).getPublishedAt()).toList());
    assertEquals(Instant.parse("2024-01-01T01:00:00Z"), c.records().get(1).effectiveFrom());
    assertEquals(Arrays.asList(null, null), text(csv, false).records().stream().map(r -> value(r).getPublishedAt()).toList(),
        "none given: none");
  }
}
