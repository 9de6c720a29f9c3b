package io.factorymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.producers.prices.PriceJson;
import io.factorymeter.producers.reference.ReferenceRecord;
import io.factorymeter.schema.GpuEmbodied;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.GridIntensity;
import io.factorymeter.schema.Tariff;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --published-at now|ISO} of {@code prices load} and {@code reference load}: it fills every
 * record without a publishedAt of its own, and the whole file is checked with it before anything is
 * sent. No broker: the commands fail, or are read, before they connect.
 */
class PublishedAtTest {

  private static final String NOON = "2026-11-26T12:00:00Z";
  private static final String TARIFF =
      "{\"type\":\"tariff\",\"site\":\"site-a\",\"currency\":\"USD\",\"pricePerKwh\":0.1,\"pue\":1.2,\"effectiveFrom\":\"2026-11-26T10:00:00Z\"}";
  private static final String RATE =
      "{\"type\":\"gpu-rate\",\"gpuModel\":\"H100-SXM5-80GB\",\"currency\":\"USD\",\"hourlyRate\":2.1,\"effectiveFrom\":\"2026-11-26T10:00:00Z\"}";
  private static final String GRID =
      "{\"type\":\"grid-intensity\",\"site\":\"site-a\",\"gco2ePerKwh\":168.46,\"effectiveFrom\":\"2026-11-26T10:00:00Z\"}";
  private static final String EMBODIED =
      "{\"type\":\"gpu-embodied\",\"gpuModel\":\"H100-SXM5-80GB\",\"gco2ePerGpuHour\":9.08,\"effectiveFrom\":\"2026-11-26T10:00:00Z\"}";
  private static final String OWN = ",\"publishedAt\":\"2026-11-26T11:00:00Z\"}";
  private static final String EM_HEADER = "Datetime (UTC),Zone Id,Carbon Intensity gCO₂eq/kWh (direct)";
  /** The correction rule of PriceRules for effectiveFrom 10:00:30Z published at 12:00Z. */
  private static final String MID_MINUTE = "field \"effectiveFrom\" must be a whole minute for a correction (publishedAt 2026-11-26T12:00:00Z is later)"
      + ", got 2026-11-26T10:00:30Z";
  /** Nothing listens here: a command that tried to connect would say it cannot reach Kafka. */
  private static final String[] NO_BROKER = {"--bootstrap-servers", "127.0.0.1:9", "--schema-registry-url", "http://127.0.0.1:9"};

  private static PricesCommand.Load prices(String... args) {
    PricesCommand.Load load = new PricesCommand.Load();
    new CommandLine(load).parseArgs(args);
    return load;
  }

  private static ReferenceCommand.Load reference(String... args) {
    ReferenceCommand.Load load = new ReferenceCommand.Load();
    new CommandLine(load).parseArgs(args);
    return load;
  }

  private static CommandLineTest.Run run(String... args) {
    List<String> all = new java.util.ArrayList<>(List.of(args));
    all.addAll(List.of(NO_BROKER));
    return CommandLineTest.runAsGiven(all.toArray(String[]::new));
  }

  @Test
  void nowIsTheMinuteAfterNextAndAnInstantIsReadAsIso() {
    PublishedAtOption.Converter c = new PublishedAtOption.Converter(Clock.fixed(Instant.parse("2026-11-26T12:34:56.789123456Z"), ZoneOffset.UTC));
    assertEquals(Instant.parse("2026-11-26T12:36:00Z"), c.convert("now"));
    assertEquals(Instant.parse("2026-11-26T12:36:00Z"), c.convert(" NOW "));
    PublishedAtOption.Converter onTheMinute = new PublishedAtOption.Converter(Clock.fixed(Instant.parse("2026-11-26T12:34:00Z"),
        ZoneOffset.UTC));
    assertEquals(Instant.parse("2026-11-26T12:36:00Z"), onTheMinute.convert("now"), "at least 60 s ahead");
    assertEquals(Instant.parse(NOON), c.convert(NOON));
    assertEquals(Instant.parse("2026-11-26T12:00:00.5Z"), c.convert("2026-11-26T12:00:00.500Z"), "an instant given is kept as it is");
    assertEquals("'tomorrow' is neither now nor an ISO-8601 instant (examples: now, 2026-11-26T12:00:00Z)",
        assertThrows(TypeConversionException.class, () -> c.convert("tomorrow")).getMessage());
  }

  @Test
  void nowOnTheCommandLineIsTheWallClockWhenItIsRead(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("prices.jsonl");
    Files.write(file, List.of(TARIFF));
    Instant before = Instant.now();
    PricesCommand.Load load = prices(file.toString(), "--published-at", "now");
    Instant after = Instant.now();
    Instant published = ((Tariff) load.read().get(0).value()).getPublishedAt();
    assertTrue(!published.isBefore(before.plusSeconds(60)) && !published.isAfter(after.plusSeconds(120)),
        before + " + 60 s <= " + published + " <= " + after + " + 120 s");
    assertEquals(0, published.getEpochSecond() % 60, "a whole minute: " + published);
    assertEquals(0, published.getNano(), "a whole minute: " + published);
  }

