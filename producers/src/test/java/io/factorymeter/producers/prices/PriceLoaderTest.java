package io.factorymeter.producers.prices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.factorymeter.schema.Tariff;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code prices load} checks the whole file before it sends anything ({@link PriceLoader#read}
 * comes before {@link PriceLoader#publish}): a price the pipeline would refuse is reported as
 * {@code FILE:LINE: reason}.
 */
class PriceLoaderTest {

  private static final String VALID =
      "{\"type\":\"tariff\",\"site\":\"site-a\",\"currency\":\"USD\",\"pricePerKwh\":0.10,\"pue\":1.2,\"effectiveFrom\":\"2026-01-01T00:00:00Z\"}";

  /** The error of a file whose third line is {@code bad}, between valid lines (and a blank one). */
  private static String errorOfThirdLine(Path dir, String bad) throws Exception {
    Path file = dir.resolve("prices.jsonl");
    Files.write(file, List.of(VALID, "", bad, VALID.replace("2026-01-01", "2026-11-01")));
    return assertThrows(IllegalArgumentException.class, () -> PriceLoader.read(file)).getMessage();
  }

  @Test
  void namesFileAndLineOfEachPriceThePipelineWouldRefuse(@TempDir Path dir) throws Exception {
    String file = dir.resolve("prices.jsonl").toString();
    assertEquals(file + ":3: field \"pricePerKwh\" must be a finite number from 0 to 500, got Infinity",
        errorOfThirdLine(dir, VALID.replace("0.10", "Infinity")));
    assertEquals(file + ":3: field \"pricePerKwh\" must be a finite number from 0 to 500, got NaN",
        errorOfThirdLine(dir, VALID.replace("0.10", "NaN")));
    assertEquals(file + ":3: field \"pricePerKwh\" must be a finite number from 0 to 500, got -0.1",
        errorOfThirdLine(dir, VALID.replace("0.10", "-0.1")));
    assertEquals(file + ":3: field \"pue\" must be a finite number from 1 to 4, got 0.5", errorOfThirdLine(dir, VALID.replace("1.2", "0.5")));
    assertEquals(file + ":3: field \"currency\" must be an ISO 4217 currency code like USD, got 'XYZ'",
        errorOfThirdLine(dir, VALID.replace("USD", "XYZ")));
    assertEquals(file + ":3: field \"hourlyRate\" must be a finite number from 0 to 4000, got NaN", errorOfThirdLine(dir,
        "{\"type\":\"gpu-rate\",\"gpuModel\":\"H100\",\"currency\":\"USD\",\"hourlyRate\":NaN,\"effectiveFrom\":\"2026-01-01T00:00:00Z\"}"));
  }

  @Test
  void readsAValidFileWhole(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("prices.jsonl");
    Files.write(file, List.of(VALID, "", VALID.replace("2026-01-01", "2026-11-01")));
    assertEquals(2, PriceLoader.read(file).size());
  }

  @Test
  void aGivenPublishedAtGoesToEveryPriceWithoutOneBeforeTheCheck(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("prices.jsonl");
    Instant noon = Instant.parse("2026-11-26T12:00:00Z");
    Files.write(file, List.of(VALID, VALID.replace("}", ",\"publishedAt\":\"2026-01-02T00:00:00Z\"}")));
    List<PriceJson.Price> prices = PriceLoader.read(file, noon);
    assertEquals(noon, ((Tariff) prices.get(0).value()).getPublishedAt());
    assertEquals(Instant.parse("2026-01-02T00:00:00Z"), ((Tariff) prices.get(1).value()).getPublishedAt(), "its own is kept");
    assertNull(((Tariff) PriceLoader.read(file).get(0).value()).getPublishedAt());

    Files.write(file, List.of(VALID, VALID.replace("2026-01-01T00:00:00Z", "2026-11-26T10:00:30Z")));
    assertEquals(2, PriceLoader.read(file).size(), "not corrections: no whole-minute rule");
    assertEquals(file + ":2: field \"effectiveFrom\" must be a whole minute for a correction (publishedAt 2026-11-26T12:00:00Z is later),"
        + " got 2026-11-26T10:00:30Z", assertThrows(IllegalArgumentException.class, () -> PriceLoader.read(file, noon)).getMessage());
  }
}
