package io.factorymeter.registry.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client against a scripted HTTP server: retries, fail-over, error codes, credentials. */
class SchemaRegistryClientTest {

  private static final Schema PROBE = new Schema.Parser().parse(
      "{\"type\":\"record\",\"name\":\"Probe\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}");

  /** A server that answers each request with the next scripted (status, body) and records the requests. */
  private static final class ScriptedServer implements AutoCloseable {
    final HttpServer http;
    final Deque<Object[]> script = new ArrayDeque<>();
    final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());

    ScriptedServer() throws IOException {
      http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      http.createContext("/", this::answer);
      http.start();
    }

    ScriptedServer then(int status, String body) {
      script.add(new Object[] {status, body});
      return this;
    }

    String url() {
      return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    private void answer(HttpExchange exchange) throws IOException {
      requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
      authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
      Object[] next = script.isEmpty() ? new Object[] {500, "{\"error_code\":50001,\"message\":\"unscripted\"}"} : script.poll();
      byte[] body = ((String) next[1]).getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders((Integer) next[0], body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }

    @Override
    public void close() {
      http.stop(0);
    }
  }

  private final List<ScriptedServer> servers = new ArrayList<>();

  private ScriptedServer server() throws IOException {
    ScriptedServer s = new ScriptedServer();
    servers.add(s);
    return s;
  }

  @AfterEach
  void stop() {
    servers.forEach(ScriptedServer::close);
  }

  private static SchemaRegistryClient client(String urls, Object... extra) {
    Map<String, Object> props = new HashMap<>();
    props.put(RegistryClientConfig.URL, urls);
    props.put(RegistryClientConfig.MAX_RETRIES, 2);
    props.put(RegistryClientConfig.RETRIES_WAIT_MS, 10);
    for (int i = 0; i < extra.length; i += 2) {
      props.put((String) extra[i], extra[i + 1]);
    }
    return SchemaRegistryClient.fromConfig(props);
  }

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void retriesServerErrorsThenSucceeds() throws Exception {
    ScriptedServer s = server().then(503, "busy").then(500, "{\"error_code\":50001,\"message\":\"store\"}").then(200, "{\"id\":17}");
    assertEquals(17, client(s.url()).register("t-value", PROBE));
    assertEquals(3, s.requests.size());
    assertEquals("POST /subjects/t-value/versions", s.requests.get(0));
  }

  @Test
  void givesUpAfterMaxRetriesWithTheLastServerError() throws Exception {
    ScriptedServer s = server().then(503, "a").then(503, "b").then(503, "{\"error_code\":50003,\"message\":\"forwarding failed\"}");
    SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client(s.url()).subjects());
    assertEquals(503, e.httpStatus());
    assertEquals(50003, e.errorCode());
    assertEquals(3, s.requests.size(), "1 attempt + max.retries=2");
  }

