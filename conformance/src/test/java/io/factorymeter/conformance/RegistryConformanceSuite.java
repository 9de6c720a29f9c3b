package io.factorymeter.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factorymeter.registry.client.RegisteredSchema;
import io.factorymeter.registry.client.RegistryClientConfig;
import io.factorymeter.registry.client.SchemaRegistryClient;
import io.factorymeter.registry.client.SchemaRegistryException;
import io.factorymeter.registry.serde.SchemaRegistryAvroDeserializer;
import io.factorymeter.registry.serde.SchemaRegistryAvroSerde;
import io.factorymeter.registry.serde.SchemaRegistryAvroSerializer;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.UsageEntry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * The same client and serde assertions, run against every registry the project supports:
 * {@link EmbeddedRegistryConformanceTest} (the local stack's registry) and
 * {@link ApicurioRegistryConformanceTest} (Apicurio Registry 3.3.3). Expected values follow
 * Confluent Schema Registry's documented behaviour.
 */
abstract class RegistryConformanceSuite {

  private static final ObjectMapper JSON = new ObjectMapper();

  static final Schema PROBE_V1 = new Schema.Parser().parse("""
      {"type":"record","name":"Probe","namespace":"conformance","fields":[
        {"name":"a","type":"int"}]}""");
  /** PROBE_V1 plus an optional field: BACKWARD-compatible. */
  static final Schema PROBE_V2 = new Schema.Parser().parse("""
      {"type":"record","name":"Probe","namespace":"conformance","fields":[
        {"name":"a","type":"int"},{"name":"b","type":["null","string"],"default":null}]}""");
  /** PROBE_V1 plus a required field without default: not BACKWARD-compatible. */
  static final Schema PROBE_BREAKING = new Schema.Parser().parse("""
      {"type":"record","name":"Probe","namespace":"conformance","fields":[
        {"name":"a","type":"int"},{"name":"c","type":"long"}]}""");

  /** The registry's Confluent-compatible base URL. */
  abstract String registryUrl();

  SchemaRegistryClient client() {
    return new SchemaRegistryClient(RegistryClientConfig.from(Map.of(
        RegistryClientConfig.URL, registryUrl(), RegistryClientConfig.MAX_RETRIES, 1, RegistryClientConfig.RETRIES_WAIT_MS, 100)));
  }

  static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  // --- REST client -------------------------------------------------------------------------------

  @Test
  void registeringReturnsAnIdThatIsStableAndGlobalAcrossSubjects() {
    SchemaRegistryClient client = client();
    String s1 = unique("ids-a");
    String s2 = unique("ids-b");
    int id = client.register(s1, PROBE_V1);
    assertTrue(id > 0);
    // a fresh client (no cache) gets the same id for the same schema, in this and in another subject
    assertEquals(id, client().register(s1, PROBE_V1));
    assertEquals(id, client().register(s2, PROBE_V1));
    assertEquals(List.of(1), client().versions(s1), "re-registering adds no version");
  }

  @Test
  void lookupFindsSubjectIdAndVersion() {
    String subject = unique("lookup");
    int id1 = client().register(subject, PROBE_V1);
    int id2 = client().register(subject, PROBE_V2);
    assertNotEquals(id1, id2);
    RegisteredSchema found = client().lookup(subject, PROBE_V2);
    assertEquals(subject, found.subject());
    assertEquals(id2, found.id());
    assertEquals(2, found.version());
  }

  @Test
  void schemaByIdLatestAndNumberedVersionsReturnTheRegisteredSchema() {
    String subject = unique("get");
    int id1 = client().register(subject, PROBE_V1);
    int id2 = client().register(subject, PROBE_V2);
    assertEquals(PROBE_V1, client().schemaById(id1));
    RegisteredSchema latest = client().latestVersion(subject);
    assertEquals(2, latest.version());
    assertEquals(id2, latest.id());
    assertEquals(PROBE_V2, latest.schema());
    RegisteredSchema first = client().version(subject, 1);
    assertEquals(id1, first.id());
    assertEquals(PROBE_V1, first.schema());
    assertEquals(List.of(1, 2), client().versions(subject));
    assertTrue(client().subjects().contains(subject));
  }

  @Test
  void compatibilityCheckAndRegistrationFollowBackward() {
    SchemaRegistryClient client = client();
    String subject = unique("compat");
    client.register(subject, PROBE_V1);
    assertEquals("BACKWARD", client.compatibility(subject));
    assertTrue(client.isCompatible(subject, PROBE_V2));
    assertFalse(client.isCompatible(subject, PROBE_BREAKING));
    SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.register(subject, PROBE_BREAKING));
    assertEquals(409, e.httpStatus());
    assertTrue(e.isIncompatible(), e.getMessage());
    assertEquals(List.of(1), client.versions(subject), "the incompatible schema was not added");
  }

  @Test
  void subjectCompatibilityLevelCanBeSetAndRead() {
    SchemaRegistryClient client = client();
    String subject = unique("config");
    client.register(subject, PROBE_V1);
    assertEquals("NONE", client.setCompatibility(subject, "NONE"));
    assertEquals("NONE", client.compatibility(subject));
    assertEquals("BACKWARD", client.globalCompatibility(), "the global level is untouched");
    // under NONE the breaking schema is accepted as version 2
    client.register(subject, PROBE_BREAKING);
    assertEquals(List.of(1, 2), client.versions(subject));
    SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.setCompatibility(subject, "SIDEWAYS"));
    assertEquals(SchemaRegistryException.INVALID_COMPATIBILITY_LEVEL, e.errorCode());
  }

  @Test
  void unknownSubjectVersionAndIdCarryConfluentErrorCodes() {
    SchemaRegistryClient client = client();
    String missing = unique("missing");
    SchemaRegistryException noSubject = assertThrows(SchemaRegistryException.class, () -> client.latestVersion(missing));
    assertEquals(404, noSubject.httpStatus());
    assertEquals(SchemaRegistryException.SUBJECT_NOT_FOUND, noSubject.errorCode());

    String subject = unique("known");
    client.register(subject, PROBE_V1);
    SchemaRegistryException noVersion = assertThrows(SchemaRegistryException.class, () -> client.version(subject, 7));
    assertEquals(SchemaRegistryException.VERSION_NOT_FOUND, noVersion.errorCode());

    SchemaRegistryException noSchema = assertThrows(SchemaRegistryException.class, () -> client.lookup(subject, PROBE_V2));
    assertEquals(SchemaRegistryException.SCHEMA_NOT_FOUND, noSchema.errorCode());

    SchemaRegistryException noId = assertThrows(SchemaRegistryException.class, () -> client.schemaById(987_654_321));
    assertEquals(SchemaRegistryException.SCHEMA_NOT_FOUND, noId.errorCode());
    assertTrue(noId.isNotFound());
  }

  @Test
  void invalidSchemaTextIsRejectedWith42201() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(registryUrl() + "/subjects/" + unique("invalid") + "/versions"))
        .header("Content-Type", SchemaRegistryClient.CONTENT_TYPE)
        .POST(HttpRequest.BodyPublishers.ofString("{\"schema\":\"{\\\"type\\\":\\\"recordx\\\"}\"}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(422, r.statusCode(), r.body());
    JsonNode body = JSON.readTree(r.body());
    assertEquals(SchemaRegistryException.INVALID_SCHEMA, body.get("error_code").asInt());
  }

  @Test
  void softDeletedSubjectDisappearsFromListings() {
    SchemaRegistryClient client = client();
    String subject = unique("delete");
    client.register(subject, PROBE_V1);
    client.register(subject, PROBE_V2);
    assertEquals(List.of(1, 2), client.deleteSubject(subject, false));
    assertFalse(client().subjects().contains(subject));
    SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client().versions(subject));
    assertEquals(SchemaRegistryException.SUBJECT_NOT_FOUND, e.errorCode());
  }

  // --- serde ---------------------------------------------------------------------------------------

  static NodeSample sample() {
    return NodeSample.newBuilder()
        .setNodeId("node-007").setClusterId("cluster-a").setSite("eu-west-1a").setGpuModel("H100-SXM5-80GB")
        .setGpuCount(8).setTimestamp(Instant.parse("2026-11-26T10:00:00Z")).setIntervalMs(10_000)
        .setPowerWatts(5_412.5).setEnergyJoules(54_125.0).setTemperatureC(68.5f).setGpuUtilization(0.75f)
        .setUsage(List.of(
            new UsageEntry("tenant-a", "llama-3.1-8b", 1_000L, 3_000L),
            new UsageEntry("tenant-b", "qwen3-32b", 250L, 750L)))
        .build();
  }

  private Map<String, Object> serdeConfig(Object... keyValues) {
    Map<String, Object> config = new HashMap<>();
    config.put("schema.registry.url", registryUrl());
    for (int i = 0; i < keyValues.length; i += 2) {
      config.put((String) keyValues[i], keyValues[i + 1]);
    }
    return config;
  }

  @Test
  void specificRecordRoundTripsInConfluentWireFormat() {
    String topic = unique("serde.roundtrip");
    SchemaRegistryAvroSerde<NodeSample> serde = new SchemaRegistryAvroSerde<>();
    serde.configure(serdeConfig("specific.avro.reader", true), false);
    NodeSample sample = sample();
    byte[] bytes = serde.serializer().serialize(topic, sample);

    ByteBuffer header = ByteBuffer.wrap(bytes);
    assertEquals(0, header.get(), "magic byte");
    int id = header.getInt();
    assertEquals(client().lookup(topic + "-value", NodeSample.getClassSchema()).id(), id,
        "schema id of the header = id registered under <topic>-value");

    NodeSample back = serde.deserializer().deserialize(topic, bytes);
    assertEquals(sample, back);
    assertNull(serde.serializer().serialize(topic, null), "null stays a tombstone");
  }

  @Test
  void genericReaderSeesTheFieldsAsWritten() {
    String topic = unique("serde.generic");
    SchemaRegistryAvroSerializer<NodeSample> serializer = new SchemaRegistryAvroSerializer<>();
    serializer.configure(serdeConfig(), false);
    byte[] bytes = serializer.serialize(topic, sample());

    SchemaRegistryAvroDeserializer<GenericRecord> deserializer = new SchemaRegistryAvroDeserializer<>();
    deserializer.configure(serdeConfig(), false);
    GenericRecord record = deserializer.deserialize(topic, bytes);
    assertEquals("node-007", record.get("nodeId").toString());
    assertEquals(8, record.get("gpuCount"));
    assertEquals(Instant.parse("2026-11-26T10:00:00Z").toEpochMilli(), record.get("timestamp"));
    assertEquals(54_125.0, record.get("energyJoules"));
    assertEquals(0.75f, record.get("gpuUtilization"));
    GenericRecord second = (GenericRecord) ((List<?>) record.get("usage")).get(1);
    assertEquals("tenant-b", second.get("tenantId").toString());
    assertEquals(750L, second.get("completionTokens"));
  }

  @Test
  void unknownMagicByteFailsNamingTheByte() {
    SchemaRegistryAvroDeserializer<NodeSample> deserializer = new SchemaRegistryAvroDeserializer<>();
    deserializer.configure(serdeConfig("specific.avro.reader", true), false);
    SerializationException e = assertThrows(SerializationException.class,
        () -> deserializer.deserialize("t", new byte[] {0x7b, 0x22, 0x61, 0x22, 0x3a, 0x31, 0x7d}));
    assertTrue(e.getMessage().contains("magic byte 0x7b"), e.getMessage());
  }

  @Test
  void unknownSchemaIdFailsNamingTheId() {
    SchemaRegistryAvroDeserializer<NodeSample> deserializer = new SchemaRegistryAvroDeserializer<>();
    deserializer.configure(serdeConfig("specific.avro.reader", true, "max.retries", 0), false);
    byte[] bytes = ByteBuffer.allocate(9).put((byte) 0).putInt(987_654_321).putInt(42).array();
    SerializationException e = assertThrows(SerializationException.class, () -> deserializer.deserialize("t", bytes));
    assertTrue(e.getMessage().contains("Schema id 987654321"), e.getMessage());
    assertTrue(e.getMessage().contains("unknown"), e.getMessage());
  }

  @Test
  void withoutAutoRegistrationAnUnregisteredSchemaIsAnError() {
    String topic = unique("serde.noauto");
    SchemaRegistryAvroSerializer<NodeSample> serializer = new SchemaRegistryAvroSerializer<>();
    serializer.configure(serdeConfig("auto.register.schemas", false), false);
    SerializationException e = assertThrows(SerializationException.class, () -> serializer.serialize(topic, sample()));
    assertTrue(e.getMessage().contains(topic + "-value"), e.getMessage());

    client().register(topic + "-value", NodeSample.getClassSchema());
    byte[] bytes = serializer.serialize(topic, sample());
    assertEquals(0, bytes[0]);
  }

  @Test
  void useLatestVersionWritesWithTheSubjectsNewestSchema() {
    String topic = unique("serde.latest");
    String subject = topic + "-value";
    client().register(subject, NodeSample.getClassSchema());
    // a newer version of the contract with one optional field more
    Schema newer = new Schema.Parser().parse(NodeSample.getClassSchema().toString().replace(
        "\"fields\":[", "\"fields\":[{\"name\":\"rack\",\"type\":[\"null\",\"string\"],\"default\":null},"));
    int newerId = client().register(subject, newer);

    SchemaRegistryAvroSerializer<NodeSample> serializer = new SchemaRegistryAvroSerializer<>();
    serializer.configure(serdeConfig("auto.register.schemas", false, "use.latest.version", true), false);
    byte[] bytes = serializer.serialize(topic, sample());
    assertEquals(newerId, ByteBuffer.wrap(bytes, 1, 4).getInt());

    SchemaRegistryAvroDeserializer<GenericRecord> generic = new SchemaRegistryAvroDeserializer<>();
    generic.configure(serdeConfig(), false);
    GenericRecord written = generic.deserialize(topic, bytes);
    assertNull(written.get("rack"));
    assertEquals("node-007", written.get("nodeId").toString());

    SchemaRegistryAvroDeserializer<NodeSample> specific = new SchemaRegistryAvroDeserializer<>();
    specific.configure(serdeConfig("specific.avro.reader", true), false);
    assertEquals(sample(), specific.deserialize(topic, bytes), "the current class reads the newer version");
  }

  @Test
  void recordsWrittenWithAnOlderContractVersionReadIntoTheCurrentClass() {
    String topic = unique("serde.older");
    // an older NodeSample contract without energyJoules
    Schema older = new Schema.Parser().parse(NodeSample.getClassSchema().toString()
        .replaceAll("\\{\"name\":\"energyJoules\".*?\"default\":null},", ""));
    assertNull(older.getField("energyJoules"));
    GenericRecord record = new GenericData.Record(older);
    for (Schema.Field f : older.getFields()) {
      Object v = sample().get(f.name());
      record.put(f.name(), v instanceof Instant i ? i.toEpochMilli() : v);
    }
    record.put("usage", List.of());
    SchemaRegistryAvroSerializer<GenericRecord> serializer = new SchemaRegistryAvroSerializer<>();
    serializer.configure(serdeConfig(), false);
    byte[] bytes = serializer.serialize(topic, record);

    SchemaRegistryAvroDeserializer<NodeSample> deserializer = new SchemaRegistryAvroDeserializer<>();
    deserializer.configure(serdeConfig("specific.avro.reader", true), false);
    NodeSample read = deserializer.deserialize(topic, bytes);
    assertNull(read.getEnergyJoules(), "missing field takes the reader's default");
    assertEquals(5_412.5, read.getPowerWatts());
    assertEquals(List.of(), read.getUsage());
  }

  @Test
  void serializedBytesAreIdenticalAcrossClientsForTheSameSchema() {
    String topic = unique("serde.stable");
    SchemaRegistryAvroSerializer<NodeSample> a = new SchemaRegistryAvroSerializer<>();
    a.configure(serdeConfig(), false);
    SchemaRegistryAvroSerializer<NodeSample> b = new SchemaRegistryAvroSerializer<>();
    b.configure(serdeConfig(), false);
    assertArrayEquals(a.serialize(topic, sample()), b.serialize(topic, sample()));
  }
}
