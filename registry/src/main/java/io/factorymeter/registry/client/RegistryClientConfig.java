package io.factorymeter.registry.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigException;

/**
 * Connection settings of a {@link SchemaRegistryClient}, read from the same keys Confluent's
 * clients use, so one properties file serves both.
 *
 * <ul>
 *   <li>{@code schema.registry.url}: one or more base URLs, comma-separated; the client fails over
 *       between them.
 *   <li>{@code basic.auth.credentials.source}: {@code USER_INFO} (default when
 *       {@code basic.auth.user.info} is set) or {@code URL} (user info taken from the URL).
 *   <li>{@code basic.auth.user.info} (alias {@code schema.registry.basic.auth.user.info}):
 *       {@code user:password}.
 *   <li>{@code bearer.auth.credentials.source}: {@code STATIC_TOKEN}, with {@code bearer.auth.token}.
 *   <li>{@code http.connect.timeout.ms}, {@code http.read.timeout.ms}: default 60,000 ms.
 *   <li>{@code max.retries} (default 3), {@code retries.wait.ms} (default 1,000 ms, doubled per
 *       attempt), {@code retries.max.wait.ms} (default 20,000 ms): retries on HTTP 5xx and on
 *       connection errors; 4xx answers are never retried.
 *   <li>{@code latest.cache.ttl.sec}: how long a "latest version" answer is cached, seconds;
 *       -1 (default) caches it until the client is closed.
 *   <li>{@code schema.registry.ssl.truststore.location}, {@code .password}, {@code .type}
 *       (default {@code JKS}; {@code PKCS12} too): the certificates an {@code https://} registry is
 *       trusted by, instead of the JDK's; {@code schema.registry.ssl.keystore.location},
 *       {@code .password}, {@code .type}, {@code schema.registry.ssl.key.password}: a client
 *       certificate, for registries that require one. The host name is always verified.
 * </ul>
 *
 * <p>{@link #toString()} never shows credentials.
 */
public final class RegistryClientConfig {

  public static final String URL = "schema.registry.url";
  public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
  public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
  public static final String SR_BASIC_AUTH_USER_INFO = "schema.registry.basic.auth.user.info";
  public static final String BEARER_AUTH_CREDENTIALS_SOURCE = "bearer.auth.credentials.source";
  public static final String BEARER_AUTH_TOKEN = "bearer.auth.token";
  public static final String CONNECT_TIMEOUT_MS = "http.connect.timeout.ms";
  public static final String READ_TIMEOUT_MS = "http.read.timeout.ms";
  public static final String MAX_RETRIES = "max.retries";
  public static final String RETRIES_WAIT_MS = "retries.wait.ms";
  public static final String RETRIES_MAX_WAIT_MS = "retries.max.wait.ms";
  public static final String LATEST_CACHE_TTL_SEC = "latest.cache.ttl.sec";
  public static final String SSL_TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
  public static final String SSL_TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
  public static final String SSL_TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
  public static final String SSL_KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
  public static final String SSL_KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
  public static final String SSL_KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
  public static final String SSL_KEY_PASSWORD = "schema.registry.ssl.key.password";

  private final List<URI> urls;
  private final String authorizationHeader;
  private final String authKind;
  private final Duration connectTimeout;
  private final Duration readTimeout;
  private final int maxRetries;
  private final long retryWaitMs;
  private final long retryMaxWaitMs;
  private final long latestCacheTtlSec;
  private final SSLContext sslContext;

