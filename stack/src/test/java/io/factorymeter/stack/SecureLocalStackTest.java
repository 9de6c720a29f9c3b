package io.factorymeter.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factorymeter.registry.client.RegistryClientConfig;
import io.factorymeter.registry.client.SchemaRegistryClient;
import io.factorymeter.registry.client.SchemaRegistryException;
import io.factorymeter.stack.security.StackSecurity;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secured local stack in this JVM: SASL_SSL with SCRAM-SHA-512 for Kafka, HTTPS with Basic
 * authentication for the registry; clients without the right credentials are refused; the files
 * it makes are owner-only and reused on restart.
 */
class SecureLocalStackTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir
  static Path dir;
  private static LocalStack stack;

  @BeforeAll
  static void start() {
    stack = LocalStack.builder().dataDir(dir).secure(null, null).start();
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void theClientUserReachesKafkaOverSaslSsl() throws Exception {
    Map<String, Object> props = stack.clientProps();
    assertEquals("SASL_SSL", props.get("security.protocol"));
    try (Admin admin = Admin.create(kafkaOnly(props))) {
      admin.createTopics(List.of(new NewTopic("secure-check", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
      assertEquals(1, admin.describeTopics(List.of("secure-check")).allTopicNames().get(30, TimeUnit.SECONDS)
          .get("secure-check").partitions().size());
    }
  }

  @Test
  void kafkaRefusesAWrongPasswordAndPlaintext() {
    Map<String, Object> wrong = kafkaOnly(stack.clientProps());
    wrong.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + stack.security().clientUser() + "\" password=\"not-the-password\";");
    ExecutionException e = assertThrows(ExecutionException.class, () -> describe(wrong, 10));
    assertTrue(e.getCause() instanceof SaslAuthenticationException, e.getCause().toString());

    Map<String, Object> plaintext = new HashMap<>(Map.of("bootstrap.servers", stack.bootstrapServers()));
    assertThrows(Exception.class, () -> describe(plaintext, 3), "a PLAINTEXT client gets no answer");
  }

  @Test
  void theRegistryIsHttpsWithBasicAuth() throws Exception {
    assertTrue(stack.schemaRegistryUrl().startsWith("https://127.0.0.1:"));
    SchemaRegistryClient client = SchemaRegistryClient.fromConfig(stack.clientProps());
    Schema schema = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}");
    int id = client.register("secure-value", schema);
    assertEquals(schema, client.schemaById(id));

    // no credentials, wrong password: 401 with a Confluent error body
    SSLContext tls = RegistryClientConfig.from(stack.clientProps()).sslContext().orElseThrow();
    HttpClient http = HttpClient.newBuilder().sslContext(tls).build();
    for (String auth : new String[] {null, stack.security().clientUser() + ":wrong-password"}) {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.schemaRegistryUrl() + "/subjects"));
      if (auth != null) {
        request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(auth.getBytes()));
      }
      HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(401, answer.statusCode());
      JsonNode body = JSON.readTree(answer.body());
      assertEquals(401, body.get("error_code").asInt());
      assertTrue(body.hasNonNull("message"));
    }
    Map<String, Object> wrong = new HashMap<>(stack.clientProps());
    wrong.put("basic.auth.user.info", stack.security().clientUser() + ":wrong-password");
    SchemaRegistryException refused = assertThrows(SchemaRegistryException.class, () -> SchemaRegistryClient.fromConfig(wrong).subjects());
    assertEquals(401, refused.httpStatus());
    assertFalse(refused.getMessage().contains("wrong-password"), refused.getMessage());

    // without the stack's truststore the certificate is not trusted
    Map<String, Object> untrusted = new HashMap<>(stack.clientProps());
    untrusted.remove(RegistryClientConfig.SSL_TRUSTSTORE_LOCATION);
    untrusted.put(RegistryClientConfig.MAX_RETRIES, 0);
    assertTrue(assertThrows(SchemaRegistryException.class, () -> SchemaRegistryClient.fromConfig(untrusted).subjects()).isUnreachable());
  }

  @Test
  void theClientPropertiesFileHoldsEverySettingAndIsOwnerOnly() throws Exception {
    Path file = stack.clientPropertiesFile();
    assertEquals(dir.resolve("client.properties"), file);
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file)) {
      p.load(in);
    }
    Map<String, Object> expected = stack.clientProps();
    assertEquals(expected.keySet(), p.stringPropertyNames());
    expected.forEach((k, v) -> assertEquals(v.toString(), p.getProperty(k), k));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
        dir.resolve(StackSecurity.DIR).resolve(StackSecurity.CREDENTIALS))));
    assertTrue(Files.exists(stack.security().truststore()) && Files.exists(stack.security().caPem()));
    for (String secret : stack.security().secrets()) {
      assertFalse(stack.security().toString().contains(secret));
      assertFalse(RegistryClientConfig.from(expected).toString().contains(secret));
    }
    assertEquals(6, stack.security().secrets().size(), "six different passwords");
  }

  @Test
  void aSecuredDataDirectoryIsRefusedWithoutSecure() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> LocalStack.builder().dataDir(dir).start());
    assertTrue(e.getMessage().contains("--secure"), e.getMessage());
  }

  private static Map<String, Object> kafkaOnly(Map<String, Object> props) {
    Map<String, Object> p = new HashMap<>();
    props.forEach((k, v) -> {
      if (k.equals("bootstrap.servers") || k.startsWith("ssl.") || k.startsWith("sasl.") || k.equals("security.protocol")) {
        p.put(k, v);
      }
    });
    p.put("request.timeout.ms", 5_000);
    p.put("default.api.timeout.ms", 8_000);
    return p;
  }

  private static void describe(Map<String, Object> props, int seconds) throws Exception {
    Admin admin = Admin.create(props);
    try {
      admin.describeCluster().nodes().get(seconds, TimeUnit.SECONDS);
    } finally {
      admin.close(Duration.ofSeconds(1));
    }
  }
}
