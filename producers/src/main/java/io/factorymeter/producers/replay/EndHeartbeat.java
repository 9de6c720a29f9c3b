package io.factorymeter.producers.replay;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * The heartbeat that ends a replay (see the README, "Heartbeats"): none; at the latest sample's
 * timestamp, so that partitions the files did not touch move on too; or closing the latest
 * sample's billing hour: at the end of that hour plus the billing grace, the event time at which
 * the pipeline settles the hour's bill.
 *
 * @param kind which heartbeat
 * @param billingGrace the pipeline's billing grace ({@code factory.meter.billing.grace}), for {@link Kind#CLOSE_HOUR}
 * @param maxFutureSkew how far an event time may lie ahead of the record's timestamp (the producer's
 *     clock) before the pipeline dead-letters the heartbeat as FUTURE_TIMESTAMP ({@code factory.meter.max.future.skew})
 */
public record EndHeartbeat(Kind kind, Duration billingGrace, Duration maxFutureSkew) {

  /** Billing periods are hours (SPEC §4). */
  static final long BILLING_PERIOD_MS = Duration.ofHours(1).toMillis();

  /** Default of {@code factory.meter.billing.grace}. */
  public static final Duration DEFAULT_BILLING_GRACE = Duration.ofMinutes(10);
  /** Default of {@code factory.meter.max.future.skew}. */
  public static final Duration DEFAULT_MAX_FUTURE_SKEW = Duration.ofMinutes(5);

  /** Which heartbeat ends the replay. */
  public enum Kind { NONE, LATEST_SAMPLE, CLOSE_HOUR }

  public static EndHeartbeat none() {
    return none(DEFAULT_MAX_FUTURE_SKEW);
  }

  public static EndHeartbeat none(Duration maxFutureSkew) {
    return new EndHeartbeat(Kind.NONE, DEFAULT_BILLING_GRACE, maxFutureSkew);
  }

  public static EndHeartbeat atLatestSample() {
    return atLatestSample(DEFAULT_MAX_FUTURE_SKEW);
  }

  public static EndHeartbeat atLatestSample(Duration maxFutureSkew) {
    return new EndHeartbeat(Kind.LATEST_SAMPLE, DEFAULT_BILLING_GRACE, maxFutureSkew);
  }

  public static EndHeartbeat closingTheHour(Duration billingGrace, Duration maxFutureSkew) {
    return new EndHeartbeat(Kind.CLOSE_HOUR, billingGrace, maxFutureSkew);
  }

  /**
   * The heartbeat's event time, epoch milliseconds, after samples whose latest timestamp is
   * {@code latestSampleMs}; empty for {@link Kind#NONE}.
   */
  public OptionalLong eventTime(long latestSampleMs) {
    return switch (kind) {
      case NONE -> OptionalLong.empty();
      case LATEST_SAMPLE -> OptionalLong.of(latestSampleMs);
      case CLOSE_HOUR -> OptionalLong.of(Math.floorDiv(latestSampleMs, BILLING_PERIOD_MS) * BILLING_PERIOD_MS
          + BILLING_PERIOD_MS + billingGrace.toMillis());
    };
  }

  /**
   * Whether the pipeline takes an event time {@code eventTimeMs} (of a heartbeat or a sample) in a
   * record stamped {@code recordTimestampMs}, rather than dead-lettering it as FUTURE_TIMESTAMP.
   */
  public boolean acceptedAt(long eventTimeMs, long recordTimestampMs) {
    return eventTimeMs - recordTimestampMs <= maxFutureSkew.toMillis();
  }
}
