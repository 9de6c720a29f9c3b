package io.factorymeter.producers.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.factorymeter.schema.GpuEmbodied;
import io.factorymeter.schema.GridIntensity;
import io.factorymeter.schema.Tariff;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A reference file is checked whole before anything is sent; every bad line is named. */
class ReferenceLoaderTest {

  private static final String TARIFF =
      "{\"type\":\"tariff\",\"site\":\"site-a\",\"currency\":\"USD\",\"pricePerKwh\":0.1,\"pue\":1.2,\"effectiveFrom\":\"2026-01-01T00:00:00Z\"}";
  private static final String GRID =
      "{\"type\":\"grid-intensity\",\"site\":\"site-a\",\"gco2ePerKwh\":168.46,\"effectiveFrom\":\"2026-01-01T00:00:00Z\"}";
  private static final String EMBODIED =
      "{\"type\":\"gpu-embodied\",\"gpuModel\":\"B200-SXM-180GB\",\"gco2ePerGpuHour\":15.81,\"effectiveFrom\":\"2026-01-01T00:00:00Z\"}";

  @Test
  void listsEveryBadLineAndReadsNothing(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("carbon.jsonl");
    Files.write(file, List.of(TARIFF, GRID.replace("168.46", "-3"), "", EMBODIED, "oops", EMBODIED.replace("15.81", "NaN")));
    ReferenceFileException e = assertThrows(ReferenceFileException.class, () -> ReferenceLoader.read(file));
    assertEquals(List.of(
        file + ":2: field \"gco2ePerKwh\" must be a finite number from 0 to 5000, got -3.0",
        file + ":5: not JSON: Unrecognized token 'oops': was expecting (JSON String, Number (or 'NaN'/'+INF'/'-INF'), Array, Object or token 'null', 'true' or 'false')",
        file + ":6: field \"gco2ePerGpuHour\" must be a finite number from 0 to 10000, got NaN"), e.errors());
    assertEquals(e.errors().get(0) + " (and 2 more)", e.getMessage());
  }

  @Test
  void publishesEachRecordToItsKindStampedWithItsEffectiveTime(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("ref.jsonl");
    Files.write(file, List.of("\uFEFF" + TARIFF, GRID, EMBODIED, GRID.replace("2026-01-01", "2026-06-01")));
    List<ReferenceRecord> records = ReferenceLoader.read(file);
    List<String> sent = new ArrayList<>();
    int[] flushes = {0};
    Map<ReferenceKind, Integer> counts = ReferenceLoader.publish(records, new ReferenceLoader.Sink() {
      @Override
      public void send(ReferenceKind kind, String key, SpecificRecord value, long timestampMs) {
        sent.add(kind + " " + key + " " + timestampMs);
      }

      @Override
      public void flush() {
        flushes[0]++;
      }
    });
    // 2026-01-01T00:00Z = 1767225600000 ms; 2026-06-01T00:00Z = 1780272000000 ms
    assertEquals(List.of("TARIFF site-a 1767225600000", "GRID_INTENSITY site-a 1767225600000",
        "GPU_EMBODIED B200-SXM-180GB 1767225600000", "GRID_INTENSITY site-a 1780272000000"), sent);
    assertEquals(1, flushes[0]);
    assertEquals(Map.of(ReferenceKind.TARIFF, 1, ReferenceKind.GPU_RATE, 0, ReferenceKind.GRID_INTENSITY, 2, ReferenceKind.GPU_EMBODIED, 1),
        counts);
  }

  @Test
  void aGivenPublishedAtGoesToEveryRecordWithoutOneAndEveryBadLineIsNamed(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("ref.jsonl");
    Instant noon = Instant.parse("2026-11-26T12:00:00Z");
    Files.write(file, List.of(TARIFF, GRID.replace("}", ",\"publishedAt\":\"2026-01-02T00:00:00Z\"}"), EMBODIED));
    List<ReferenceRecord> records = ReferenceLoader.read(file, noon);
    assertEquals(noon, ((Tariff) records.get(0).value()).getPublishedAt());
    assertEquals(Instant.parse("2026-01-02T00:00:00Z"), ((GridIntensity) records.get(1).value()).getPublishedAt(), "its own is kept");
    assertEquals(noon, ((GpuEmbodied) records.get(2).value()).getPublishedAt());

    Files.write(file, List.of(GRID.replace("2026-01-01T00:00:00Z", "2026-11-26T10:00:30Z"), TARIFF,
        EMBODIED.replace("2026-01-01T00:00:00Z", "2026-11-26T10:00:30Z")));
    assertEquals(3, ReferenceLoader.read(file).size(), "not corrections: no whole-minute rule");
    String rule = ": field \"effectiveFrom\" must be a whole minute for a correction (publishedAt 2026-11-26T12:00:00Z is later),"
        + " got 2026-11-26T10:00:30Z";
    assertEquals(List.of(file + ":1" + rule, file + ":3" + rule),
        assertThrows(ReferenceFileException.class, () -> ReferenceLoader.read(file, noon)).errors());
  }
}
