package io.factorymeter.registry.serde;

import io.factorymeter.registry.client.SchemaRegistryClient;
import io.factorymeter.registry.client.SchemaRegistryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads records written in Confluent's wire format: fetches the writer schema by the id in the
 * header and resolves it against the reader schema, the generated class's schema under
 * {@code specific.avro.reader=true}, else the writer schema (GenericRecord). A record with a
 * magic byte other than 0, an id the registry does not know, or a payload that does not decode
 * fails with a {@link SerializationException} that says which.
 */
public class SchemaRegistryAvroDeserializer<T> implements Deserializer<T> {

  private SchemaRegistryClient client;
  private AvroSerdeConfig config;
  private final Map<Integer, DatumReader<Object>> readers = new ConcurrentHashMap<>();

  /** A deserializer that builds its registry client in {@link #configure}. */
  public SchemaRegistryAvroDeserializer() {
  }

  /** A deserializer sharing an existing registry client (and its caches). */
  public SchemaRegistryAvroDeserializer(SchemaRegistryClient client) {
    this.client = client;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    this.config = AvroSerdeConfig.from(configs, isKey);
    if (client == null) {
      client = SchemaRegistryClient.fromConfig(configs);
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    if (config == null) {
      throw new IllegalStateException("SchemaRegistryAvroDeserializer used before configure()");
    }
    ByteBuffer buffer = ByteBuffer.wrap(data);
    int id = WireFormat.readSchemaId(buffer, "a record of topic " + topic);
    DatumReader<Object> reader = readers.get(id);
    if (reader == null) {
      // built outside the map's lock: fetching a schema may wait on the registry
      DatumReader<Object> built = readerFor(id, topic);
      DatumReader<Object> earlier = readers.putIfAbsent(id, built);
      reader = earlier != null ? earlier : built;
    }
    try {
      BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, buffer.position(), buffer.remaining(), null);
      return (T) reader.read(null, decoder);
    } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | ClassCastException
        | NegativeArraySizeException e) {
      throw new SerializationException("Avro payload of a record of topic " + topic + " with schema id " + id
          + " does not decode: " + e, e);
    }
  }

  @Override
  public void close() {
    readers.clear();
  }

  private DatumReader<Object> readerFor(int id, String topic) {
    Schema writer;
    try {
      writer = client.schemaById(id);
    } catch (SchemaRegistryException e) {
      if (e.isTransient()) {
        throw new SchemaRegistryUnavailableException("Cannot fetch schema id " + id + " for a record of topic " + topic
            + " now: " + e.getMessage(), e);
      }
      if (e.isNotFound()) {
        throw new SerializationException("Schema id " + id + " of a record of topic " + topic
            + " is unknown to the schema registry: " + e.getMessage(), e);
      }
      throw new SerializationException("Cannot fetch schema id " + id + " for a record of topic " + topic + ": "
          + e.getMessage(), e);
    }
    if (!config.specificReader()) {
      return new GenericDatumReader<>(writer, writer, GenericData.get());
    }
    Class<?> type = config.specificType() != null ? config.specificType() : SpecificData.get().getClass(writer);
    if (type == null) {
      throw new SerializationException("specific.avro.reader is set but no generated class exists for schema "
          + writer.getFullName() + " (id " + id + ") of topic " + topic);
    }
    SpecificData model = SpecificData.getForClass(type);
    return new SpecificDatumReader<>(writer, model.getSchema(type), model);
  }
}