  @Test
  void pricesLoadFillsPricesWithoutPublishedAtAndKeepsTheirOwn(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("prices.jsonl");
    Files.write(file, List.of(TARIFF, RATE.replace("}", OWN), TARIFF.replace("}", ",\"publishedAt\":null}")));
    List<PriceJson.Price> given = prices(file.toString(), "--published-at", NOON).read();
    assertEquals(Instant.parse(NOON), ((Tariff) given.get(0).value()).getPublishedAt());
    assertEquals(Instant.parse("2026-11-26T11:00:00Z"), ((GpuRate) given.get(1).value()).getPublishedAt(), "its own is kept");
    assertEquals(Instant.parse(NOON), ((Tariff) given.get(2).value()).getPublishedAt(), "null = none of its own");
    assertEquals(Instant.parse("2026-11-26T10:00:00Z"), given.get(0).effectiveFrom(), "still stamped with effectiveFrom");

    List<PriceJson.Price> none = prices(file.toString()).read();
    assertNull(((Tariff) none.get(0).value()).getPublishedAt(), "no --published-at: none");
    assertEquals(Instant.parse("2026-11-26T11:00:00Z"), ((GpuRate) none.get(1).value()).getPublishedAt());
  }

  @Test
  void referenceLoadFillsRecordsWithoutPublishedAtAndKeepsTheirOwn(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("ref.jsonl");
    Files.write(file, List.of(TARIFF, RATE, GRID.replace("}", OWN), EMBODIED));
    List<ReferenceRecord> records = reference(file.toString(), "--published-at", NOON).read().records();
    assertEquals(Instant.parse(NOON), ((Tariff) records.get(0).value()).getPublishedAt());
    assertEquals(Instant.parse(NOON), ((GpuRate) records.get(1).value()).getPublishedAt());
    assertEquals(Instant.parse("2026-11-26T11:00:00Z"), ((GridIntensity) records.get(2).value()).getPublishedAt(), "its own is kept");
    assertEquals(Instant.parse(NOON), ((GpuEmbodied) records.get(3).value()).getPublishedAt());
    assertNull(((GpuEmbodied) reference(file.toString()).read().records().get(3).value()).getPublishedAt(), "no --published-at: none");

    Path csv = dir.resolve("em.csv");
    Files.writeString(csv, EM_HEADER + "\n2026-11-26 10:00:00,DE,280.5\n2026-11-26 11:00:00,DE,290.25\n");
    ReferenceCommand.Load.Input em = reference("--electricitymaps", csv.toString(), "--site", "site-b", "--published-at", NOON).read();
    assertEquals("DE", em.zone());
    assertEquals(List.of(Instant.parse(NOON), Instant.parse(NOON)),
        em.records().stream().map(r -> ((GridIntensity) r.value()).getPublishedAt()).toList(), "every hour a correction published at noon");
    assertEquals(List.of(Instant.parse("2026-11-26T10:00:00Z"), Instant.parse("2026-11-26T11:00:00Z")),
        em.records().stream().map(ReferenceRecord::effectiveFrom).toList());
  }

  @Test
  void aMidMinuteCorrectionIsRefusedInOneLineAndNothingIsSent(@TempDir Path dir) throws Exception {
    Path prices = dir.resolve("prices.jsonl");
    Files.write(prices, List.of(RATE, TARIFF.replace("10:00:00Z", "10:00:30Z")));
    CommandLineTest.Run given = run("prices", "load", prices.toString(), "--published-at", NOON);
    assertEquals(1, given.exitCode());
    assertEquals("factory-meter: " + prices + ":2: " + MID_MINUTE + "\n", given.err().replace(System.lineSeparator(), "\n"));
    assertEquals("", given.out());

    Path own = dir.resolve("own.jsonl");
    Files.write(own, List.of(TARIFF.replace("10:00:00Z", "10:00:30Z").replace("}", ",\"publishedAt\":\"" + NOON + "\"}")));
    CommandLineTest.Run inTheFile = run("prices", "load", own.toString());
    assertEquals(1, inTheFile.exitCode());
    assertEquals("factory-meter: " + own + ":1: " + MID_MINUTE, inTheFile.err().strip());

    Path ref = dir.resolve("ref.jsonl");
    Files.write(ref, List.of(TARIFF, GRID.replace("10:00:00Z", "10:00:30Z")));
    CommandLineTest.Run reference = run("reference", "load", ref.toString(), "--published-at", NOON);
    assertEquals(1, reference.exitCode());
    assertEquals("factory-meter: " + ref + ":2: " + MID_MINUTE, reference.err().strip());
    assertEquals(1, reference.err().strip().lines().count(), reference.err());

    Path csv = dir.resolve("em.csv");
    Files.writeString(csv, EM_HEADER + "\n2026-11-26 10:00:30,DE,280.5\n");
    CommandLineTest.Run em = run("reference", "load", "--electricitymaps", csv.toString(), "--site", "site-b", "--published-at", NOON);
    assertEquals(1, em.exitCode());
    assertEquals("factory-meter: " + csv + ":2: " + MID_MINUTE, em.err().strip());
  }

  @Test
  void aBadPublishedAtIsAUsageError(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("prices.jsonl");
    Files.write(file, List.of(TARIFF));
    CommandLineTest.Run bad = run("prices", "load", file.toString(), "--published-at", "2026-11-26");
    assertEquals(2, bad.exitCode());
    assertEquals("factory-meter: Invalid value for option '--published-at': '2026-11-26' is neither now nor an ISO-8601 instant"
        + " (examples: now, 2026-11-26T12:00:00Z) (see: factory-meter prices load --help)", bad.err().strip());
  }

  @Test
  void theHelpSaysWhatPublishedAtDoes() {
    String text = "--published-at=now|ISO When these versions were published: a version published after its effectiveFrom is a"
        + " correction; billing restates the lines it changes at the first batch close after this instant, the same in every replay"
        + " (SPEC §2a). `now` = the start of the minute after next (60 to 120 s ahead), so that the versions reach every instance"
        + " before event time does.";
    for (String command : List.of("prices", "reference")) {
      String help = HelpTextTest.print(command, "load", "--help").out().replaceAll("\\s+", " ");
      assertTrue(help.contains(text), help);
      assertTrue(help.contains("add \"publishedAt\":ISO, when"), help);
    }
  }
}
