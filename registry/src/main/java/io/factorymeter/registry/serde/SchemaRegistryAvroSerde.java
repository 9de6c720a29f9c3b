package io.factorymeter.registry.serde;

import io.factorymeter.registry.client.SchemaRegistryClient;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Serializer and deserializer of Avro records in Confluent's wire format, as one Kafka {@link Serde}. */
public class SchemaRegistryAvroSerde<T> implements Serde<T> {

  private final SchemaRegistryAvroSerializer<T> serializer;
  private final SchemaRegistryAvroDeserializer<T> deserializer;

  public SchemaRegistryAvroSerde() {
    this.serializer = new SchemaRegistryAvroSerializer<>();
    this.deserializer = new SchemaRegistryAvroDeserializer<>();
  }

  public SchemaRegistryAvroSerde(SchemaRegistryClient client) {
    this.serializer = new SchemaRegistryAvroSerializer<>(client);
    this.deserializer = new SchemaRegistryAvroDeserializer<>(client);
  }

  /**
   * A configured serde for one generated record class with its own registry client, both set up
   * from {@code configs} (Confluent keys).
   */
  public static <T extends SpecificRecord> SchemaRegistryAvroSerde<T> forType(Class<T> type, Map<String, ?> configs, boolean isKey) {
    return forType(type, SchemaRegistryClient.fromConfig(configs), configs, isKey);
  }

  /**
   * A configured serde for one generated record class: reads into that class, and takes the
   * registry and serde settings from {@code configs} (Confluent keys).
   */
  public static <T extends SpecificRecord> SchemaRegistryAvroSerde<T> forType(
      Class<T> type, SchemaRegistryClient client, Map<String, ?> configs, boolean isKey) {
    Map<String, Object> props = new HashMap<>(configs);
    props.put(isKey ? AvroSerdeConfig.SPECIFIC_AVRO_KEY_TYPE : AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE, type);
    SchemaRegistryAvroSerde<T> serde = new SchemaRegistryAvroSerde<>(client);
    serde.configure(props, isKey);
    return serde;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    serializer.configure(configs, isKey);
    deserializer.configure(configs, isKey);
  }

  @Override
  public void close() {
    serializer.close();
    deserializer.close();
  }

  @Override
  public Serializer<T> serializer() {
    return serializer;
  }

  @Override
  public Deserializer<T> deserializer() {
    return deserializer;
  }
}
