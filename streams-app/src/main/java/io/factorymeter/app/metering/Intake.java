package io.factorymeter.app.metering;

/** What the intake made of one input record. */
public sealed interface Intake {

  /** An invalid record: to the dead-letter topic with its original bytes and the reason. */
  record Rejected(byte[] original, SampleValidation.Violation violation) implements Intake {
  }

  /** A valid sample past the restatement horizon: to the late topic, whole. */
  record TooLate(byte[] original) implements Intake {
  }

  /**
   * A new valid sample, priced.
   *
   * @param forMetrics false when its metric window had closed (late for metrics; still billed)
   * @param firstOfNodeInWindow whether it is its node's first sample in its metric window
   */
  record Metered(PricedSample priced, boolean forMetrics, boolean firstOfNodeInWindow) implements Intake {
  }
}
