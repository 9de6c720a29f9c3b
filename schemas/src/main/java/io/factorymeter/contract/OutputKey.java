package io.factorymeter.contract;

import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * Keys of the output topics (SPEC §4): plain UTF-8 strings whose parts are joined by {@code |},
 * instants as ISO-8601 UTC ({@code 2026-11-26T10:00:00Z}). Plain strings keep compaction working
 * across schema versions.
 */
public final class OutputKey {

  public static final String SEPARATOR = "|";
  /** Id of the whole fleet in {@code factory.metrics.fleet.1m} keys. */
  public static final String FLEET = "fleet";

  private OutputKey() {
  }

  /** {@code id|windowStart}, for node, cluster and fleet metrics. */
  public static String window(String id, Instant windowStart) {
    return id + SEPARATOR + iso(windowStart);
  }

  /** {@code tenantId|modelId|periodStart}, for billing lines. */
  public static String billing(String tenantId, String modelId, Instant periodStart) {
    return tenantId + SEPARATOR + modelId + SEPARATOR + iso(periodStart);
  }

  /** {@code nodeId|alertType|startTime}, for alerts. */
  public static String alert(String nodeId, String alertType, Instant startTime) {
    return nodeId + SEPARATOR + alertType + SEPARATOR + iso(startTime);
  }

  /** ISO-8601 UTC with seconds always shown and fractions only when present. */
  public static String iso(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant);
  }
}
