package io.factorymeter.producers.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.Tariff;
import io.factorymeter.schema.UsageEntry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input corpus against replay's parsers (issue 8 §5): malformed and hostile lines of
 * JSON Lines, CSV and Avro files, each between good samples. Each kind either parses into the
 * NodeSample its text says (values are not judged here: the pipeline dead-letters out-of-range
 * ones) or is one rejection at its line (record for Avro) with a reason that is one clean line;
 * the good samples around it are read as they were written. Nothing throws.
 */
class BadInputCorpusTest {

  /** A good sample, line 1 and 3 of each JSON Lines case. */
  static final String GOOD = "{\"nodeId\":\"n-1\",\"clusterId\":\"c-1\",\"site\":\"s-1\",\"gpuModel\":\"H100-SXM5-80GB\",\"gpuCount\":8,"
      + "\"timestamp\":\"2026-11-26T10:00:00Z\",\"intervalMs\":10000,\"powerWatts\":5600.5,\"temperatureC\":71.5,"
      + "\"gpuUtilization\":0.875,\"usage\":[{\"tenantId\":\"t-1\",\"modelId\":\"m-1\",\"promptTokens\":1200,\"completionTokens\":3400}]}";

  /** {@link #GOOD} with one piece of its text replaced. */
  static String good(String from, String to) {
    assertTrue(GOOD.contains(from), from);
    return GOOD.replace(from, to);
  }

  static final String TEN_KB = "x".repeat(10 * 1024);

