package io.factorymeter.app.metering;

/**
 * When a window is closed (SPEC §1): a window [start, start + window) is closed by a time once
 * {@code start + window + lag <= time}, with lag the grace (metric windows settle), or a longer
 * horizon (windows forgotten). One home for that boundary, for the partitions' stream time
 * ({@code PartitionSums}) and the rollup's watermark ({@code GroupMinutes}).
 */
public final class WindowClose {

  private WindowClose() {
  }

  /**
   * The start of the latest window that {@code time} has closed, epoch ms: every window starting at
   * or before it is closed, none after.
   *
   * @param time stream time or watermark, epoch ms
   * @param lagMs how long after its end a window stays open, ms (≥ 0)
   * @param windowMs the window's length, ms (&gt; 0); windows start at multiples of it
   */
  public static long lastClosedStart(long time, long lagMs, long windowMs) {
    return Math.floorDiv(time - lagMs - windowMs, windowMs) * windowMs;
  }
}