  private RegistryClientConfig(Map<String, ?> props) {
    Object urlValue = props.get(URL);
    if (urlValue == null || urlValue.toString().isBlank()) {
      throw new ConfigException("Missing required configuration \"" + URL + "\"");
    }
    List<URI> parsed = new ArrayList<>();
    String userInfoFromUrl = null;
    for (String raw : urlValue.toString().split(",")) {
      String trimmed = raw.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      URI uri = parseUrl(trimmed);
      if (uri.getUserInfo() != null && userInfoFromUrl == null) {
        userInfoFromUrl = uri.getUserInfo();
      }
      parsed.add(withoutUserInfo(uri));
    }
    if (parsed.isEmpty()) {
      throw new ConfigException("Configuration \"" + URL + "\" names no URL");
    }
    this.urls = List.copyOf(parsed);

    String userInfo = string(props, BASIC_AUTH_USER_INFO).or(() -> string(props, SR_BASIC_AUTH_USER_INFO)).orElse(null);
    String basicSource = string(props, BASIC_AUTH_CREDENTIALS_SOURCE).map(s -> s.toUpperCase(Locale.ROOT)).orElse(null);
    String bearerSource = string(props, BEARER_AUTH_CREDENTIALS_SOURCE).map(s -> s.toUpperCase(Locale.ROOT)).orElse(null);
    String token = string(props, BEARER_AUTH_TOKEN).orElse(null);

    if (bearerSource != null || (token != null && basicSource == null && userInfo == null)) {
      if (bearerSource != null && !bearerSource.equals("STATIC_TOKEN")) {
        throw new ConfigException(BEARER_AUTH_CREDENTIALS_SOURCE + " '" + bearerSource
            + "' is not supported; use STATIC_TOKEN");
      }
      if (token == null) {
        throw new ConfigException(BEARER_AUTH_CREDENTIALS_SOURCE + "=STATIC_TOKEN needs " + BEARER_AUTH_TOKEN);
      }
      this.authorizationHeader = "Bearer " + token;
      this.authKind = "bearer";
    } else if ("URL".equals(basicSource)) {
      if (userInfoFromUrl == null) {
        throw new ConfigException(BASIC_AUTH_CREDENTIALS_SOURCE + "=URL but " + URL + " carries no user info");
      }
      this.authorizationHeader = basic(userInfoFromUrl);
      this.authKind = "basic";
    } else if (basicSource == null || basicSource.equals("USER_INFO") || basicSource.equals("SASL_INHERIT")) {
      if (basicSource != null && basicSource.equals("SASL_INHERIT")) {
        throw new ConfigException(BASIC_AUTH_CREDENTIALS_SOURCE + "=SASL_INHERIT is not supported; use USER_INFO");
      }
      if (userInfo != null && !userInfo.isEmpty()) {
        if (!userInfo.contains(":")) {
          throw new ConfigException(BASIC_AUTH_USER_INFO + " must have the form user:password");
        }
        this.authorizationHeader = basic(userInfo);
        this.authKind = "basic";
      } else if ("USER_INFO".equals(basicSource)) {
        throw new ConfigException(BASIC_AUTH_CREDENTIALS_SOURCE + "=USER_INFO needs " + BASIC_AUTH_USER_INFO);
      } else if (userInfoFromUrl != null) {
        this.authorizationHeader = basic(userInfoFromUrl);
        this.authKind = "basic";
      } else {
        this.authorizationHeader = null;
        this.authKind = "none";
      }
    } else {
      throw new ConfigException(BASIC_AUTH_CREDENTIALS_SOURCE + " '" + basicSource
          + "' is not supported; use USER_INFO or URL");
    }

    this.connectTimeout = Duration.ofMillis(longValue(props, CONNECT_TIMEOUT_MS, 60_000));
    this.readTimeout = Duration.ofMillis(longValue(props, READ_TIMEOUT_MS, 60_000));
    this.maxRetries = (int) longValue(props, MAX_RETRIES, 3);
    this.retryWaitMs = longValue(props, RETRIES_WAIT_MS, 1_000);
    this.retryMaxWaitMs = longValue(props, RETRIES_MAX_WAIT_MS, 20_000);
    this.latestCacheTtlSec = longValue(props, LATEST_CACHE_TTL_SEC, -1);
    this.sslContext = sslContext(props);
    if (maxRetries < 0 || retryWaitMs < 0 || retryMaxWaitMs < 0) {
      throw new ConfigException(MAX_RETRIES + ", " + RETRIES_WAIT_MS + " and " + RETRIES_MAX_WAIT_MS + " must not be negative");
    }
  }

  /** Reads the client settings out of a Kafka-style configuration map; other keys are ignored. */
  public static RegistryClientConfig from(Map<String, ?> props) {
    return new RegistryClientConfig(props);
  }

  /** A configuration with only a URL (or a comma-separated list of URLs). */
  public static RegistryClientConfig forUrl(String url) {
    return from(Map.of(URL, url));
  }

  public List<URI> urls() {
    return urls;
  }