  /** JSON Lines kinds that are rejected: name, the line's text, a fragment its reason must contain. */
  static Stream<Arguments> rejectedJsonLines() {
    return Stream.of(
        Arguments.of("truncated line", GOOD.substring(0, 80), "not JSON"),
        Arguments.of("gpuCount a string", good("\"gpuCount\":8", "\"gpuCount\":\"eight\""), "field \"gpuCount\" must be a whole number (int)"),
        Arguments.of("gpuCount with a fraction", good("\"gpuCount\":8", "\"gpuCount\":8.5"), "field \"gpuCount\" must be a whole number (int)"),
        Arguments.of("gpuCount beyond int", good("\"gpuCount\":8", "\"gpuCount\":3000000000"), "field \"gpuCount\" must be a whole number (int)"),
        Arguments.of("intervalMs as text", good("\"intervalMs\":10000", "\"intervalMs\":\"10000\""), "field \"intervalMs\" must be a whole number (int)"),
        Arguments.of("NaN as text", good("\"powerWatts\":5600.5", "\"powerWatts\":\"NaN\""), "field \"powerWatts\" must be a number"),
        Arguments.of("power a boolean", good("\"powerWatts\":5600.5", "\"powerWatts\":true"), "field \"powerWatts\" must be a number"),
        Arguments.of("missing field", good("\"site\":\"s-1\",", ""), "missing field \"site\""),
        Arguments.of("null field", good("\"nodeId\":\"n-1\"", "\"nodeId\":null"), "missing field \"nodeId\""),
        Arguments.of("nodeId a number", good("\"nodeId\":\"n-1\"", "\"nodeId\":12"), "field \"nodeId\" must be a string"),
        Arguments.of("tokens beyond long", good("\"promptTokens\":1200", "\"promptTokens\":18446744073709551616"),
            "field \"usage[0].promptTokens\" must be a whole number"),
        Arguments.of("timestamp beyond long", good("\"timestamp\":\"2026-11-26T10:00:00Z\"", "\"timestamp\":100000000000000000000"),
            "field \"timestamp\" must be epoch milliseconds or an ISO-8601 instant"),
        Arguments.of("timestamp with a fraction", good("\"timestamp\":\"2026-11-26T10:00:00Z\"", "\"timestamp\":1.5"),
            "field \"timestamp\" must be epoch milliseconds or an ISO-8601 instant"),
        Arguments.of("timestamp without zone", good("2026-11-26T10:00:00Z", "2026-11-26T10:00:00"),
            "field \"timestamp\" must be epoch milliseconds or an ISO-8601 instant"),
        Arguments.of("timestamp beyond epoch milliseconds", good("2026-11-26T10:00:00Z", "+999999999-12-31T23:59:59Z"),
            "field \"timestamp\" is out of range"),
        Arguments.of("usage an object", good("\"usage\":[", "\"usage\":{\"a\":[").replace("}]}", "}]}}"), "field \"usage\" must be an array"),
        Arguments.of("usage entry a number", good("\"usage\":[{", "\"usage\":[7,{"), "field \"usage[0]\" must be an object"),
        Arguments.of("usage entry without tenant", good("\"tenantId\":\"t-1\",", ""), "missing field \"usage[0].tenantId\""),
        Arguments.of("text after the object", GOOD + " {}", "not JSON"),
        Arguments.of("a field twice", good("\"nodeId\":\"n-1\"", "\"nodeId\":\"n-1\",\"nodeId\":\"n-2\""), "not JSON"),
        Arguments.of("an array", "[" + GOOD + "]", "not a JSON object"),
        Arguments.of("a bare number", "42", "not a JSON object"),
        Arguments.of("a bare string", "\"n-1\"", "not a JSON object"),
        Arguments.of("null", "null", "not a JSON object"),
        Arguments.of("single quotes", GOOD.replace('"', '\''), "not JSON"),
        Arguments.of("a comment", "/* c */ " + GOOD, "not JSON"),
        Arguments.of("nesting 5,000 deep", "{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}", "not JSON"),
        Arguments.of("a number of 5,000 digits", good("\"powerWatts\":5600.5", "\"powerWatts\":" + "9".repeat(5000)), "not JSON"),
        Arguments.of("10 KB of garbage", TEN_KB, "not JSON"),
        Arguments.of("raw control character in a string", good("\"nodeId\":\"n-1\"", "\"nodeId\":\"n-\u0001\""), "not JSON"),
        Arguments.of("raw escape sequence in a string", good("\"nodeId\":\"n-1\"", "\"nodeId\":\"\u001b[31mred\""), "not JSON"),
        Arguments.of("byte-order mark inside the file", "\uFEFF" + GOOD, "not JSON"),
        Arguments.of("NUL outside a string", GOOD.replace(",\"site\"", ",\u0000\"site\""), "not JSON"),
        Arguments.of("line separator inside a string", good("\"nodeId\":\"n-1\"", "\"nodeId\":\"n-1\u2028\""), null),
        Arguments.of("10 KB identifier with a bad count", good("\"nodeId\":\"n-1\"", "\"nodeId\":\"" + TEN_KB + "\"")
            .replace("\"gpuCount\":8", "\"gpuCount\":\"8\""), "field \"gpuCount\" must be a whole number (int)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejectedJsonLines")
  void aBadJsonLineIsOneRejectionAtItsLineAndTheSamplesAroundItAreRead(String kind, String bad, String reason,
      @TempDir Path dir) throws IOException {
    Path file = dir.resolve("corpus.jsonl");
    Files.writeString(file, GOOD + "\n" + bad + "\n" + GOOD.replace("10:00:00Z", "10:00:10Z") + "\n", StandardCharsets.UTF_8);
    List<SampleSource.Item> items = TelemetryFormatsTest.readAll(file, TelemetryFormat.JSONL);
    if (reason == null) { // the line separator is legal JSON text: the line parses (the pipeline judges the identifier)
      assertEquals(3, items.stream().filter(i -> i instanceof SampleSource.Sample).count(), kind);
      return;
    }
    assertEquals(3, items.size(), kind);
    assertGood(items.get(0), 1, "2026-11-26T10:00:00Z");
    assertRejected(items.get(1), 2, reason);
    assertGood(items.get(2), 3, "2026-11-26T10:00:10Z");
  }

  /** JSON Lines kinds that parse: their text is a NodeSample, and its values are for the pipeline to judge. */
  @Test
  void hostileValuesThatAreWellFormedParseAsTheyAre(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("values.jsonl");
    Files.writeString(file, String.join("\n",
        "\uFEFF" + GOOD,                                                               // 1: a byte-order mark opening the file
        "",                                                                             // 2: empty: skipped
        "   ",                                                                          // 3: blank: skipped
        good("\"powerWatts\":5600.5", "\"powerWatts\":NaN"),                            // 4
        good("\"temperatureC\":71.5", "\"temperatureC\":-Infinity"),                    // 5
        good("\"powerWatts\":5600.5", "\"powerWatts\":-5"),                             // 6
        good("\"timestamp\":\"2026-11-26T10:00:00Z\"", "\"timestamp\":-1000"),         // 7: 1969
        good("\"nodeId\":\"n-1\"", "\"nodeId\":\"" + TEN_KB + "\""),                    // 8: 10 KB identifier
        good("\"nodeId\":\"n-1\"", "\"nodeId\":\"\\u001b[31mred\""),                    // 9: escape sequence, escaped
        good("\"promptTokens\":1200", "\"promptTokens\":9223372036854775807"),          // 10: Long.MAX_VALUE
        good("\"gpuCount\":8", "\"gpuCount\":0"),                                       // 11
        good("\"powerWatts\":5600.5", "\"powerWatts\":1e400"),                          // 12: beyond double: Infinity
        good("\"usage\":[{\"tenantId\":\"t-1\",\"modelId\":\"m-1\",\"promptTokens\":1200,\"completionTokens\":3400}]", "\"usage\":[]")
            .replace("\"intervalMs\":10000", "\"intervalMs\":0,\"unknown\":{\"x\":[1,2]}"), // 13: unknown field ignored
        ""), StandardCharsets.UTF_8);
    List<SampleSource.Item> items = TelemetryFormatsTest.readAll(file, TelemetryFormat.JSONL);
    assertEquals(List.of(1L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L), items.stream().map(SampleSource.Item::position).toList());
    List<NodeSample> s = items.stream().map(i -> assertInstanceOf(SampleSource.Sample.class, i).sample()).toList();
    assertEquals("n-1", s.get(0).getNodeId(), "the byte-order mark is not part of the first field");
    assertTrue(Double.isNaN(s.get(1).getPowerWatts()));
    assertEquals(Float.NEGATIVE_INFINITY, s.get(2).getTemperatureC());
    assertEquals(-5.0, s.get(3).getPowerWatts());
    assertEquals(Instant.parse("1969-12-31T23:59:59Z"), s.get(4).getTimestamp());
    assertEquals(10 * 1024, s.get(5).getNodeId().length());
    assertEquals("\u001b[31mred", s.get(6).getNodeId());
    assertEquals(Long.MAX_VALUE, s.get(7).getUsage().get(0).getPromptTokens());
    assertEquals(0, s.get(8).getGpuCount());
    assertEquals(Double.POSITIVE_INFINITY, s.get(9).getPowerWatts());
    assertEquals(0, s.get(10).getIntervalMs());
    assertEquals(List.of(), s.get(10).getUsage());
  }

  @Test
  void bytesThatAreNotUtf8AreARejectionOfTheirLine(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("latin1.jsonl");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write((GOOD + "\n").getBytes(StandardCharsets.UTF_8));
    bytes.write(good("\"site\":\"s-1\"", "\"site\":\"K\u00f6ln\"").getBytes(StandardCharsets.ISO_8859_1)); // 0xF6 alone
    bytes.write(("\n" + GOOD + "\n").getBytes(StandardCharsets.UTF_8));
    Files.write(file, bytes.toByteArray());
    List<SampleSource.Item> items = TelemetryFormatsTest.readAll(file, TelemetryFormat.JSONL);
    assertEquals(3, items.size());
    assertRejected(items.get(1), 2, "not valid UTF-8 text");
    assertInstanceOf(SampleSource.Sample.class, items.get(2));
  }

  /**
   * CSV kinds that are rejected: name, the row, a fragment of its reason, and whether its nodeId
   * and timestamp can still be read (then the sample before it is whole; else it may have been cut
   * short by the bad row and is rejected too).
   */
  static Stream<Arguments> rejectedCsvRows() {
    String row = "n-2,c-1,s-1,H100-SXM5-80GB,8,2026-11-26T10:00:10Z,10000,4000,,60,0.5,t-1,m-1,100,300";
    return Stream.of(
        Arguments.of("an extra cell", row + ",extra", "row has 16 cells, the header 15", true),
        Arguments.of("a cell missing", row.substring(0, row.lastIndexOf(',')), "row has 14 cells, the header 15", true),
        Arguments.of("float suffix", row.replace(",4000,", ",4000f,"), "column \"powerWatts\" must be a number, got \"4000f\"", true),
        Arguments.of("hexadecimal float", row.replace(",4000,", ",0x1p3,"), "column \"powerWatts\" must be a number", true),
        Arguments.of("nan in lower case", row.replace(",4000,", ",nan,"), "column \"powerWatts\" must be a number", true),
        Arguments.of("digits of another script", row.replace(",8,", ",\u0668,"), "column \"gpuCount\" must be a whole number", true),
        Arguments.of("tokens beyond long", row.replace(",100,300", ",99999999999999999999,300"),
            "column \"promptTokens\" must be a whole number", true),
        Arguments.of("gpuCount beyond int", row.replace(",8,", ",2147483648,"), "column \"gpuCount\" must be a whole number", true),
        Arguments.of("half a usage entry", row.replace(",t-1,m-1,", ",t-1,,"), "missing value in column \"modelId\"", true),
        Arguments.of("timestamp beyond long", row.replace("2026-11-26T10:00:10Z", "99999999999999999999"),
            "column \"timestamp\" must be epoch milliseconds or an ISO-8601 instant", false),
        Arguments.of("timestamp beyond epoch milliseconds", row.replace("2026-11-26T10:00:10Z", "+999999999-12-31T23:59:59Z"),
            "column \"timestamp\" is out of range", false),
        Arguments.of("missing nodeId", row.replace("n-2,", ","), "missing value in column \"nodeId\"", false),
        Arguments.of("unterminated quote", row.replace("n-2,", "\"n-2,"), "not a CSV row", false));
  }

  static final String CSV_HEADER = "nodeId,clusterId,site,gpuModel,gpuCount,timestamp,intervalMs,powerWatts,energyJoules,temperatureC,"
      + "gpuUtilization,tenantId,modelId,promptTokens,completionTokens";
  static final String CSV_GOOD_1 = "n-1,c-1,s-1,H100-SXM5-80GB,8,2026-11-26T10:00:00Z,10000,4000,,60,0.5,t-1,m-1,100,300";
  static final String CSV_GOOD_3 = "n-3,c-1,s-1,H100-SXM5-80GB,8,2026-11-26T10:00:20Z,10000,4000,,60,0.5,,,,";

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejectedCsvRows")
  void aBadCsvRowIsOneRejectionAtItsLine(String kind, String bad, String reason, boolean keyReadable, @TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("corpus.csv");
    Files.writeString(file, String.join("\n", CSV_HEADER, CSV_GOOD_1, bad, CSV_GOOD_3, ""), StandardCharsets.UTF_8);
    List<SampleSource.Item> items = TelemetryFormatsTest.readAll(file, TelemetryFormat.CSV);
    List<Long> samples = items.stream().filter(i -> i instanceof SampleSource.Sample).map(SampleSource.Item::position).toList();
    List<SampleSource.Rejected> rejected = items.stream().filter(i -> i instanceof SampleSource.Rejected)
        .map(i -> (SampleSource.Rejected) i).toList();
    assertTrue(rejected.stream().anyMatch(r -> r.position() == 3 && r.reason().contains(reason)), kind + ": " + rejected);
    if (keyReadable) { // the bad row is of sample n-2: n-1's (line 2) and n-3's (line 4) are whole
      assertEquals(List.of(2L, 4L), samples, kind + ": " + items);
      assertEquals(1, rejected.size(), kind + ": " + rejected);
    } else {           // it may have been a row of n-1's sample, which is rejected with it
      assertEquals(List.of(4L), samples, kind + ": " + items);
      assertEquals(List.of(2L, 3L), rejected.stream().map(SampleSource.Item::position).sorted().toList());
      assertTrue(rejected.stream().anyMatch(r -> r.position() == 2 && r.reason().equals("sample not replayed: row 3 of the sample is rejected")));
    }
    rejected.forEach(r -> assertOneCleanLine(r.reason()));
  }

  @Test
  void theOtherRowsOfASampleWhoseFirstRowIsBadAreRejectedWithIt(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("first-bad.csv");
    Files.writeString(file, String.join("\n", CSV_HEADER,
        CSV_GOOD_1,                                                                           // 2
        "n-2,c-1,s-1,H100-SXM5-80GB,8,2026-11-26T10:00:10Z,10000,4000,,60,0.5,t-1,m-1,x,300",  // 3: bad
        "n-2,c-1,s-1,H100-SXM5-80GB,8,2026-11-26T10:00:10Z,10000,4000,,60,0.5,t-2,m-2,1,3",    // 4: same sample
        CSV_GOOD_3, ""));                                                                      // 5
    List<SampleSource.Item> items = TelemetryFormatsTest.readAll(file, TelemetryFormat.CSV);
    assertEquals(List.of(2L, 3L, 4L, 5L), items.stream().map(SampleSource.Item::position).toList());
    assertInstanceOf(SampleSource.Sample.class, items.get(0));
    assertRejected(items.get(1), 3, "column \"promptTokens\" must be a whole number, got \"x\"");
    assertRejected(items.get(2), 4, "sample not replayed: row 3 of the sample is rejected");
    assertInstanceOf(SampleSource.Sample.class, items.get(3));
  }

  @Test
  void csvValuesThatAreWellFormedParseAsTheyAre(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("values.csv");
    Files.writeString(file, String.join("\n",
        "\uFEFF" + CSV_HEADER,                                                    // a byte-order mark opening the file
        "n-1,c-1,s-1,H100-SXM5-80GB,8,-1000,10000,NaN,,-Infinity,0.5,t-1,m-1,100,300",
        "",
        "n-2,c-1,s-1,H100-SXM5-80GB,8,1795687200000,10000,-4000,1e400,60,+0.5,,,,",
        ""), StandardCharsets.UTF_8);
    List<SampleSource.Item> items = TelemetryFormatsTest.readAll(file, TelemetryFormat.CSV);
    assertEquals(List.of(2L, 4L), items.stream().map(SampleSource.Item::position).toList(), items.toString());
    NodeSample a = assertInstanceOf(SampleSource.Sample.class, items.get(0)).sample();
    NodeSample b = assertInstanceOf(SampleSource.Sample.class, items.get(1)).sample();
    assertEquals(Instant.parse("1969-12-31T23:59:59Z"), a.getTimestamp());
    assertTrue(Double.isNaN(a.getPowerWatts()));
    assertEquals(Float.NEGATIVE_INFINITY, a.getTemperatureC());
    assertEquals(List.of(new UsageEntry("t-1", "m-1", 100L, 300L)), a.getUsage());
    assertEquals(Instant.parse("2026-11-26T10:00:00Z"), b.getTimestamp());
    assertEquals(-4000.0, b.getPowerWatts());
    assertEquals(Double.POSITIVE_INFINITY, b.getEnergyJoules());
    assertEquals(0.5f, b.getGpuUtilization());
  }

  @Test
  void aCsvHeaderThatNamesAColumnTwiceIsOneRejection(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("twice.csv");
    Files.writeString(file, CSV_HEADER + ",nodeId\n" + CSV_GOOD_1 + ",n-1\n");
    List<SampleSource.Item> items = TelemetryFormatsTest.readAll(file, TelemetryFormat.CSV);
    assertEquals(1, items.size());
    assertRejected(items.get(0), 1, "CSV header names column \"nodeId\" twice");
  }

  @Test
  void aSemicolonSeparatedFileIsOneRejectionOfItsHeader(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("semicolons.csv");
    Files.writeString(file, CSV_HEADER.replace(',', ';') + "\n" + CSV_GOOD_1.replace(',', ';') + "\n");
    List<SampleSource.Item> items = TelemetryFormatsTest.readAll(file, TelemetryFormat.CSV);
    assertEquals(1, items.size());
    assertRejected(items.get(0), 1, "CSV header lacks column(s)");
  }

  /** Gzip that ends in the middle: the lines before the cut are read, then one rejection, then nothing. */
  @Test
  void aTruncatedGzipFileEndsWithOneRejectionAfterTheLinesItHolds(@TempDir Path dir) throws IOException {
    List<NodeSample> written = TelemetryFormatsTest.samples();
    Path whole = dir.resolve("whole.jsonl.gz");
    try (SampleWriter out = SampleWriter.create(whole, TelemetryFormat.JSONL)) {
      for (NodeSample s : written) {
        out.write(s);
      }
    }
    byte[] bytes = Files.readAllBytes(whole);
    Path cut = dir.resolve("cut.jsonl.gz");
    Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
    List<SampleSource.Item> items = TelemetryFormatsTest.readAll(cut, TelemetryFormat.JSONL);
    int read = items.size() - 1;
    assertTrue(read > 0 && read < written.size(), "part of the file was readable: " + read);
    for (int i = 0; i < read; i++) {
      assertEquals(written.get(i), assertInstanceOf(SampleSource.Sample.class, items.get(i)).sample());
    }
    // the line the cut went through is not handed out (a cut line could still parse), or the cut was at a line's end
    assertRejected(items.get(read), read + 1, "(truncated or corrupt?)");
  }

  @Test
  void aTruncatedGzipCsvAlsoRejectsTheSampleItCutInto(@TempDir Path dir) throws IOException {
    List<NodeSample> written = TelemetryFormatsTest.samples();
    Path whole = dir.resolve("whole.csv.gz");
    try (SampleWriter out = SampleWriter.create(whole, TelemetryFormat.CSV)) {
      for (NodeSample s : written) {
        out.write(s);
      }
    }
    byte[] bytes = Files.readAllBytes(whole);
    Path cut = dir.resolve("cut.csv.gz");
    Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
    List<SampleSource.Item> items = TelemetryFormatsTest.readAll(cut, TelemetryFormat.CSV);
    List<NodeSample> read = new ArrayList<>();
    for (SampleSource.Item i : items) {
      if (i instanceof SampleSource.Sample s) {
        read.add(s.sample());
      }
    }
    assertTrue(!read.isEmpty() && read.size() < written.size(), "read " + read.size());
    assertEquals(written.subList(0, read.size()), read, "the samples before the cut, whole");
    SampleSource.Item last = items.get(items.size() - 1);
    assertInstanceOf(SampleSource.Rejected.class, last);
    assertTrue(((SampleSource.Rejected) last).reason().startsWith("sample not replayed"), "the sample the cut may have shortened");
    assertTrue(items.stream().anyMatch(i -> i instanceof SampleSource.Rejected r && r.reason().contains("(truncated or corrupt?)")));
  }

  @Test
  void gzipWhoseHeaderIsBrokenIsOneRejection(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("broken.jsonl.gz");
    Files.write(file, new byte[] {0x1f, (byte) 0x8b, 0x42, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3});
    List<SampleSource.Item> items = TelemetryFormatsTest.readAll(file, TelemetryFormat.JSONL);
    assertEquals(1, items.size());
    assertRejected(items.get(0), 1, "not a readable gzip file");
  }

  /** Writes 30 samples as Avro in three blocks of ten; returns the positions where the blocks end. */
  private static long[] avroInThreeBlocks(Path file, List<NodeSample> samples) throws IOException {
    long[] ends = new long[3];
    try (DataFileWriter<NodeSample> w = new DataFileWriter<>(new SpecificDatumWriter<>(NodeSample.class))) {
      w.setCodec(CodecFactory.deflateCodec(6));
      w.create(NodeSample.getClassSchema(), file.toFile());
      for (int b = 0; b < 3; b++) {
        for (int i = 0; i < 10; i++) {
          w.append(samples.get(b * 10 + i));
        }
        ends[b] = w.sync(); // the block is written; its sync marker ends at this position
      }
    }
    return ends;
  }

  @Test
  void aTruncatedAvroFileIsReadUpToTheBlockItCutsAndNamesTheFirstRecordLost(@TempDir Path dir) throws IOException {
    List<NodeSample> written = TelemetryFormatsTest.samples();
    Path file = dir.resolve("cut.avro");
    long[] ends = avroInThreeBlocks(file, written);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength((ends[1] + ends[2]) / 2); // in the middle of the third block
    }
    List<SampleSource.Item> items = TelemetryFormatsTest.readAll(file, TelemetryFormat.AVRO);
    assertEquals(21, items.size());
    for (int i = 0; i < 20; i++) {
      assertEquals(written.get(i), assertInstanceOf(SampleSource.Sample.class, items.get(i)).sample());
    }
    assertRejected(items.get(20), 21, "the file ends in the middle of a block (truncated?)");
  }

  @Test
  void aBrokenSyncMarkerEndsTheAvroFileAtItsBlock(@TempDir Path dir) throws IOException {
    List<NodeSample> written = TelemetryFormatsTest.samples();
    Path file = dir.resolve("corrupt.avro");
    long[] ends = avroInThreeBlocks(file, written);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(ends[1] - 16); // the sync marker that ends the second block
      f.write(new byte[16]);
    }
    List<SampleSource.Item> items = TelemetryFormatsTest.readAll(file, TelemetryFormat.AVRO);
    assertEquals(11, items.size(), "the first block, then one rejection: " + items.get(items.size() - 1));
    assertRejected(items.get(10), 11, "not readable from this record on");
  }

