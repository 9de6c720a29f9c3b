package io.factorymeter.registry.serde;

import io.factorymeter.registry.client.RegisteredSchema;
import io.factorymeter.registry.client.SchemaRegistryClient;
import io.factorymeter.registry.client.SchemaRegistryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records (generated SpecificRecords or GenericRecords) in Confluent's wire format,
 * with the schema registered under {@code <topic>-value} (or {@code <topic>-key}); see
 * {@link AvroSerdeConfig} for the settings. {@code null} is written as {@code null} (a tombstone).
 */
public class SchemaRegistryAvroSerializer<T> implements Serializer<T> {

  private SchemaRegistryClient client;
  private AvroSerdeConfig config;
  private boolean isKey;
  private final Map<Schema, DatumWriter<Object>> writers = new ConcurrentHashMap<>();

  /** A serializer that builds its registry client in {@link #configure}. */
  public SchemaRegistryAvroSerializer() {
  }

  /** A serializer sharing an existing registry client (and its caches). */
  public SchemaRegistryAvroSerializer(SchemaRegistryClient client) {
    this.client = client;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    this.isKey = isKey;
    this.config = AvroSerdeConfig.from(configs, isKey);
    if (client == null) {
      client = SchemaRegistryClient.fromConfig(configs);
    }
  }

  @Override
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null;
    }
    if (config == null) {
      throw new IllegalStateException("SchemaRegistryAvroSerializer used before configure()");
    }
    if (!(data instanceof IndexedRecord record)) {
      throw new SerializationException("Cannot serialize a " + data.getClass().getName() + " for topic " + topic
          + ": only Avro records (SpecificRecord or GenericRecord) are supported");
    }
    Schema schema = record.getSchema();
    String subject = topic + (isKey ? "-key" : "-value");
    int id;
    Schema writeSchema = schema;
    Object datum = record;
    try {
      if (config.autoRegister()) {
        id = client.register(subject, schema, config.normalize());
      } else if (config.useLatestVersion()) {
        RegisteredSchema latest = client.latestVersion(subject);
        id = latest.id();
        if (!SchemaNormalization.toParsingForm(latest.schema()).equals(SchemaNormalization.toParsingForm(schema))) {
          writeSchema = latest.schema();
          datum = project(record, latest.schema(), subject);
        }
      } else {
        id = client.lookup(subject, schema).id();
      }
    } catch (SchemaRegistryException e) {
      String message = "Cannot serialize a " + schema.getFullName() + " record for topic " + topic
          + " (subject " + subject + "): " + e.getMessage();
      if (e.isTransient()) {   // the registry cannot be asked now: not the record's fault (retried, never dead-lettered)
        throw new SchemaRegistryUnavailableException(message, e);
      }
      throw new SerializationException(message, e);
    }
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream(128);
      ByteBuffer header = ByteBuffer.allocate(WireFormat.HEADER_LENGTH);
      WireFormat.writeHeader(header, id);
      out.write(header.array());
      BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
      writerFor(writeSchema, datum).write(datum, encoder);
      encoder.flush();
      return out.toByteArray();
    } catch (IOException | AvroRuntimeException | ClassCastException | NullPointerException e) {
      throw new SerializationException("Cannot serialize a " + schema.getFullName() + " record for topic " + topic
          + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    writers.clear();
  }

  private DatumWriter<Object> writerFor(Schema schema, Object datum) {
    return writers.computeIfAbsent(schema, s -> datum instanceof SpecificRecord
        ? new SpecificDatumWriter<>(s, SpecificData.getForClass(datum.getClass()))
        : new GenericDatumWriter<>(s, GenericData.get()));
  }

  /** Re-reads a record through a (compatible) registered schema: Avro schema resolution by field name. */
  private Object project(IndexedRecord record, Schema target, String subject) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream(128);
      BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
      writerFor(record.getSchema(), record).write(record, encoder);
      encoder.flush();
      return new GenericDatumReader<>(record.getSchema(), target, GenericData.get())
          .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    } catch (IOException | AvroRuntimeException e) {
      throw new SerializationException("The record's schema " + record.getSchema().getFullName()
          + " cannot be written as the latest version of subject " + subject + ": " + e.getMessage(), e);
    }
  }
}