  /** The value of the HTTP Authorization header, or empty when no credentials are configured. */
  Optional<String> authorizationHeader() {
    return Optional.ofNullable(authorizationHeader);
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public Duration readTimeout() {
    return readTimeout;
  }

  public int maxRetries() {
    return maxRetries;
  }

  public long retryWaitMs() {
    return retryWaitMs;
  }

  public long retryMaxWaitMs() {
    return retryMaxWaitMs;
  }

  public long latestCacheTtlSec() {
    return latestCacheTtlSec;
  }

  /** The TLS context of the {@code schema.registry.ssl.*} settings, or empty for the JDK's default. */
  public Optional<SSLContext> sslContext() {
    return Optional.ofNullable(sslContext);
  }

  @Override
  public String toString() {
    return "RegistryClientConfig{urls=" + urls + ", auth=" + authKind + ", tls=" + (sslContext == null ? "default" : "configured")
        + ", maxRetries=" + maxRetries + "}";
  }

  private static URI parseUrl(String raw) {
    try {
      URI uri = new URI(raw);
      if (uri.getScheme() == null || uri.getHost() == null
          || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))) {
        throw new ConfigException("Invalid " + URL + " '" + redact(raw) + "': expected http://host:port or https://host:port");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new ConfigException("Invalid " + URL + " '" + redact(raw) + "': " + e.getReason());
    }
  }

  private static URI withoutUserInfo(URI uri) {
    try {
      String path = uri.getRawPath() == null ? "" : uri.getRawPath();
      while (path.endsWith("/")) {
        path = path.substring(0, path.length() - 1);
      }
      return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), null, null, null)
          .resolve(path.isEmpty() ? "" : path);
    } catch (URISyntaxException e) {
      throw new ConfigException("Invalid " + URL + ": " + e.getReason());
    }
  }

  /**
   * A {@value #URL} value (one URL or a comma-separated list) that can be shown: the user info of
   * each URL, up to its last {@code @} (a password may hold {@code @} or {@code /}), becomes
   * {@code ***}.
   */
  public static String redact(String urls) {
    return Arrays.stream(urls.split(",", -1))
        .map(url -> url.replaceFirst("//.*@", "//***@"))
        .collect(Collectors.joining(","));
  }

  private static SSLContext sslContext(Map<String, ?> props) {
    Optional<String> trustLocation = string(props, SSL_TRUSTSTORE_LOCATION);
    Optional<String> keyLocation = string(props, SSL_KEYSTORE_LOCATION);
    if (trustLocation.isEmpty() && keyLocation.isEmpty()) {
      return null;
    }
    try {
      TrustManager[] trust = null;
      if (trustLocation.isPresent()) {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(keyStore(trustLocation.get(), string(props, SSL_TRUSTSTORE_TYPE).orElse("JKS"),
            string(props, SSL_TRUSTSTORE_PASSWORD).orElse(null), SSL_TRUSTSTORE_LOCATION));
        trust = tmf.getTrustManagers();
      }
      KeyManager[] keys = null;
      if (keyLocation.isPresent()) {
        String storePassword = string(props, SSL_KEYSTORE_PASSWORD).orElse(null);
        String keyPassword = string(props, SSL_KEY_PASSWORD).orElse(storePassword);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore(keyLocation.get(), string(props, SSL_KEYSTORE_TYPE).orElse("JKS"), storePassword, SSL_KEYSTORE_LOCATION),
            keyPassword == null ? null : keyPassword.toCharArray());
        keys = kmf.getKeyManagers();
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys, trust, null);
      return context;
    } catch (GeneralSecurityException e) {
      // the exception's own message is not shown: it may quote what it could not use
      throw new ConfigException("Cannot use the schema.registry.ssl.* settings: " + e.getClass().getSimpleName());
    }
  }

  private static KeyStore keyStore(String location, String type, String password, String key) throws GeneralSecurityException {
    try (InputStream in = Files.newInputStream(Path.of(location))) {
      KeyStore store = KeyStore.getInstance(type.trim());
      store.load(in, password == null ? null : password.toCharArray());
      return store;
    } catch (IOException e) {
      // a wrong password shows as an IOException whose cause is an UnrecoverableKeyException
      throw new ConfigException("Cannot read " + key + " " + location + (e.getCause() instanceof java.security.UnrecoverableKeyException
          ? ": wrong password" : ": " + e.getClass().getSimpleName() + (e instanceof java.nio.file.NoSuchFileException ? " (no such file)" : "")));
    }
  }

  private static String basic(String userInfo) {
    return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static Optional<String> string(Map<String, ?> props, String key) {
    Object v = props.get(key);
    if (v == null) {
      return Optional.empty();
    }
    String s = v instanceof org.apache.kafka.common.config.types.Password p ? p.value() : v.toString();
    return s.isEmpty() ? Optional.empty() : Optional.of(s);
  }

  private static long longValue(Map<String, ?> props, String key, long defaultValue) {
    Object v = props.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof Number n) {
      return n.longValue();
    }
    try {
      return Long.parseLong(v.toString().trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key, v, "expected a whole number");
    }
  }
}
