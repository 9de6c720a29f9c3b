package io.factorymeter.app.query;

import java.time.Duration;

/**
 * A view's own clock: the newest event time (window start, alert time) it has seen, which says
 * when it is time to purge: each time it has moved on by the purge interval since the last
 * purge (the first record purges at once). Kept per task on the heap; after a restart it starts
 * again from the records that come, which only delays a purge.
 */
final class ViewTime {

  private final long everyMs;
  private long newest = Long.MIN_VALUE;
  private long purgedAt = Long.MIN_VALUE;

  ViewTime(Duration every) {
    this.everyMs = every.toMillis();
  }

  /** The newest event time seen, epoch ms. */
  long newest() {
    return newest;
  }

  /**
   * Sees a record's event time, epoch ms; true when a purge is due up to it (then counted as done).
   * An older time changes nothing.
   */
  boolean advanceTo(long eventTime) {
    newest = Math.max(newest, eventTime);
    if (purgedAt == Long.MIN_VALUE || newest - purgedAt >= everyMs) {
      purgedAt = newest;
      return true;
    }
    return false;
  }
}