  @Test
  void aDeleteIsNotRepeatedAfterAServerError() throws Exception {
    ScriptedServer s = server().then(503, "{\"error_code\":50003,\"message\":\"forwarding failed\"}").then(200, "[1]");
    SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client(s.url()).deleteSubject("x", false));
    assertEquals(503, e.httpStatus());
    assertEquals(List.of("DELETE /subjects/x"), s.requests);
  }

  @Test
  void aDeleteMovesOnFromARefusedConnection() throws Exception {
    ScriptedServer s = server().then(200, "[1, 2]");
    assertEquals(List.of(1, 2), client("http://127.0.0.1:" + closedPort() + "," + s.url()).deleteSubject("x", false));
    assertEquals(List.of("DELETE /subjects/x"), s.requests);
  }

  @Test
  void clientErrorsAreNotRetried() throws Exception {
    ScriptedServer s = server().then(404, "{\"error_code\":40401,\"message\":\"Subject 'x' not found.\"}");
    SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client(s.url()).latestVersion("x"));
    assertEquals(40401, e.errorCode());
    assertTrue(e.isNotFound());
    assertTrue(e.getMessage().contains("Subject 'x' not found."), e.getMessage());
    assertEquals(1, s.requests.size());
  }

  @Test
  void incompatibleIsRecognisedUnderBothConfluentCodes() throws Exception {
    ScriptedServer s = server()
        .then(409, "{\"error_code\":409,\"message\":\"incompatible\"}")
        .then(409, "{\"error_code\":40901,\"message\":\"incompatible\"}");
    SchemaRegistryClient c = client(s.url());
    assertTrue(assertThrows(SchemaRegistryException.class, () -> c.register("a", PROBE)).isIncompatible());
    assertTrue(assertThrows(SchemaRegistryException.class, () -> c.register("b", PROBE)).isIncompatible());
  }

  @Test
  void failsOverToTheNextUrlWhenOneIsUnreachable() throws Exception {
    ScriptedServer s = server().then(200, "[\"a-value\"]").then(200, "[\"b-value\"]");
    SchemaRegistryClient c = client("http://127.0.0.1:" + closedPort() + "," + s.url());
    assertEquals(List.of("a-value"), c.subjects());
    // the reachable URL is now preferred: no further detour
    assertEquals(List.of("b-value"), c.subjects());
    assertEquals(2, s.requests.size());
  }

  @Test
  void noReachableRegistryIsOneClearError() throws Exception {
    int port = closedPort();
    SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client("http://127.0.0.1:" + port).subjects());
    assertTrue(e.isUnreachable());
    assertTrue(e.getMessage().startsWith("No schema registry reachable at [http://127.0.0.1:" + port + "] after 3 attempt(s)"),
        e.getMessage());
  }

  @Test
  void answersAreCachedIdsForeverAndLatestPerTtl() throws Exception {
    ScriptedServer s = server()
        .then(200, "{\"id\":5}")
        .then(200, "{\"subject\":\"t-value\",\"version\":3,\"id\":5,\"schema\":" + quoted(PROBE.toString()) + "}");
    SchemaRegistryClient c = client(s.url());
    assertEquals(5, c.register("t-value", PROBE));
    assertEquals(5, c.register("t-value", PROBE));
    assertEquals(PROBE, c.schemaById(5), "known from the registration: no request");
    assertEquals(PROBE, c.schemaById(5));
    assertEquals(3, c.latestVersion("t-value").version());
    assertEquals(3, c.latestVersion("t-value").version());
    assertEquals(List.of("POST /subjects/t-value/versions", "GET /subjects/t-value/versions/latest"), s.requests);
  }

  @Test
  void basicAndBearerCredentialsAreSentButNeverShown() throws Exception {
    ScriptedServer s = server().then(200, "[]").then(200, "[]").then(401, "{\"error_code\":401,\"message\":\"Unauthorized\"}");
    SchemaRegistryClient basic = client(s.url(), RegistryClientConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO",
        RegistryClientConfig.BASIC_AUTH_USER_INFO, "alice:pa55word");
    basic.subjects();
    assertEquals("Basic YWxpY2U6cGE1NXdvcmQ=", s.authorizations.get(0));
    SchemaRegistryClient bearer = client(s.url(), RegistryClientConfig.BEARER_AUTH_CREDENTIALS_SOURCE, "STATIC_TOKEN",
        RegistryClientConfig.BEARER_AUTH_TOKEN, "tkn-xyz");
    bearer.subjects();
    assertEquals("Bearer tkn-xyz", s.authorizations.get(1));
    SchemaRegistryException e = assertThrows(SchemaRegistryException.class, basic::subjects);
    for (String shown : List.of(basic.toString(), bearer.toString(), e.getMessage())) {
      assertFalse(shown.contains("pa55word") || shown.contains("tkn-xyz"), shown);
    }
  }

  @Test
  void badConfigurationIsAConfigException() {
    assertThrows(ConfigException.class, () -> SchemaRegistryClient.fromConfig(Map.of()));
    assertThrows(ConfigException.class, () -> client("ftp://registry:21"));
    assertThrows(ConfigException.class, () -> client("http://h:1", RegistryClientConfig.BASIC_AUTH_USER_INFO, "no-colon"));
    assertThrows(ConfigException.class, () -> client("http://h:1", RegistryClientConfig.BEARER_AUTH_CREDENTIALS_SOURCE, "OAUTHBEARER"));
    ConfigException e = assertThrows(ConfigException.class, () -> client("http://bob:hunter2@h:1 x"));
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    ConfigException at = assertThrows(ConfigException.class, () -> client("http://bob:hun@ter2@h:1 x"));
    assertFalse(at.getMessage().contains("ter2"), at.getMessage());
  }

  @Test
  void redactHidesTheUserInfoOfEveryUrlWhateverThePasswordHolds() {
    assertEquals("http://***@h:1,https://***@g:2/api", RegistryClientConfig.redact("http://bob:p@ss@h:1,https://al:pa/ss@g:2/api"));
    assertEquals("http://h:1,http://g:2", RegistryClientConfig.redact("http://h:1,http://g:2"));
  }

  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
