package io.factorymeter.app.metering;

import io.factorymeter.app.deadletter.DeadLetter;
import io.factorymeter.app.rollup.RollupEvent;
import io.factorymeter.schema.Alert;
import io.factorymeter.schema.LedgerHour;

/** What the intake sends on (SPEC §1, §4): dead letters, late samples, node figures, alerts, ledger hours and rollup events. */
public sealed interface Intake {

  /** An invalid record: to the dead-letter topic with its original bytes and the reason. */
  record Rejected(DeadLetter deadLetter) implements Intake {
  }

  /** A valid sample past the restatement horizon: to the late topic, whole. */
  record TooLate(DeadLetter deadLetter) implements Intake {
  }

  /**
   * A node's sums for a metric window so far (partial) or settled (its grace has passed on the
   * partition).
   *
   * @param windowStart start of the window, epoch ms
   * @param settled whether the window's grace has passed: the last record of the window
   */
  record NodeMinute(String nodeId, long windowStart, WindowFigures figures, boolean settled) implements Intake {
  }

  /** Sums for the cluster, fleet and billing rollups, or the partition's progress. */
  record Rollup(RollupEvent event) implements Intake {
  }

  /** An alert opened or resolved ({@link NodeAlerts}): to the alerts topic, key nodeId|alertType|startTime. */
  record Alerted(Alert alert) implements Intake {
  }

  /** A closed or restated hour of the partition's intake ledger: to the ledger topic, key partition|periodStart. */
  record Ledgered(LedgerHour hour) implements Intake {
  }
}
