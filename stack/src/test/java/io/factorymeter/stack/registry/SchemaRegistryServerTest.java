package io.factorymeter.stack.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factorymeter.registry.client.RegistryClientConfig;
import io.factorymeter.registry.client.SchemaRegistryClient;
import io.factorymeter.registry.client.SchemaRegistryException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Behaviour of the embedded registry that the shared conformance suite does not reach through the
 * client: raw REST answers, Confluent semantics Apicurio does not share, and authentication.
 */
class SchemaRegistryServerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String V1 = "{\"type\":\"record\",\"name\":\"Probe\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}";
  /** V1 with other whitespace and key order: the same schema. */
  private static final String V1_REFORMATTED = "{ \"fields\": [ {\"type\": \"int\", \"name\": \"a\"} ],\n \"name\": \"Probe\", \"type\": \"record\" }";

  private SchemaRegistryServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private SchemaRegistryServer open() {
    server = SchemaRegistryServer.start(new SchemaRepository(SchemaJournal.NONE, CompatibilityLevel.BACKWARD), 0,
        SchemaRegistryServer.Auth.NONE);
    return server;
  }

  private HttpResponse<String> call(String method, String path, String body, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path))
        .header("Content-Type", SchemaRegistryClient.CONTENT_TYPE)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String schemaBody(String schema) {
    return JSON.createObjectNode().put("schema", schema).toString();
  }

  @Test
  void theSameSchemaWrittenDifferentlyHasOneIdInEverySubject() throws Exception {
    open();
    JsonNode a = JSON.readTree(call("POST", "/subjects/a-value/versions", schemaBody(V1), null).body());
    JsonNode b = JSON.readTree(call("POST", "/subjects/b-value/versions?normalize=true", schemaBody(V1_REFORMATTED), null).body());
    assertEquals(1, a.get("id").asInt());
    assertEquals(1, b.get("id").asInt());
    JsonNode lookup = JSON.readTree(call("POST", "/subjects/a-value?deleted=false", schemaBody(V1_REFORMATTED), null).body());
    assertEquals(1, lookup.get("version").asInt());
    assertEquals("[{\"subject\":\"a-value\",\"version\":1},{\"subject\":\"b-value\",\"version\":1}]",
        call("GET", "/schemas/ids/1/versions", null, null).body());
  }

  @Test
  void answersUseConfluentShapesAndCodes() throws Exception {
    open();
    call("POST", "/subjects/s/versions", schemaBody(V1), null);
    HttpResponse<String> version = call("GET", "/subjects/s/versions/latest", null, null);
    assertEquals(SchemaRegistryClient.CONTENT_TYPE, version.headers().firstValue("Content-Type").orElse(""));
    JsonNode v = JSON.readTree(version.body());
    assertEquals("s", v.get("subject").asText());
    assertEquals(1, v.get("version").asInt());
    assertEquals(1, v.get("id").asInt());

    assertEquals("[\"AVRO\"]", call("GET", "/schemas/types", null, null).body());
    assertEquals("{\"compatibilityLevel\":\"BACKWARD\"}", call("GET", "/config", null, null).body());
    assertEquals("{\"compatibility\":\"FULL\"}", call("PUT", "/config/s", "{\"compatibility\":\"full\"}", null).body());

    HttpResponse<String> noConfig = call("GET", "/config/other", null, null);
    assertEquals(404, noConfig.statusCode());
    assertEquals(40408, JSON.readTree(noConfig.body()).get("error_code").asInt());
    assertEquals("{\"compatibilityLevel\":\"BACKWARD\"}", call("GET", "/config/other?defaultToGlobal=true", null, null).body());

    HttpResponse<String> badVersion = call("GET", "/subjects/s/versions/abc", null, null);
    assertEquals(422, badVersion.statusCode());
    assertEquals(42202, JSON.readTree(badVersion.body()).get("error_code").asInt());

    HttpResponse<String> notJson = call("POST", "/subjects/s/versions", "not json", null);
    assertEquals(400, notJson.statusCode());
    assertTrue(JSON.readTree(notJson.body()).has("error_code"));

    HttpResponse<String> protobuf = call("POST", "/subjects/s/versions", "{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\";\"}", null);
    assertEquals(422, protobuf.statusCode());
    assertEquals(42201, JSON.readTree(protobuf.body()).get("error_code").asInt());

    assertEquals(404, call("GET", "/no/such/path", null, null).statusCode());
  }

  @Test
  void verboseCompatibilityCheckExplainsTheViolation() throws Exception {
    open();
    call("POST", "/subjects/s/versions", schemaBody(V1), null);
    String breaking = "{\"type\":\"record\",\"name\":\"Probe\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},{\"name\":\"b\",\"type\":\"long\"}]}";
    JsonNode answer = JSON.readTree(call("POST", "/compatibility/subjects/s/versions/latest?verbose=true", schemaBody(breaking), null).body());
    assertFalse(answer.get("is_compatible").asBoolean());
    assertTrue(answer.get("messages").get(0).asText().contains("READER_FIELD_MISSING_DEFAULT_VALUE"), answer.toString());
  }

  @Test
  void permanentDeleteNeedsASoftDeleteFirstAndFreesTheSubject() throws Exception {
    open();
    call("POST", "/subjects/s/versions", schemaBody(V1), null);
    HttpResponse<String> tooEarly = call("DELETE", "/subjects/s?permanent=true", null, null);
    assertEquals(40405, JSON.readTree(tooEarly.body()).get("error_code").asInt());
    assertEquals("[1]", call("DELETE", "/subjects/s", null, null).body());
    assertEquals(40404, JSON.readTree(call("DELETE", "/subjects/s", null, null).body()).get("error_code").asInt());
    assertEquals("[\"s\"]", call("GET", "/subjects?deleted=true", null, null).body());
    assertEquals("[1]", call("DELETE", "/subjects/s?permanent=true", null, null).body());
    assertEquals("[]", call("GET", "/subjects?deleted=true", null, null).body());
    // the schema keeps its id; a new registration under the freed subject starts at version 1
    assertEquals("{\"id\":1}", call("POST", "/subjects/s/versions", schemaBody(V1), null).body());
  }

  @Test
  void basicAuthIsRequiredWhenConfigured() {
    server = SchemaRegistryServer.start(new SchemaRepository(SchemaJournal.NONE, CompatibilityLevel.BACKWARD), 0,
        SchemaRegistryServer.Auth.basic("meter:s3cret-pw"));
    SchemaRegistryClient anonymous = new SchemaRegistryClient(RegistryClientConfig.forUrl(server.url()));
    SchemaRegistryException e = assertThrows(SchemaRegistryException.class, anonymous::subjects);
    assertEquals(401, e.httpStatus());
    assertTrue(e.getMessage().contains("basic.auth.user.info"), e.getMessage());

    SchemaRegistryClient wrong = SchemaRegistryClient.fromConfig(Map.of(RegistryClientConfig.URL, server.url(),
        RegistryClientConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO", RegistryClientConfig.BASIC_AUTH_USER_INFO, "meter:guess"));
    assertEquals(401, assertThrows(SchemaRegistryException.class, wrong::subjects).httpStatus());

    SchemaRegistryClient right = SchemaRegistryClient.fromConfig(Map.of(RegistryClientConfig.URL, server.url(),
        RegistryClientConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO", RegistryClientConfig.BASIC_AUTH_USER_INFO, "meter:s3cret-pw"));
    assertEquals(java.util.List.of(), right.subjects());
    assertFalse(right.toString().contains("s3cret"), right.toString());

    String withUserInfoInUrl = server.url().replace("http://", "http://meter:s3cret-pw@");
    SchemaRegistryClient fromUrl = SchemaRegistryClient.fromConfig(Map.of(RegistryClientConfig.URL, withUserInfoInUrl,
        RegistryClientConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "URL"));
    assertEquals(java.util.List.of(), fromUrl.subjects());
    assertFalse(fromUrl.toString().contains("s3cret"), fromUrl.toString());
  }

  @Test
  void bearerTokenIsRequiredWhenConfigured() {
    server = SchemaRegistryServer.start(new SchemaRepository(SchemaJournal.NONE, CompatibilityLevel.BACKWARD), 0,
        SchemaRegistryServer.Auth.bearer("tok-123"));
    assertEquals(401, assertThrows(SchemaRegistryException.class,
        () -> new SchemaRegistryClient(RegistryClientConfig.forUrl(server.url())).subjects()).httpStatus());
    SchemaRegistryClient client = SchemaRegistryClient.fromConfig(Map.of(RegistryClientConfig.URL, server.url(),
        RegistryClientConfig.BEARER_AUTH_CREDENTIALS_SOURCE, "STATIC_TOKEN", RegistryClientConfig.BEARER_AUTH_TOKEN, "tok-123"));
    assertEquals(java.util.List.of(), client.subjects());
  }
}
