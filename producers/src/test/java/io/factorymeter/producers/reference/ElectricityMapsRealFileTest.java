package io.factorymeter.producers.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.factorymeter.schema.GridIntensity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The real Electricity Maps 2024 file of zone DE-LU from {@code ../shared/data} (skipped when it
 * is not there): one version per hour of the leap year, and a few hours checked against the
 * file's own rows (read with grep, not from this code's output).
 */
class ElectricityMapsRealFileTest {

  static final String RELATIVE = "shared/data/electricitymaps-hourly-2024/DE-LU_2024_hourly.csv";

  /** The file, looked for beside every directory from the working directory up (the repository is one level below shared/). */
  static Path realFile() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(RELATIVE);
      if (Files.isReadable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  @Test
  void everyHourOf2024IsAVersion() throws Exception {
    Path file = realFile();
    assumeTrue(file != null, "../shared/data/electricitymaps-hourly-2024/DE-LU_2024_hourly.csv is not on this machine");
    ElectricityMapsCsv.Conversion direct = ElectricityMapsCsv.read(file, "site-b", false);
    List<ReferenceRecord> r = direct.records();
    assertEquals("DE", direct.zoneId());
    assertEquals(366 * 24, r.size(), "2024 is a leap year: 8,784 hours");
    assertEquals(Instant.parse("2024-01-01T00:00:00Z"), r.get(0).effectiveFrom());
    assertEquals(Instant.parse("2024-12-31T23:00:00Z"), r.get(r.size() - 1).effectiveFrom());
    for (int i = 1; i < r.size(); i++) {
      assertEquals(Duration.ofHours(1), Duration.between(r.get(i - 1).effectiveFrom(), r.get(i).effectiveFrom()), "row " + (i + 2));
    }
    Map<Instant, Double> byHour = new HashMap<>();
    for (ReferenceRecord x : r) {
      assertEquals("site-b", x.key());
      assertEquals(x.effectiveFrom(), ((GridIntensity) x.value()).getEffectiveFrom());
      byHour.put(x.effectiveFrom(), ((GridIntensity) x.value()).getGco2ePerKwh());
    }
    // grep '^2024-01-01 00:00:00\|^2024-02-29 12:00:00\|^2024-07-15 13:00:00\|^2024-12-31 23:00:00' DE-LU_2024_hourly.csv
    assertEquals(133.1, byHour.get(Instant.parse("2024-01-01T00:00:00Z")));
    assertEquals(214.92, byHour.get(Instant.parse("2024-02-29T12:00:00Z")));
    assertEquals(109.53, byHour.get(Instant.parse("2024-07-15T13:00:00Z")));
    assertEquals(366.74, byHour.get(Instant.parse("2024-10-27T01:00:00Z")), "an estimated hour (Data Estimated = true)");
    assertEquals(158.28, byHour.get(Instant.parse("2024-12-31T23:00:00Z")));
    assertEquals("Electricity Maps DE direct 2024 (ODbL)", ((GridIntensity) r.get(0).value()).getSource());

    List<ReferenceRecord> lca = ElectricityMapsCsv.read(file, "site-b", true).records();
    assertEquals(8_784, lca.size());
    assertEquals(177.74, ((GridIntensity) lca.get(0).value()).getGco2ePerKwh());
    assertEquals(207.11, ((GridIntensity) lca.get(lca.size() - 1).value()).getGco2ePerKwh());
  }
}