  @Test
  void anAvroFileOfAnotherSchemaIsOneRejection(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("tariffs.avro");
    try (DataFileWriter<Tariff> w = new DataFileWriter<>(new SpecificDatumWriter<>(Tariff.class))) {
      w.create(Tariff.getClassSchema(), file.toFile());
      w.append(new Tariff("s-1", "USD", 0.1, 1.2, Instant.parse("2026-01-01T00:00:00Z"), null));
    }
    List<SampleSource.Item> items = TelemetryFormatsTest.readAll(file, TelemetryFormat.AVRO);
    assertEquals(1, items.size());
    assertRejected(items.get(0), 1, "not a readable NodeSample Avro file");
  }

  @Test
  void anEmptyOrForeignAvroFileIsOneRejection(@TempDir Path dir) throws IOException {
    Path empty = dir.resolve("empty.avro");
    Files.write(empty, new byte[0]);
    assertRejected(TelemetryFormatsTest.readAll(empty, TelemetryFormat.AVRO).get(0), 1, "not a readable NodeSample Avro file");
    Path jsonl = dir.resolve("really-jsonl.avro");
    Files.writeString(jsonl, GOOD + "\n");
    assertRejected(TelemetryFormatsTest.readAll(jsonl, TelemetryFormat.AVRO).get(0), 1, "not a readable NodeSample Avro file");
    Path gz = dir.resolve("avro.avro.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(new byte[] {'O', 'b', 'j', 1, 0, 0}); // Avro's magic, then the header ends
    }
    List<SampleSource.Item> items = TelemetryFormatsTest.readAll(gz, TelemetryFormat.AVRO);
    assertEquals(1, items.size());
    assertRejected(items.get(0), 1, "not a readable NodeSample Avro file");
  }

