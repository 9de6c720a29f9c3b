package io.factorymeter.app.pricing;

import org.apache.kafka.streams.processor.internals.GlobalStreamThread;

/**
 * Whether the Kafka Streams global thread running the caller is being stopped. A price update
 * waiting for the schema registry asks this between waits, so that closing the application does
 * not wait for the registry.
 *
 * <p>Needed because closing Kafka Streams (4.3.1) does not interrupt the global thread:
 * {@code GlobalStreamThread#shutdown()} only sets its state to PENDING_SHUTDOWN (and releases a
 * start still waiting for it: GlobalStreamThread.java lines 478–480 of the 4.3.1 jar's line table),
 * then {@code KafkaStreams#close} joins it. {@code GlobalStreamThread} is an internal class; this
 * is the one place that uses it.
 */
final class GlobalThreadStopping {

  private GlobalThreadStopping() {
  }

  /** True on a global stream thread that is shutting down or dead; false on any other thread. */
  static boolean now() {
    if (Thread.currentThread() instanceof GlobalStreamThread global) {
      GlobalStreamThread.State state = global.state();
      return state == GlobalStreamThread.State.PENDING_SHUTDOWN || state == GlobalStreamThread.State.DEAD;
    }
    return false;
  }
}
