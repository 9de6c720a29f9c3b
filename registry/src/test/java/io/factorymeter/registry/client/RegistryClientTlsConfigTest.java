package io.factorymeter.registry.client;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Confluent's {@code schema.registry.ssl.*} keys: a truststore is read, and failures name the file, never the password. */
class RegistryClientTlsConfigTest {

  private static Path store(Path dir, String password) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    Path file = dir.resolve("trust.p12");
    try (OutputStream out = Files.newOutputStream(file)) {
      ks.store(out, password.toCharArray());
    }
    return file;
  }

  @Test
  void aTruststoreMakesATlsContext(@TempDir Path dir) throws Exception {
    Path file = store(dir, "store-secret-1");
    RegistryClientConfig config = RegistryClientConfig.from(Map.of(RegistryClientConfig.URL, "https://127.0.0.1:1",
        RegistryClientConfig.SSL_TRUSTSTORE_LOCATION, file.toString(), RegistryClientConfig.SSL_TRUSTSTORE_PASSWORD, "store-secret-1",
        RegistryClientConfig.SSL_TRUSTSTORE_TYPE, "PKCS12"));
    assertTrue(config.sslContext().isPresent());
    assertFalse(config.toString().contains("store-secret-1"), config.toString());
    assertTrue(RegistryClientConfig.forUrl("https://127.0.0.1:1").sslContext().isEmpty(), "the JDK's trust by default");
  }

  @Test
  void aWrongPasswordOrAMissingFileIsOneClearErrorWithoutThePassword(@TempDir Path dir) throws Exception {
    Path file = store(dir, "store-secret-1");
    ConfigException wrong = assertThrows(ConfigException.class, () -> RegistryClientConfig.from(Map.of(
        RegistryClientConfig.URL, "https://127.0.0.1:1", RegistryClientConfig.SSL_TRUSTSTORE_LOCATION, file.toString(),
        RegistryClientConfig.SSL_TRUSTSTORE_PASSWORD, "guessed-secret-2", RegistryClientConfig.SSL_TRUSTSTORE_TYPE, "PKCS12")));
    assertTrue(wrong.getMessage().contains(file.toString()) && wrong.getMessage().contains("wrong password"), wrong.getMessage());
    assertFalse(wrong.getMessage().contains("guessed-secret-2"));
    ConfigException missing = assertThrows(ConfigException.class, () -> RegistryClientConfig.from(Map.of(
        RegistryClientConfig.URL, "https://127.0.0.1:1", RegistryClientConfig.SSL_TRUSTSTORE_LOCATION, dir.resolve("none.p12").toString(),
        RegistryClientConfig.SSL_TRUSTSTORE_PASSWORD, "guessed-secret-2")));
    assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());
    assertFalse(missing.getMessage().contains("guessed-secret-2"));
  }
}
