package io.factorymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factorymeter.producers.prices.PriceJson;
import io.factorymeter.producers.reference.ReferenceKind;
import io.factorymeter.producers.reference.ReferenceRecord;
import io.factorymeter.stack.LocalStackExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code reference load} as a user runs it, against a real broker and registry, the topics read back with {@code tail}. */
class ReferenceLoadTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final LocalStackExtension STACK = new LocalStackExtension();

  static CommandLineTest.Run run(String... args) {
    return CommandLineTest.runWith(STACK.stack(), args);
  }

  /** ../shared/data/electricitymaps-hourly-2024/DE-LU_2024_hourly.csv, looked for from the working directory up; null when absent. */
  static Path realDeLuFile() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared/data/electricitymaps-hourly-2024/DE-LU_2024_hourly.csv");
      if (Files.isReadable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  private static List<JsonNode> tail(String topic, int max) throws Exception {
    CommandLineTest.Run tail = run("tail", topic, "--from-beginning", "--max", Integer.toString(max), "--timeout", "60s");
    assertEquals(0, tail.exitCode(), tail.err());
    List<JsonNode> records = new java.util.ArrayList<>();
    for (String line : tail.outLines()) {
      records.add(JSON.readTree(line));
    }
    return records;
  }

  @Test
  void aRealElectricityMapsYearBecomesOneVersionPerHour() throws Exception {
    Path file = realDeLuFile();
    assumeTrue(file != null, "../shared/data/electricitymaps-hourly-2024/DE-LU_2024_hourly.csv is not on this machine");
    CommandLineTest.Run load = run("reference", "load", "--electricitymaps", file.toString(), "--site", "site-b",
        "--grid-intensity-topic", "ref.grid.direct");
    assertEquals(0, load.exitCode(), load.err());
    assertEquals("Published 8784 grid-intensity version(s) of site-b to ref.grid.direct, effective from 2024-01-01T00:00:00Z to "
        + "2024-12-31T23:00:00Z (Electricity Maps zone DE, direct)", load.out().strip());

    List<JsonNode> records = tail("ref.grid.direct", 8_784);
    assertEquals(8_784, records.size(), "366 days x 24 hours");
    Map<Instant, Double> byHour = new HashMap<>();
    Instant previous = null;
    for (JsonNode r : records) {
      assertEquals("site-b", r.get("key").asText());
      Instant ts = Instant.parse(r.get("timestamp").asText());
      assertEquals(ts, Instant.parse(r.get("value").get("effectiveFrom").asText()), "record timestamp = effectiveFrom");
      if (previous != null) {
        assertEquals(previous.plusSeconds(3600), ts, "one key, one partition: the hours in file order");
      }
      previous = ts;
      assertEquals("site-b", r.get("value").get("site").asText());
      byHour.put(ts, r.get("value").get("gco2ePerKwh").asDouble());
    }
    assertEquals(Instant.parse("2024-01-01T00:00:00Z"), Instant.parse(records.get(0).get("timestamp").asText()));
    assertEquals("Electricity Maps DE direct 2024 (ODbL)", records.get(0).get("value").get("source").asText());
    // values read from the file with grep, e.g. grep '^2024-02-29 12:00:00' DE-LU_2024_hourly.csv
    assertEquals(133.1, byHour.get(Instant.parse("2024-01-01T00:00:00Z")));
    assertEquals(214.92, byHour.get(Instant.parse("2024-02-29T12:00:00Z")));
    assertEquals(109.53, byHour.get(Instant.parse("2024-07-15T13:00:00Z")));
    assertEquals(158.28, byHour.get(Instant.parse("2024-12-31T23:00:00Z")));

    CommandLineTest.Run lca = run("reference", "load", "--electricitymaps", file.toString(), "--site", "site-b", "--lifecycle",
        "--grid-intensity-topic", "ref.grid.lca");
    assertEquals(0, lca.exitCode(), lca.err());
    assertTrue(lca.out().strip().endsWith("(Electricity Maps zone DE, life cycle (LCA))"), lca.out());
    JsonNode first = tail("ref.grid.lca", 1).get(0);
    assertEquals("2024-01-01T00:00:00Z", first.get("timestamp").asText());
    assertEquals(177.74, first.get("value").get("gco2ePerKwh").asDouble());
    assertEquals("Electricity Maps DE LCA 2024 (ODbL)", first.get("value").get("source").asText());
  }

  @Test
  void theExampleFileGoesToTheFourTopics(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("ref.jsonl");
    List<String> lines = new java.util.ArrayList<>(Files.readAllLines(Path.of("../examples/carbon.jsonl")));
    lines.add("{\"type\":\"tariff\",\"site\":\"site-x\",\"currency\":\"USD\",\"pricePerKwh\":0.1,\"pue\":1.2,\"effectiveFrom\":\"2026-03-01T00:00:00Z\"}");
    Files.write(file, lines);
    CommandLineTest.Run load = run("reference", "load", file.toString(), "--tariffs-topic", "ref.tariffs", "--gpu-rates-topic", "ref.rates",
        "--grid-intensity-topic", "ref.grid", "--gpu-embodied-topic", "ref.embodied");
    assertEquals(0, load.exitCode(), load.err());
    assertEquals("Published 1 tariff(s) to ref.tariffs, 3 grid intensit(ies) to ref.grid, 4 GPU embodied figure(s) to ref.embodied",
        load.out().strip());
    Set<String> models = new TreeSet<>();
    for (JsonNode r : tail("ref.embodied", 4)) {
      models.add(r.get("key").asText());
      assertEquals("2026-01-01T00:00:00Z", r.get("timestamp").asText());
      assertTrue(r.get("value").get("source").asText().contains("CARBON-SOURCES.md"), r.toString());
    }
    assertEquals(Set.of("B200-SXM-180GB", "GB200-NVL72", "H100-SXM5-80GB", "H200-SXM-141GB"), models);
    Map<String, Double> grid = new HashMap<>();
    for (JsonNode r : tail("ref.grid", 3)) {
      grid.put(r.get("key").asText(), r.get("value").get("gco2ePerKwh").asDouble());
    }
    assertEquals(Map.of("site-a", 168.46, "site-b", 273.93, "site-c", 105.74), grid);
    assertEquals("2026-03-01T00:00:00Z", tail("ref.tariffs", 1).get(0).get("timestamp").asText());
  }

  @Test
  void publishedAtIsSentWithEachVersion(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("ref.jsonl");
    Files.write(file, List.of(
        "{\"type\":\"grid-intensity\",\"site\":\"site-a\",\"gco2ePerKwh\":150,\"effectiveFrom\":\"2026-11-26T10:00:00Z\"}",
        "{\"type\":\"gpu-embodied\",\"gpuModel\":\"H100-SXM5-80GB\",\"gco2ePerGpuHour\":9.5,\"effectiveFrom\":\"2026-11-26T10:00:00Z\","
            + "\"publishedAt\":\"2026-11-20T00:00:00Z\"}"));
    CommandLineTest.Run load = run("reference", "load", file.toString(), "--published-at", "2026-11-26T12:30:00Z",
        "--grid-intensity-topic", "pub.grid", "--gpu-embodied-topic", "pub.embodied");
    assertEquals(0, load.exitCode(), load.err());
    JsonNode grid = tail("pub.grid", 1).get(0);
    assertEquals("2026-11-26T10:00:00Z", grid.get("timestamp").asText(), "record timestamp = effectiveFrom, correction or not");
    assertEquals("2026-11-26T12:30:00Z", grid.get("value").get("publishedAt").asText(), "--published-at");
    assertEquals("2026-11-20T00:00:00Z", tail("pub.embodied", 1).get(0).get("value").get("publishedAt").asText(), "its own");

    Path csv = dir.resolve("em.csv");
    Files.writeString(csv, "Datetime (UTC),Zone Id,Carbon Intensity gCO₂eq/kWh (direct)\n2026-11-26 09:00:00,DE,280.5\n");
    CommandLineTest.Run em = run("reference", "load", "--electricitymaps", csv.toString(), "--site", "site-b", "--published-at",
        "2026-11-26T12:30:00Z", "--grid-intensity-topic", "pub.em");
    assertEquals(0, em.exitCode(), em.err());
    assertEquals("2026-11-26T12:30:00Z", tail("pub.em", 1).get(0).get("value").get("publishedAt").asText());
  }

  @Test
  void badLinesAreAllNamedAndNothingIsSent(@TempDir Path dir) throws Exception {
    String good = "{\"type\":\"grid-intensity\",\"site\":\"site-a\",\"gco2ePerKwh\":100,\"effectiveFrom\":\"2026-01-01T00:00:00Z\"}";
    Path one = dir.resolve("one.jsonl");
    Files.write(one, List.of(good, good.replace("100", "-1")));
    CommandLineTest.Run single = run("reference", "load", one.toString(), "--grid-intensity-topic", "ref.bad");
    assertEquals(1, single.exitCode());
    assertEquals("factory-meter: " + one + ":2: field \"gco2ePerKwh\" must be a finite number from 0 to 5000, got -1.0", single.err().strip());

    Path two = dir.resolve("two.jsonl");
    Files.write(two, List.of(good.replace("site-a", "site a"), good, "{\"type\":\"gpu-embodied\",\"gpuModel\":\"H100\",\"effectiveFrom\":\"2026-01-01T00:00:00Z\"}"));
    CommandLineTest.Run several = run("reference", "load", two.toString(), "--grid-intensity-topic", "ref.bad");
    assertEquals(1, several.exitCode());
    assertEquals(List.of(
        two + ":1: field \"site\" must match [A-Za-z0-9._:/@-]{1,128}, got 'site a'",
        two + ":3: missing field \"gco2ePerGpuHour\"",
        "factory-meter: " + two + ": 2 line(s) rejected; nothing sent"), several.err().strip().lines().toList());
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
        Map.of("bootstrap.servers", STACK.bootstrapServers()))) {
      assertTrue(!admin.listTopics().names().get().contains("ref.bad"), "nothing sent, no topic made");
    }

    Path csv = dir.resolve("em.csv");
    Files.writeString(csv, "Datetime (UTC),Zone Id,Carbon Intensity gCO₂eq/kWh (direct)\n2024-01-01 00:00:00,DE,\n");
    CommandLineTest.Run empty = run("reference", "load", "--electricitymaps", csv.toString(), "--site", "site-b");
    assertEquals(1, empty.exitCode());
    assertEquals("factory-meter: " + csv + ":2: column \"Carbon Intensity gCO₂eq/kWh (direct)\" is empty: no intensity for this hour",
        empty.err().strip());
  }

  @Test
  void usageMistakesExitTwo(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("em.csv");
    Files.writeString(csv, "x\n");
    assertEquals(2, run("reference", "load").exitCode());
    assertEquals(2, run("reference", "load", csv.toString(), "--electricitymaps", csv.toString(), "--site", "s").exitCode());
    CommandLineTest.Run noSite = run("reference", "load", "--electricitymaps", csv.toString());
    assertEquals(2, noSite.exitCode());
    assertTrue(noSite.err().startsWith("factory-meter: --electricitymaps needs --site SITE"), noSite.err());
    assertEquals(2, run("reference", "load", csv.toString(), "--site", "s").exitCode());
    assertEquals(2, run("reference", "load", "--electricitymaps", csv.toString(), "--site", "bad site").exitCode());
    assertEquals(1, run("reference", "load", dir.resolve("nope.jsonl").toString()).exitCode());
  }

  /** The demo's carbon examples cover every site and GPU model of its example prices, so every sample gets carbon figures. */
  @Test
  void theCarbonExamplesCoverThePriceExamples() throws Exception {
    List<ReferenceRecord> carbon = DemoCommand.exampleCarbon();
    Set<String> sites = new TreeSet<>();
    Set<String> models = new TreeSet<>();
    for (ReferenceRecord r : carbon) {
      (r.kind() == ReferenceKind.GRID_INTENSITY ? sites : models).add(r.key());
    }
    Set<String> priceSites = new TreeSet<>();
    Set<String> priceModels = new TreeSet<>();
    for (PriceJson.Price p : DemoCommand.examplePrices()) {
      (p.value() instanceof io.factorymeter.schema.Tariff ? priceSites : priceModels).add(p.key());
    }
    assertEquals(priceSites, sites);
    assertEquals(priceModels, models);
    assertEquals(Set.of("H100-SXM5-80GB", "B200-SXM-180GB", "H200-SXM-141GB", "GB200-NVL72"), models);
  }
}
