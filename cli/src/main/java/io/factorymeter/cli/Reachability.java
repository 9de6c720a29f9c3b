package io.factorymeter.cli;

import io.factorymeter.app.MeteringApplication;
import io.factorymeter.registry.client.RegistryClientConfig;
import io.factorymeter.registry.client.SchemaRegistryClient;
import io.factorymeter.registry.client.SchemaRegistryException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;

/** Quick checks that Kafka and the schema registry answer, so that a command fails in seconds with one clear line. */
public final class Reachability {

  private static final int TIMEOUT_SECONDS = 10;

  private Reachability() {
  }

  /** Fails with a {@link UserError} unless both a broker and the schema registry answer. */
  public static void requireKafkaAndRegistry(Map<String, Object> props) {
    requireKafka(props);
    requireRegistry(props);
  }

  /** Fails with a {@link UserError} unless a broker answers within 10 s. */
  public static void requireKafka(Map<String, Object> props) {
    Map<String, Object> p = new HashMap<>(props);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_SECONDS * 1_000);
    String where = String.valueOf(props.get("bootstrap.servers"));
    try (Admin admin = Admin.create(MeteringApplication.adminProps(p))) {
      admin.describeCluster().nodes().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (KafkaException e) {
      throw new UserError("Cannot reach Kafka at " + where + ": " + e.getMessage());
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AuthenticationException refused) {
        // SASL (wrong user or password) or TLS (certificate not trusted): Kafka's message names neither secret
        throw new UserError("Kafka at " + where + " refused the connection: " + refused.getMessage()
            + " (check security.protocol, sasl.mechanism, sasl.jaas.config and ssl.truststore.location)");
      }
      throw new UserError("Cannot reach Kafka at " + where + ": no broker answered within " + TIMEOUT_SECONDS + " s");
    } catch (TimeoutException e) {
      throw new UserError("Cannot reach Kafka at " + where + ": no broker answered within " + TIMEOUT_SECONDS + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserError("Interrupted");
    }
  }

  /** Fails with a {@link UserError} unless the schema registry answers (and accepts the credentials). */
  public static void requireRegistry(Map<String, Object> props) {
    Map<String, Object> p = new HashMap<>(props);
    p.put(RegistryClientConfig.MAX_RETRIES, 0);
    p.put(RegistryClientConfig.CONNECT_TIMEOUT_MS, 5_000);
    p.put(RegistryClientConfig.READ_TIMEOUT_MS, TIMEOUT_SECONDS * 1_000);
    try {
      SchemaRegistryClient.fromConfig(p).subjects();
    } catch (SchemaRegistryException e) {
      throw new UserError(e.isUnreachable()
          ? "Cannot reach the schema registry at " + RegistryClientConfig.redact(String.valueOf(props.get("schema.registry.url")))
              + ": " + rootMessage(e) + (isTls(e) ? " (check schema.registry.ssl.truststore.location)" : "")
          : e.getMessage());
    } catch (org.apache.kafka.common.config.ConfigException e) {
      throw new UserError(e.getMessage());
    }
  }

  private static boolean isTls(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof javax.net.ssl.SSLException || t instanceof java.security.cert.CertificateException
          || t instanceof java.security.GeneralSecurityException) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + " " + t.getMessage();
  }
}