  @Test
  void reasonsAreOneCleanLine() {
    assertEquals("a\\u001b[31mb\\u000ac\\u2028d\\ufeff", ReasonText.clean("a\u001b[31mb\nc\u2028d\uFEFF"));
    String shortened = ReasonText.clean("y".repeat(1000));
    assertEquals("y".repeat(ReasonText.MAX_LENGTH) + "...", shortened);
    assertEquals("reason", new SampleSource.Rejected(1, "reason").reason());
  }

  private static void assertGood(SampleSource.Item item, long line, String timestamp) {
    NodeSample s = assertInstanceOf(SampleSource.Sample.class, item, "line " + line).sample();
    assertEquals(line, item.position());
    assertEquals(Instant.parse(timestamp), s.getTimestamp());
    assertEquals(5600.5, s.getPowerWatts());
    assertNull(s.getEnergyJoules());
  }

  private static void assertRejected(SampleSource.Item item, long position, String reason) {
    SampleSource.Rejected r = assertInstanceOf(SampleSource.Rejected.class, item, "position " + position);
    assertEquals(position, r.position());
    assertTrue(r.reason().contains(reason), "reason: " + r.reason());
    assertOneCleanLine(r.reason());
  }

  static void assertOneCleanLine(String reason) {
    assertTrue(reason.length() <= ReasonText.MAX_LENGTH + 3, "at most 300 characters and '...': " + reason.length());
    assertTrue(reason.chars().noneMatch(c -> Character.getType(c) == Character.CONTROL || Character.getType(c) == Character.FORMAT
        || c == '\u2028' || c == '\u2029'), "no control characters: " + reason);
  }
}
