package io.factorymeter.producers.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScrapeMappingTest {

  static final String EXAMPLE = """
      {
        "nodes": {
          "gpu1-wl8sg": {"nodeId": "upc-gpu1", "clusterId": "upc-fi-hel", "site": "fi-hel2"},
          "10.0.7.21":  {"nodeId": "upc-gpu1", "clusterId": "upc-fi-hel", "site": "fi-hel2"},
          "cp-bm14r7":  {"nodeId": "ccd-bm14r7", "clusterId": "ccd", "site": "se-sto", "gpuModel": "T4-16GB"}
        },
        "models": {
          "Qwen/Qwen2.5-0.5B-Instruct": {"tenantId": "acme", "modelId": "qwen2.5-0.5b-instruct"}
        },
        "defaultTenant": "internal"
      }
      """;

  @Test
  void nodesByHostnameLabelOrEndpointHost() {
    ScrapeMapping m = ScrapeMapping.parse(EXAMPLE);
    assertEquals(new ScrapeMapping.Node("upc-gpu1", "upc-fi-hel", "fi-hel2", null), m.node("gpu1-wl8sg"));
    assertEquals(m.node("gpu1-wl8sg"), m.node("10.0.7.21"));
    assertEquals("T4-16GB", m.node("cp-bm14r7").gpuModel());
    // the first known candidate wins; unknown ones are passed over
    assertEquals("ccd-bm14r7", m.node(null, "not-there", "cp-bm14r7").nodeId());
    ScrapeMapping.UnmappedException e = assertThrows(ScrapeMapping.UnmappedException.class, () -> m.node("gpu9", "10.0.0.9"));
    assertEquals("no node for 'gpu9' or '10.0.0.9' in the mapping file (add it under \"nodes\")", e.getMessage());
  }

  @Test
  void modelsByModelNameElseTheDefaultTenant() {
    ScrapeMapping m = ScrapeMapping.parse(EXAMPLE);
    assertEquals(new ScrapeMapping.Usage("acme", "qwen2.5-0.5b-instruct"), m.model("Qwen/Qwen2.5-0.5B-Instruct"));
    assertEquals(new ScrapeMapping.Usage("internal", "meta-llama/Llama-3.1-8B-Instruct"), m.model("meta-llama/Llama-3.1-8B-Instruct"));
    assertEquals(new ScrapeMapping.Usage("internal", "my-model-v2"), m.model("my model (v2)".replace("(", "").replace(")", "")));
    assertEquals("a-b", m.model("a b").modelId());
  }

  @Test
  void anUnlistedModelWithoutDefaultTenantIsNamed() {
    ScrapeMapping m = ScrapeMapping.parse(EXAMPLE.replace(",\n  \"defaultTenant\": \"internal\"", ""));
    ScrapeMapping.UnmappedException e = assertThrows(ScrapeMapping.UnmappedException.class, () -> m.model("mistral-7b"));
    assertTrue(e.getMessage().contains("'mistral-7b'"), e.getMessage());
  }

  @Test
  void modelsAndDefaultTenantAreOptional() {
    ScrapeMapping m = ScrapeMapping.parse("{\"nodes\": {\"h\": {\"nodeId\": \"n\", \"clusterId\": \"c\", \"site\": \"s\"}}}");
    assertNull(m.node("h").gpuModel());
    assertThrows(ScrapeMapping.UnmappedException.class, () -> m.model("any"));
  }

  @Test
  void mistakesAreNamed(@TempDir Path dir) throws Exception {
    assertError("{", "not JSON");
    assertError("{\"nodes\": {}}", "\"nodes\" must be an object with at least one host");
    assertError("{\"nodes\": {\"h\": {\"nodeId\": \"n\", \"site\": \"s\"}}}", "missing field \"clusterId\" in nodes.h");
    assertError("{\"nodes\": {\"h\": {\"nodeId\": \"node 1\", \"clusterId\": \"c\", \"site\": \"s\"}}}",
        "nodes.h.nodeId 'node 1' does not match [A-Za-z0-9._:/@-]{1,128}");
    assertError("{\"nodes\": {\"h\": {\"nodeId\": \"n\", \"clusterId\": \"c\", \"site\": \"s\", \"gpumodel\": \"x\"}}}",
        "unknown field \"gpumodel\" in nodes.h");
    assertError("{\"nodes\": {\"h\": {\"nodeId\": \"n\", \"clusterId\": \"c\", \"site\": \"s\"}}, \"model\": {}}", "unknown field \"model\"");
    assertError("{\"nodes\": {\"a\": {\"nodeId\": \"n\", \"clusterId\": \"c\", \"site\": \"s\"},"
        + " \"b\": {\"nodeId\": \"n\", \"clusterId\": \"c\", \"site\": \"other\"}}}", "nodes.b and nodes.a are both node n but differ");
    assertError("{\"nodes\": {\"h\": {\"nodeId\": \"n\", \"clusterId\": \"c\", \"site\": \"s\"}}, \"models\": {\"m\": {\"tenantId\": \"t\"}}}",
        "missing field \"modelId\" in models.m");
    assertError("{\"nodes\": {\"h\": {\"nodeId\": \"n\", \"clusterId\": \"c\", \"site\": \"s\"}}, \"defaultTenant\": 7}",
        "defaultTenant must be a non-empty string");

    Path file = dir.resolve("mapping.json");
    Files.writeString(file, "{\"nodes\": []}");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScrapeMapping.read(file));
    assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
    Files.writeString(file, EXAMPLE);
    assertEquals(3, ScrapeMapping.read(file).nodes().size());
  }

  private static void assertError(String json, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScrapeMapping.parse(json), json);
    assertTrue(e.getMessage().contains(message), json + " -> " + e.getMessage());
  }
}
