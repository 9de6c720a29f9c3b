package io.factorymeter.producers.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.factorymeter.schema.GpuEmbodied;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.GridIntensity;
import io.factorymeter.schema.Tariff;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The four JSON Lines types of reference data; the two carbon types in detail (the price types: PriceJsonTest). */
class ReferenceJsonTest {

  private static final Instant JAN = Instant.parse("2026-01-01T00:00:00Z");
  private static final String GRID =
      "{\"type\":\"grid-intensity\",\"site\":\"site-b\",\"gco2ePerKwh\":273.93,\"effectiveFrom\":\"2026-01-01T00:00:00Z\",\"source\":\"EM DE\"}";
  private static final String EMBODIED =
      "{\"type\":\"gpu-embodied\",\"gpuModel\":\"H100-SXM5-80GB\",\"gco2ePerGpuHour\":9.08,\"effectiveFrom\":\"2026-01-01T00:00:00Z\"}";

  private static String error(String line) {
    return assertThrows(IllegalArgumentException.class, () -> ReferenceJson.parse(line)).getMessage();
  }

  @Test
  void readsAllFourTypes() {
    ReferenceRecord g = ReferenceJson.parse(GRID);
    assertEquals(ReferenceKind.GRID_INTENSITY, g.kind());
    assertEquals("site-b", g.key());
    assertEquals(JAN, g.effectiveFrom());
    assertEquals(new GridIntensity("site-b", 273.93, JAN, "EM DE", null), g.value());

    ReferenceRecord e = ReferenceJson.parse(EMBODIED);
    assertEquals(ReferenceKind.GPU_EMBODIED, e.kind());
    assertEquals("H100-SXM5-80GB", e.key());
    assertEquals(new GpuEmbodied("H100-SXM5-80GB", 9.08, JAN, null, null), e.value(), "source is optional");
    assertNull(((GpuEmbodied) ReferenceJson.parse(EMBODIED.replace("}", ",\"source\":null}")).value()).getSource());

    ReferenceRecord t = ReferenceJson.parse(
        "{\"type\":\"tariff\",\"site\":\"site-a\",\"currency\":\"USD\",\"pricePerKwh\":0.085,\"pue\":1.25,\"effectiveFrom\":\"2026-01-01T00:00:00Z\"}");
    assertEquals(ReferenceKind.TARIFF, t.kind());
    assertEquals(new Tariff("site-a", "USD", 0.085, 1.25, JAN, null), t.value());
    ReferenceRecord r = ReferenceJson.parse(
        "{\"type\":\"gpu-rate\",\"gpuModel\":\"GB200-NVL72\",\"currency\":\"USD\",\"hourlyRate\":4.2,\"effectiveFrom\":\"2026-01-01T00:00:00Z\"}");
    assertEquals(ReferenceKind.GPU_RATE, r.kind());
    assertEquals("GB200-NVL72", r.key());
    assertEquals(new GpuRate("GB200-NVL72", "USD", 4.2, JAN, null), r.value());
  }

  @Test
  void acceptsTheBoundsThemselves() {
    assertEquals(0.0, ((GridIntensity) ReferenceJson.parse(GRID.replace("273.93", "0")).value()).getGco2ePerKwh());
    assertEquals(5000.0, ((GridIntensity) ReferenceJson.parse(GRID.replace("273.93", "5000")).value()).getGco2ePerKwh());
    assertEquals(0.0, ((GpuEmbodied) ReferenceJson.parse(EMBODIED.replace("9.08", "0")).value()).getGco2ePerGpuHour());
    assertEquals(10_000.0, ((GpuEmbodied) ReferenceJson.parse(EMBODIED.replace("9.08", "10000")).value()).getGco2ePerGpuHour());
  }

  @Test
  void refusesWhatCannotBeACarbonFigure() {
    assertEquals("field \"gco2ePerKwh\" must be a finite number from 0 to 5000, got -1.0", error(GRID.replace("273.93", "-1")));
    assertEquals("field \"gco2ePerKwh\" must be a finite number from 0 to 5000, got 5000.5", error(GRID.replace("273.93", "5000.5")));
    assertEquals("field \"gco2ePerKwh\" must be a finite number from 0 to 5000, got NaN", error(GRID.replace("273.93", "NaN")));
    assertEquals("field \"gco2ePerKwh\" must be a finite number from 0 to 5000, got Infinity", error(GRID.replace("273.93", "1e400")));
    assertEquals("field \"gco2ePerKwh\" must be a number, got \"273.93\"", error(GRID.replace("273.93", "\"273.93\"")));
    assertEquals("missing field \"gco2ePerKwh\"", error(GRID.replace("\"gco2ePerKwh\":273.93,", "")));
    assertEquals("field \"site\" must match [A-Za-z0-9._:/@-]{1,128}, got 'site b'", error(GRID.replace("site-b", "site b")));
    assertEquals("missing field \"site\"", error(GRID.replace("\"site\":\"site-b\",", "")));
    assertEquals("field \"effectiveFrom\" must be an ISO-8601 instant like 2026-11-26T00:00:00Z, got \"2026-01-01\"",
        error(GRID.replace("2026-01-01T00:00:00Z", "2026-01-01")));
    assertEquals("field \"source\" must be a non-empty string, got 7", error(GRID.replace("\"EM DE\"", "7")));
    assertEquals("field \"source\" must be at most 1024 characters, got '" + "x".repeat(64) + "...'",
        error(GRID.replace("EM DE", "x".repeat(1025))));

    assertEquals("field \"gco2ePerGpuHour\" must be a finite number from 0 to 10000, got -0.5", error(EMBODIED.replace("9.08", "-0.5")));
    assertEquals("field \"gco2ePerGpuHour\" must be a finite number from 0 to 10000, got 10000.5",
        error(EMBODIED.replace("9.08", "10000.5")));
    assertEquals("field \"gco2ePerGpuHour\" must be a finite number from 0 to 10000, got -Infinity",
        error(EMBODIED.replace("9.08", "-Infinity")));
    assertEquals("field \"gpuModel\" must be 1..128 printable characters, got 'H100?'", error(EMBODIED.replace("H100-SXM5-80GB", "H100\\t")));
    assertEquals("field \"gpuModel\" must be a non-empty string, got \"\"", error(EMBODIED.replace("H100-SXM5-80GB", "")));

    assertEquals("field \"type\" must be \"tariff\", \"gpu-rate\", \"grid-intensity\" or \"gpu-embodied\", got \"grid\"",
        error(GRID.replace("grid-intensity", "grid")));
    assertEquals("missing field \"type\"", error(GRID.replace("\"type\":\"grid-intensity\",", "")));
    assertEquals("not a JSON object", error("[1,2]"));
  }

