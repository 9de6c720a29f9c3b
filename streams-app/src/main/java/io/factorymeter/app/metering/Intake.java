package io.factorymeter.app.metering;

import io.factorymeter.app.deadletter.DeadLetter;

/** What the intake made of one input record (SPEC §1). */
public sealed interface Intake {

  /** An invalid record: to the dead-letter topic with its original bytes and the reason. */
  record Rejected(DeadLetter deadLetter) implements Intake {
  }

  /** A valid sample past the restatement horizon: to the late topic, whole. */
  record TooLate(DeadLetter deadLetter) implements Intake {
  }

  /**
   * A new valid sample, priced.
   *
   * @param forMetrics false when its node's metric window had closed (late for metrics; still in
   *     the cluster and fleet windows and billed)
   * @param firstOfNodeInWindow whether it is its node's first sample in its metric window
   * @param partition the input partition it came from
   * @param streamTime that partition's stream time after it (epoch ms)
   */
  record Metered(PricedSample priced, boolean forMetrics, boolean firstOfNodeInWindow, int partition, long streamTime)
      implements Intake {
  }

  /** The input partition's stream time advanced (a heartbeat, or a window's worth of samples). */
  record Progress(int partition, long streamTime) implements Intake {
  }
}
