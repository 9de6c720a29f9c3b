package io.factorymeter.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.factorymeter.registry.client.RegistryClientConfig;
import io.factorymeter.registry.client.SchemaRegistryClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStackTest {

  private static final Schema V1 = new Schema.Parser().parse(
      "{\"type\":\"record\",\"name\":\"Probe\",\"namespace\":\"t\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}");
  private static final Schema V2 = new Schema.Parser().parse(
      "{\"type\":\"record\",\"name\":\"Probe\",\"namespace\":\"t\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},"
          + "{\"name\":\"b\",\"type\":\"string\",\"default\":\"x\"}]}");

  @Test
  void schemasAndCompatibilityLevelsSurviveARestartOnTheSameDataDirectory(@TempDir Path dir) throws Exception {
    int id1;
    int id2;
    try (LocalStack stack = LocalStack.builder().dataDir(dir).start()) {
      SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientConfig.forUrl(stack.schemaRegistryUrl()));
      id1 = client.register("probe-value", V1);
      id2 = client.register("probe-value", V2);
      client.setCompatibility("probe-value", "FULL");
      assertEquals("BACKWARD", client.globalCompatibility());
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, LocalStack.SCHEMAS_TOPIC);
        Config c = admin.describeConfigs(List.of(r)).all().get().get(r);
        assertEquals("compact", c.get("cleanup.policy").value());
      }
    }
    assertTrue(Files.exists(dir.resolve("kafka")), "data directory kept");
    try (LocalStack stack = LocalStack.builder().dataDir(dir).start()) {
      SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientConfig.forUrl(stack.schemaRegistryUrl()));
      assertEquals(List.of(1, 2), client.versions("probe-value"));
      assertEquals(V1, client.schemaById(id1));
      assertEquals(id2, client.latestVersion("probe-value").id());
      assertEquals("FULL", client.compatibility("probe-value"));
      // the id counter continues after the highest stored id
      Schema other = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Other\",\"fields\":[]}");
      assertEquals(Math.max(id1, id2) + 1, client.register("other-value", other));
    }
  }

  @Test
  void temporaryDataDirectoryIsRemovedOnClose() {
    Path dir;
    try (LocalStack stack = LocalStack.builder().start()) {
      dir = stack.dataDir();
      assertTrue(Files.isDirectory(dir));
    }
    assertFalse(Files.exists(dir));
  }

  @Test
  void aTakenPortIsAClearStartupError() {
    try (LocalStack first = LocalStack.builder().start()) {
      int taken = first.kafka().port();
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> LocalStack.builder().kafkaPort(taken).start().close());
      assertTrue(e.getMessage().contains("127.0.0.1:" + taken), e.getMessage());
    }
  }
}
