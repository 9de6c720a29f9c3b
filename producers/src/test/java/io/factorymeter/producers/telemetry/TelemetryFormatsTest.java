package io.factorymeter.producers.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.producers.simulate.FleetSimulator;
import io.factorymeter.producers.simulate.FleetSpec;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.UsageEntry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each telemetry file format, written and read back, and what each does with bad input. */
class TelemetryFormatsTest {

  static List<NodeSample> samples() {
    FleetSimulator sim = new FleetSimulator(new FleetSpec(6, 2, 1, 3, 8, Duration.ofSeconds(10), 9L),
        Instant.parse("2026-11-26T02:00:00Z"));   // night: some idle samples without usage
    List<NodeSample> all = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      all.addAll(sim.step());
    }
    return all;
  }

  static List<SampleSource.Item> readAll(Path file, TelemetryFormat format) throws IOException {
    List<SampleSource.Item> items = new ArrayList<>();
    try (SampleSource source = SampleSource.open(file, format)) {
      SampleSource.Item item;
      while ((item = source.next()) != null) {
        items.add(item);
      }
    }
    return items;
  }

  @ParameterizedTest
  @ValueSource(strings = {"s.jsonl", "s.jsonl.gz", "s.csv", "s.csv.gz", "s.avro", "s.avro.gz"})
  void everyFormatGivesBackWhatWasWritten(String name, @TempDir Path dir) throws IOException {
    List<NodeSample> written = samples();
    assertTrue(written.stream().anyMatch(s -> s.getUsage().isEmpty()), "idle samples included");
    assertTrue(written.stream().anyMatch(s -> s.getUsage().size() > 1), "several usage entries included");
    assertTrue(written.stream().anyMatch(s -> s.getEnergyJoules() == null) && written.stream().anyMatch(s -> s.getEnergyJoules() != null));
    Path file = dir.resolve(name);
    TelemetryFormat format = TelemetryFormat.ofFileName(file).orElseThrow();
    try (SampleWriter out = SampleWriter.create(file, format)) {
      for (NodeSample s : written) {
        out.write(s);
      }
    }
    if (name.endsWith(".gz")) {
      byte[] head = Files.readAllBytes(file);
      assertEquals(0x1f, head[0] & 0xff);
      assertEquals(0x8b, head[1] & 0xff);
    }
    List<NodeSample> read = new ArrayList<>();
    for (SampleSource.Item item : readAll(file, format)) {
      read.add(assertInstanceOf(SampleSource.Sample.class, item).sample());
    }
    assertEquals(written, read);
  }

  @Test
  void csvRowsOfOneSampleMakeOneSampleAndABadRowRejectsItsWholeSample(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("t.csv");
    Files.write(file, List.of(
        "timestamp,nodeId,clusterId,site,gpuModel,gpuCount,intervalMs,powerWatts,energyJoules,temperatureC,gpuUtilization,tenantId,modelId,promptTokens,completionTokens,comment",
        "2026-11-26T10:00:00Z,n1,c1,s1,H100-SXM5-80GB,8,10000,4000,,60,0.5,t1,m1,100,300,first",     // line 2
        "2026-11-26T10:00:00Z,n1,c1,s1,H100-SXM5-80GB,8,10000,4000,,60,0.5,t2,m2,10,30,",           // line 3: same sample
        "1795687210000,n1,c1,s1,H100-SXM5-80GB,8,10000,4100,41000.5,61,0.25,,,,,",                 // line 4: next sample, idle
        "2026-11-26T10:00:20Z,n1,c1,s1,H100-SXM5-80GB,8,10000,4200,,62,0.5,t1,m1,5,5,",             // line 5
        "2026-11-26T10:00:20Z,n1,c1,s1,H100-SXM5-80GB,8,10000,4200,,62,0.5,t2,m2,five,5,",          // line 6: bad row
        "2026-11-26T10:00:20Z,n1,c1,s1,H100-SXM5-80GB,8,10000,4200,,62,0.5,t3,m3,1,1,",             // line 7: same sample
        "2026-11-26T10:00:30Z,n1,c1,s1,H100-SXM5-80GB,8,10000,4300,,63,0.5,t1,m1,1,1,",             // line 8
        "2026-11-26T10:00:30Z,n1,c1,s1,H100-SXM5-80GB,8,10000,9999,,63,0.5,t2,m2,1,1,"));           // line 9: other power
    List<SampleSource.Item> items = readAll(file, TelemetryFormat.CSV);
    NodeSample first = ((SampleSource.Sample) items.get(0)).sample();
    assertEquals(2, items.get(0).position());
    assertEquals(List.of(new UsageEntry("t1", "m1", 100L, 300L), new UsageEntry("t2", "m2", 10L, 30L)), first.getUsage());
    assertNull(first.getEnergyJoules());
    NodeSample idle = ((SampleSource.Sample) items.get(1)).sample();
    assertEquals(Instant.parse("2026-11-26T10:00:10Z"), idle.getTimestamp());
    assertEquals(41000.5, idle.getEnergyJoules());
    assertEquals(List.of(), idle.getUsage());
    List<Long> rejected = items.stream().filter(i -> i instanceof SampleSource.Rejected).map(SampleSource.Item::position).sorted().toList();
    assertEquals(List.of(5L, 6L, 7L, 8L, 9L), rejected);
    assertEquals(2, items.stream().filter(i -> i instanceof SampleSource.Sample).count());
    SampleSource.Rejected bad = (SampleSource.Rejected) items.stream().filter(i -> i.position() == 6 && i instanceof SampleSource.Rejected
        && ((SampleSource.Rejected) i).reason().startsWith("column")).findFirst().orElseThrow();
    assertEquals("column \"promptTokens\" must be a whole number, got \"five\"", bad.reason());
  }

  @Test
  void aCsvHeaderWithoutARequiredColumnIsOneRejection(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("t.csv");
    Files.write(file, List.of("nodeId,timestamp", "n1,0"));
    List<SampleSource.Item> items = readAll(file, TelemetryFormat.CSV);
    assertEquals(1, items.size());
    assertTrue(((SampleSource.Rejected) items.get(0)).reason().startsWith("CSV header lacks column(s) [clusterId, site"));
  }

  @Test
  void gzippedJsonLinesKeepTheirLineNumbers(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("t.jsonl.gz");
    NodeSample s = samples().get(0);
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write((NodeSampleJson.format(s) + "\n\n{oops}\n" + NodeSampleJson.format(s) + "\n").getBytes(StandardCharsets.UTF_8));
    }
    List<SampleSource.Item> items = readAll(file, TelemetryFormat.JSONL);
    assertEquals(List.of(1L, 3L, 4L), items.stream().map(SampleSource.Item::position).toList());
    assertInstanceOf(SampleSource.Rejected.class, items.get(1));
  }

  @Test
  void anAvroFileWrittenWithAnOlderContractReadsIntoTheCurrentOne(@TempDir Path dir) throws IOException {
    Schema older = new Schema.Parser().parse(NodeSample.getClassSchema().toString()
        .replaceAll("\\{\"name\":\"energyJoules\".*?\"default\":null},", ""));
    NodeSample s = samples().get(0);
    GenericRecord r = new GenericData.Record(older);
    for (Schema.Field f : older.getFields()) {
      Object v = s.get(f.name());
      r.put(f.name(), v instanceof Instant i ? i.toEpochMilli() : v);
    }
    r.put("usage", List.of());
    Path file = dir.resolve("old.avro");
    try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<>(older))) {
      w.create(older, file.toFile());
      w.append(r);
    }
    NodeSample read = ((SampleSource.Sample) readAll(file, TelemetryFormat.AVRO).get(0)).sample();
    assertEquals(s.getNodeId(), read.getNodeId());
    assertEquals(s.getPowerWatts(), read.getPowerWatts());
    assertNull(read.getEnergyJoules());
  }

  @Test
  void aFileThatIsNotAvroIsOneRejection(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("x.avro");
    Files.writeString(file, "not avro at all");
    List<SampleSource.Item> items = readAll(file, TelemetryFormat.AVRO);
    assertEquals(1, items.size());
    assertTrue(((SampleSource.Rejected) items.get(0)).reason().startsWith("not a readable NodeSample Avro file"));
  }
}
