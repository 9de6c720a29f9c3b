package io.factorymeter.app.state;

import java.util.function.LongSupplier;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorRecordContext;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A state store that holds nothing and runs its processor's write-back when the task commits, so
 * that values the processor keeps on the heap between commits ({@link WriteBehindStore}) reach
 * their logged stores in the same transaction as the input offsets they sum.
 *
 * <p>How: Kafka Streams flushes the record caches of a task's stores ({@code CachedStateStore#flushCache})
 * at the start of every commit of the task, before the producer is flushed and the offsets and the
 * transaction are committed (Kafka's {@code StreamTask#flush}, {@code prepareCommit}); also when a
 * task is suspended or closed cleanly, after its processors' {@code close}. This store is such a
 * cache and its flush is the write-back. {@code CachedStateStore} and the record context set for the
 * writes are Kafka Streams internals (as of 4.3.1); the tests that make the pipeline commit after
 * every record ({@code TopologyTestDriver}) and the crash and scale-out tests on a real broker
 * check that the values are in the stores at every commit.
 */
public final class CommitHook implements StateStore, CachedStateStore<Object, Object> {

  private final String name;
  private StateStoreContext context;
  private Runnable writeBack = () -> { };
  private LongSupplier timestamp = () -> 0L;
  private boolean open;

  private CommitHook(String name) {
    this.name = name;
  }

  /** A builder of the hook for {@code ProcessorSupplier#stores}: not logged, not persistent, nothing to restore. */
  public static StoreBuilder<CommitHook> builder(String name) {
    return new UnloggedStoreBuilder<>(name, "the commit hook " + name + " holds nothing to log") {
      @Override
      public CommitHook build() {
        return new CommitHook(name);
      }
    };
  }

  /**
   * Runs {@code writeBack} at every commit of the task from now on (the processor calls this in its
   * {@code init}; a re-initialised processor replaces its earlier write-back).
   *
   * @param timestamp the timestamp of the changelog records written, epoch ms (when no input
   *     record is at hand to take it from)
   */
  public void onCommit(Runnable writeBack, LongSupplier timestamp) {
    this.writeBack = writeBack;
    this.timestamp = timestamp;
  }

  @Override
  public void flushCache() {
    if (!(context instanceof InternalProcessorContext<?, ?> internal)) {
      writeBack.run();
      return;
    }
    // logged stores take the timestamp of their changelog records from the current record context,
    // which is the last record processed or punctuation run, or none yet
    ProcessorRecordContext current = internal.recordContext();
    if (current == null) {
      internal.setRecordContext(new ProcessorRecordContext(Math.max(0, timestamp.getAsLong()), -1, -1, null, new RecordHeaders()));
    }
    try {
      writeBack.run();
    } finally {
      if (current == null) {
        internal.setRecordContext(null);
      }
    }
  }

  @Override
  public void clearCache() {
    // nothing held here; a processor whose task is closed unclean is initialised again and reloads
  }

  @Override
  public boolean setFlushListener(CacheFlushListener<Object, Object> listener, boolean sendOldValues) {
    return false;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    this.context = context;
    context.register(root, (key, value) -> { });
    open = true;
  }

  @Override
  public void close() {
    open = false;
  }

  @Override
  public boolean persistent() {
    return false;
  }

  @Override
  public boolean isOpen() {
    return open;
  }
}
