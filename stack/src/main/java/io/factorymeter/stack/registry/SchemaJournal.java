package io.factorymeter.stack.registry;

import java.util.function.BiConsumer;

/**
 * Where a {@link SchemaRepository} keeps its changes so that it can rebuild its state after a
 * restart. Keys and values are JSON documents in the layout of Confluent's {@code _schemas} topic;
 * a {@code null} value removes the key.
 */
public interface SchemaJournal extends AutoCloseable {

  /** A journal that keeps nothing: the repository lives in memory only. */
  SchemaJournal NONE = new SchemaJournal() {
    @Override
    public void append(String key, String value) {
    }

    @Override
    public void replay(BiConsumer<String, String> apply) {
    }

    @Override
    public void close() {
    }
  };

  /** Stores one change durably before returning. */
  void append(String key, String value);

  /** Feeds every stored change, oldest first, to {@code apply(key, value)}. */
  void replay(BiConsumer<String, String> apply);

  @Override
  void close();
}
