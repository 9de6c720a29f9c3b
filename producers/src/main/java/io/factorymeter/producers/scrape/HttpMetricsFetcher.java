package io.factorymeter.producers.scrape;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Fetches metrics over HTTP/1.1 with {@link HttpClient}, asking for the text format 0.0.4. The
 * timeout bounds connecting and the whole exchange; any status but 200 is a failure.
 */
public final class HttpMetricsFetcher implements MetricsFetcher {

  static final String ACCEPT = "text/plain;version=0.0.4;q=1,*/*;q=0.1";

  private final HttpClient client;
  private final Duration timeout;

  public HttpMetricsFetcher(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    this.timeout = timeout;
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NORMAL).build();
  }

  @Override
  public CompletableFuture<String> fetch(URI uri) {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", ACCEPT).GET().build();
    return client.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).thenApply(response -> {
      if (response.statusCode() != 200) {
        throw new CompletionException(new IOException("HTTP " + response.statusCode()));
      }
      return response.body();
    });
  }
}
