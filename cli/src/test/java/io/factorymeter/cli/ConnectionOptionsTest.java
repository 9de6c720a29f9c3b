package io.factorymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.TypeConversionException;

class ConnectionOptionsTest {

  @Test
  void defaultsThenFileThenEnvironmentThenFlags(@TempDir Path dir) throws Exception {
    ConnectionOptions o = new ConnectionOptions();
    assertEquals("127.0.0.1:9092", o.properties(Map.of()).get("bootstrap.servers"));
    assertEquals("http://127.0.0.1:8081", o.properties(Map.of()).get("schema.registry.url"));

    Path file = dir.resolve("client.properties");
    Files.writeString(file, "bootstrap.servers=file:9092\nschema.registry.url=http://file:8081\nsecurity.protocol=SSL\n");
    o.config = file;
    Map<String, Object> fromFile = o.properties(Map.of());
    assertEquals("file:9092", fromFile.get("bootstrap.servers"));
    assertEquals("SSL", fromFile.get("security.protocol"));

    Map<String, String> env = Map.of("FACTORY_METER_SCHEMA_REGISTRY_URL", "http://env:8081",
        "FACTORY_METER_BASIC_AUTH_USER_INFO", "u:p", "PATH", "/bin");
    Map<String, Object> withEnv = o.properties(env);
    assertEquals("http://env:8081", withEnv.get("schema.registry.url"));
    assertEquals("u:p", withEnv.get("basic.auth.user.info"));
    assertEquals("file:9092", withEnv.get("bootstrap.servers"));

    o.bootstrapServers = "flag:9092";
    o.schemaRegistryUrl = "http://flag:8081";
    Map<String, Object> withFlags = o.properties(env);
    assertEquals("flag:9092", withFlags.get("bootstrap.servers"));
    assertEquals("http://flag:8081", withFlags.get("schema.registry.url"));
  }

  @Test
  void aMissingConfigFileIsAUserError(@TempDir Path dir) {
    ConnectionOptions o = new ConnectionOptions();
    o.config = dir.resolve("nope.properties");
    assertThrows(UserError.class, () -> o.properties(Map.of()));
  }

  @Test
  void durationsInShortAndIsoForm() {
    assertEquals(Duration.ofMillis(500), DurationConverter.parse("500ms"));
    assertEquals(Duration.ofSeconds(10), DurationConverter.parse("10s"));
    assertEquals(Duration.ofMinutes(5), DurationConverter.parse("5m"));
    assertEquals(Duration.ofHours(2), DurationConverter.parse("2h"));
    assertEquals(Duration.ofDays(1), DurationConverter.parse("1d"));
    assertEquals(Duration.ofSeconds(90), DurationConverter.parse("PT1M30S"));
    assertThrows(TypeConversionException.class, () -> DurationConverter.parse("ten seconds"));
  }
}