  @Test
  void readsPublishedAtOnEveryType() {
    Instant noon = Instant.parse("2026-11-26T12:00:00Z");
    String published = ",\"publishedAt\":\"2026-11-26T12:00:00Z\"}";
    assertEquals(new GridIntensity("site-b", 273.93, JAN, "EM DE", noon), ReferenceJson.parse(GRID.replace("}", published)).value());
    assertEquals(new GpuEmbodied("H100-SXM5-80GB", 9.08, JAN, null, noon), ReferenceJson.parse(EMBODIED.replace("}", published)).value());
    assertEquals(new Tariff("site-a", "USD", 0.085, 1.25, JAN, noon), ReferenceJson.parse(
        "{\"type\":\"tariff\",\"site\":\"site-a\",\"currency\":\"USD\",\"pricePerKwh\":0.085,\"pue\":1.25,"
            + "\"effectiveFrom\":\"2026-01-01T00:00:00Z\",\"publishedAt\":\"2026-11-26T12:00:00Z\"}").value());
    assertEquals(new GpuRate("GB200-NVL72", "USD", 4.2, JAN, noon), ReferenceJson.parse(
        "{\"publishedAt\":\"2026-11-26T12:00:00Z\",\"type\":\"gpu-rate\",\"gpuModel\":\"GB200-NVL72\",\"currency\":\"USD\","
            + "\"hourlyRate\":4.2,\"effectiveFrom\":\"2026-01-01T00:00:00Z\"}").value());
    assertNull(((GridIntensity) ReferenceJson.parse(GRID).value()).getPublishedAt(), "absent: none");
    assertNull(((GpuEmbodied) ReferenceJson.parse(EMBODIED.replace("}", ",\"publishedAt\":null}")).value()).getPublishedAt(), "null: none");
    assertEquals(JAN, ReferenceJson.parse(GRID.replace("}", published)).effectiveFrom(), "the record timestamp stays effectiveFrom");
  }

  @Test
  void aGivenPublishedAtFillsOnlyRecordsWithoutOne() {
    Instant given = Instant.parse("2026-02-01T00:00:00Z");
    assertEquals(given, ((GridIntensity) ReferenceJson.parse(GRID, given).value()).getPublishedAt());
    assertEquals(given, ((GpuEmbodied) ReferenceJson.parse(EMBODIED.replace("}", ",\"publishedAt\":null}"), given).value()).getPublishedAt());
    assertEquals(Instant.parse("2026-11-26T12:00:00Z"), ((GridIntensity) ReferenceJson.parse(
        GRID.replace("}", ",\"publishedAt\":\"2026-11-26T12:00:00Z\"}"), given).value()).getPublishedAt());
  }

  @Test
  void refusesABadPublishedAtAndAMidMinuteCorrection() {
    assertEquals("field \"publishedAt\" must be an ISO-8601 instant like 2026-11-26T00:00:00Z, got \"yesterday\"",
        error(GRID.replace("}", ",\"publishedAt\":\"yesterday\"}")));
    assertEquals("field \"publishedAt\" must be a non-empty string, got \"\"", error(EMBODIED.replace("}", ",\"publishedAt\":\"\"}")));
    assertEquals("field \"publishedAt\" must be a non-empty string, got true", error(EMBODIED.replace("}", ",\"publishedAt\":true}")));
    String midMinute = GRID.replace("2026-01-01T00:00:00Z", "2026-11-26T10:00:30Z");
    String refused = "field \"effectiveFrom\" must be a whole minute for a correction (publishedAt 2026-11-26T12:00:00Z is later),"
        + " got 2026-11-26T10:00:30Z";
    assertEquals(refused, error(midMinute.replace("}", ",\"publishedAt\":\"2026-11-26T12:00:00Z\"}")));
    assertEquals(refused, assertThrows(IllegalArgumentException.class,
        () -> ReferenceJson.parse(midMinute, Instant.parse("2026-11-26T12:00:00Z"))).getMessage());
    assertNull(((GridIntensity) ReferenceJson.parse(midMinute).value()).getPublishedAt(), "without publishedAt: not a correction");
    assertEquals(Instant.parse("2026-11-26T10:00:00Z"), ((GridIntensity) ReferenceJson.parse(midMinute.replace("}",
        ",\"publishedAt\":\"2026-11-26T10:00:00Z\"}")).value()).getPublishedAt(), "published before it takes effect: not a correction");
  }
}
