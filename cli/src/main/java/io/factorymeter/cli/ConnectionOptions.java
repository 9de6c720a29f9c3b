package io.factorymeter.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * Where Kafka and the schema registry are, and every other client setting. Precedence, lowest
 * first: built-in defaults, the {@code --config} properties file (any Kafka, Kafka Streams or
 * schema registry key), environment variables {@code FACTORY_METER_<KEY>} (upper case, dots as
 * underscores: {@code FACTORY_METER_SCHEMA_REGISTRY_URL} sets {@code schema.registry.url}), then
 * the flags.
 */
public final class ConnectionOptions {

  public static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:9092";
  public static final String DEFAULT_SCHEMA_REGISTRY_URL = "http://127.0.0.1:8081";
  static final String ENV_PREFIX = "FACTORY_METER_";

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,HOST:PORT]",
      description = "Kafka brokers (default: " + DEFAULT_BOOTSTRAP_SERVERS + ").")
  String bootstrapServers;

  @Option(names = "--schema-registry-url", paramLabel = "URL[,URL]",
      description = {"Confluent-compatible schema registry, one URL or several comma-separated; default:", DEFAULT_SCHEMA_REGISTRY_URL})
  String schemaRegistryUrl;

  @Option(names = "--config", paramLabel = "FILE",
      description = "Kafka / Kafka Streams / schema registry properties; FACTORY_METER_* environment variables override it.")
  Path config;

  /**
   * The resolved client properties, once Kafka and the schema registry answered (else a one-line
   * {@link UserError}).
   */
  public Map<String, Object> reachableProperties() {
    Map<String, Object> props = properties();
    Reachability.requireKafkaAndRegistry(props);
    return props;
  }

  /** The resolved client properties, with the process environment. */
  public Map<String, Object> properties() {
    return properties(System.getenv());
  }

  Map<String, Object> properties(Map<String, String> env) {
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", DEFAULT_BOOTSTRAP_SERVERS);
    props.put("schema.registry.url", DEFAULT_SCHEMA_REGISTRY_URL);
    if (config != null) {
      Properties file = new Properties();
      try (Reader in = Files.newBufferedReader(config, StandardCharsets.UTF_8)) {
        file.load(in);
      } catch (IOException e) {
        throw new UserError("Cannot read --config " + config + ": " + e.getMessage());
      }
      file.forEach((k, v) -> props.put(k.toString(), v.toString().trim()));
    }
    env.forEach((k, v) -> {
      if (k.startsWith(ENV_PREFIX) && k.length() > ENV_PREFIX.length()) {
        props.put(k.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), v);
      }
    });
    if (bootstrapServers != null) {
      props.put("bootstrap.servers", bootstrapServers);
    }
    if (schemaRegistryUrl != null) {
      props.put("schema.registry.url", schemaRegistryUrl);
    }
    return props;
  }
}
