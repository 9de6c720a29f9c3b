package io.factorymeter.app.state;

import java.util.Map;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * A builder of a store of our own that never has a changelog nor a Kafka Streams record cache:
 * asking for either is a programming error named by {@code whyNoLog}, or ignored (caching).
 * Subclasses say how the store is built.
 *
 * @param <T> the store type
 */
public abstract class UnloggedStoreBuilder<T extends StateStore> implements StoreBuilder<T> {

  private final String name;
  private final String whyNoLog;

  /**
   * @param name the store's name
   * @param whyNoLog why the store has no changelog, the message of asking for one
   */
  protected UnloggedStoreBuilder(String name, String whyNoLog) {
    this.name = name;
    this.whyNoLog = whyNoLog;
  }

  @Override
  public final StoreBuilder<T> withCachingEnabled() {
    return this;   // such a store keeps on the heap what it needs; a record cache would only delay writes
  }

  @Override
  public final StoreBuilder<T> withCachingDisabled() {
    return this;
  }

  @Override
  public final StoreBuilder<T> withLoggingEnabled(Map<String, String> config) {
    throw new UnsupportedOperationException(whyNoLog);
  }

  @Override
  public final StoreBuilder<T> withLoggingDisabled() {
    return this;
  }

  @Override
  public final Map<String, String> logConfig() {
    return Map.of();
  }

  @Override
  public final boolean loggingEnabled() {
    return false;
  }

  @Override
  public final String name() {
    return name;
  }
}
