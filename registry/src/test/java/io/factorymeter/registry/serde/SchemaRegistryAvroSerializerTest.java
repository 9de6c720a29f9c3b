package io.factorymeter.registry.serde;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.junit.jupiter.api.Test;

/** What the serializer throws when the registry cannot be asked. */
class SchemaRegistryAvroSerializerTest {

  @Test
  void anUnreachableRegistryIsUnavailableNotABadRecord() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();   // closed again: connections are refused
    }
    SchemaRegistryAvroSerializer<GenericData.Record> serializer = new SchemaRegistryAvroSerializer<>();
    serializer.configure(Map.of("schema.registry.url", "http://127.0.0.1:" + port, "max.retries", "0"), false);
    Schema schema = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}");
    GenericData.Record record = new GenericData.Record(schema);
    record.put("a", 1);
    // the caller (the pipeline's production handler) retries such a record later instead of dead-lettering it
    SchemaRegistryUnavailableException e = assertThrows(SchemaRegistryUnavailableException.class, () -> serializer.serialize("t", record));
    assertTrue(e.getMessage().contains("subject t-value"), e.getMessage());
  }
}
