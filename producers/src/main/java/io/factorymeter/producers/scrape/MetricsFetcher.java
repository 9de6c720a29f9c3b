package io.factorymeter.producers.scrape;

import java.net.URI;
import java.util.concurrent.CompletableFuture;

/** Reads the text of a metrics endpoint. */
@FunctionalInterface
public interface MetricsFetcher {

  /**
   * Starts a GET of {@code uri}. The future completes with the body, or exceptionally on an HTTP
   * status other than 200, a timeout or an I/O error; it must complete within the fetcher's timeout.
   */
  CompletableFuture<String> fetch(URI uri);
}
