package io.factorymeter.producers.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.UsageEntry;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeSampleJsonTest {

  private static final String LINE = "{\"nodeId\":\"n-1\",\"clusterId\":\"c-1\",\"site\":\"s-1\",\"gpuModel\":\"H100-SXM5-80GB\","
      + "\"gpuCount\":8,\"timestamp\":1764151200000,\"intervalMs\":10000,\"powerWatts\":5600.5,"
      + "\"temperatureC\":71.5,\"gpuUtilization\":0.875,\"usage\":[{\"tenantId\":\"t-1\",\"modelId\":\"m-1\","
      + "\"promptTokens\":1200,\"completionTokens\":3400}]}";

  @Test
  void parsesEveryFieldOfSpecSection1() {
    NodeSample s = NodeSampleJson.parse(LINE);
    assertEquals("n-1", s.getNodeId());
    assertEquals("c-1", s.getClusterId());
    assertEquals("s-1", s.getSite());
    assertEquals("H100-SXM5-80GB", s.getGpuModel());
    assertEquals(8, s.getGpuCount());
    assertEquals(Instant.parse("2025-11-26T10:00:00Z"), s.getTimestamp());
    assertEquals(10_000, s.getIntervalMs());
    assertEquals(5600.5, s.getPowerWatts());
    assertNull(s.getEnergyJoules());
    assertEquals(71.5f, s.getTemperatureC());
    assertEquals(0.875f, s.getGpuUtilization());
    assertEquals(List.of(new UsageEntry("t-1", "m-1", 1200L, 3400L)), s.getUsage());
  }

  @Test
  void timestampMayBeAnIsoInstantAndEnergyMayBeGiven() {
    NodeSample s = NodeSampleJson.parse(LINE.replace("1764151200000", "\"2025-11-26T10:00:00.250Z\"")
        .replace("\"powerWatts\"", "\"energyJoules\":56005.0,\"powerWatts\""));
    assertEquals(Instant.parse("2025-11-26T10:00:00.250Z"), s.getTimestamp());
    assertEquals(56005.0, s.getEnergyJoules());
  }

  @Test
  void theAgentOfSchemaVersion2IsOptional() {
    assertNull(NodeSampleJson.parse(LINE).getAgent(), "a version-1 line has none");
    assertFalse(NodeSampleJson.format(NodeSampleJson.parse(LINE)).contains("agent"), "and none is written");
    NodeSample s = NodeSampleJson.parse(LINE.replace("\"powerWatts\"", "\"agent\":\"dcgm-bridge/2.1.0\",\"powerWatts\""));
    assertEquals("dcgm-bridge/2.1.0", s.getAgent());
    assertTrue(NodeSampleJson.format(s).endsWith(",\"agent\":\"dcgm-bridge/2.1.0\"}"), NodeSampleJson.format(s));
    assertEquals(s, NodeSampleJson.parse(NodeSampleJson.format(s)));
    assertThrows(NodeSampleFormatException.class, () -> NodeSampleJson.parse(LINE.replace("\"powerWatts\"", "\"agent\":7,\"powerWatts\"")));
  }

  @Test
  void formatThenParseGivesTheSameSample() {
    NodeSample s = NodeSampleJson.parse(LINE);
    assertEquals(s, NodeSampleJson.parse(NodeSampleJson.format(s)));
    assertTrue(NodeSampleJson.format(s).contains("\"timestamp\":\"2025-11-26T10:00:00Z\""));
  }

  @Test
  void nonFiniteValuesSurviveFormatThenParse() {
    NodeSample s = NodeSampleJson.parse(LINE.replace("5600.5", "NaN"));
    s.setTemperatureC(Float.POSITIVE_INFINITY);
    String line = NodeSampleJson.format(s);
    assertTrue(line.contains("\"powerWatts\":NaN"), line);
    NodeSample back = NodeSampleJson.parse(line);
    assertTrue(Double.isNaN(back.getPowerWatts()));
    assertEquals(Float.POSITIVE_INFINITY, back.getTemperatureC());
  }

  @Test
  void valuesAreNotJudgedHereButFormIs() {
    NodeSample nan = NodeSampleJson.parse(LINE.replace("5600.5", "NaN").replace("0.875", "-3"));
    assertTrue(Double.isNaN(nan.getPowerWatts()));
    assertEquals(-3f, nan.getGpuUtilization());

    assertEquals("missing field \"powerWatts\"",
        assertThrows(NodeSampleFormatException.class, () -> NodeSampleJson.parse(LINE.replace("\"powerWatts\":5600.5,", ""))).getMessage());
    assertEquals("field \"gpuCount\" must be a whole number (int), got \"8\"",
        assertThrows(NodeSampleFormatException.class, () -> NodeSampleJson.parse(LINE.replace("\"gpuCount\":8", "\"gpuCount\":\"8\""))).getMessage());
    assertEquals("field \"usage[0].promptTokens\" must be a whole number, got 12.5",
        assertThrows(NodeSampleFormatException.class, () -> NodeSampleJson.parse(LINE.replace("\"promptTokens\":1200", "\"promptTokens\":12.5"))).getMessage());
    assertEquals("field \"timestamp\" must be epoch milliseconds or an ISO-8601 instant, got \"yesterday\"",
        assertThrows(NodeSampleFormatException.class, () -> NodeSampleJson.parse(LINE.replace("1764151200000", "\"yesterday\""))).getMessage());
    assertTrue(assertThrows(NodeSampleFormatException.class, () -> NodeSampleJson.parse("{\"nodeId\":")).getMessage().startsWith("not JSON"));
    assertEquals("not a JSON object", assertThrows(NodeSampleFormatException.class, () -> NodeSampleJson.parse("[1,2]")).getMessage());
  }
}
