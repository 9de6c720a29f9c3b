package io.factorymeter.app.serde;

import io.factorymeter.registry.client.SchemaRegistryClient;
import io.factorymeter.registry.serde.SchemaRegistryAvroSerde;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * The serdes of the application's topics: Avro values in Confluent's wire format, registered
 * under {@code <topic>-value} in the configured schema registry; one registry client (and cache)
 * for all.
 */
public final class AppSerdes {

  private final SchemaRegistryClient client;
  private final Map<String, Object> props;

  /** @param props schema registry settings (Confluent keys) and serde settings */
  public AppSerdes(Map<String, ?> props) {
    this.props = new HashMap<>(props);
    this.client = SchemaRegistryClient.fromConfig(props);
  }

  /** A value serde reading into the generated class {@code type}. */
  public <T extends SpecificRecord> Serde<T> values(Class<T> type) {
    return SchemaRegistryAvroSerde.forType(type, client, props, false);
  }
}
