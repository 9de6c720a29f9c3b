package io.factorymeter.app.ledger;

import io.factorymeter.app.CompactedTopic;
import io.factorymeter.schema.LedgerHour;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The intake ledger as an operator reads it ({@code factory.ledger.hourly}): the latest revision of
 * every partition × hour, read with read_committed up to the topic's end, and the rule every hour
 * must keep.
 */
public final class LedgerHours {

  /** By hour, then partition. */
  public static final Comparator<LedgerHour> ORDER = Comparator.comparing(LedgerHour::getPeriodStart)
      .thenComparing(LedgerHour::getTopic).thenComparingInt(LedgerHour::getPartition);

  private LedgerHours() {
  }

  /**
   * The hours whose start is in [{@code from}, {@code to}), in {@link #ORDER}.
   *
   * @throws IllegalArgumentException when the topic does not exist
   */
  public static List<LedgerHour> read(Map<String, Object> clientProps, String topic, Instant from, Instant to) {
    return CompactedTopic.latest(clientProps, topic, LedgerHour.class).values().stream()
        .filter(h -> !h.getPeriodStart().isBefore(from) && h.getPeriodStart().isBefore(to))
        .sorted(ORDER)
        .toList();
  }

  /**
   * Why the hour does not balance, or empty when it does: every record in is metered, a duplicate,
   * a dead letter or too late ({@code recordsIn = metered + duplicates + deadLetters + tooLate}),
   * and the dead letters by reason add up to the dead letters.
   */
  public static Optional<String> imbalance(LedgerHour h) {
    long outcomes = h.getMetered() + h.getDuplicates() + h.getDeadLetters() + h.getTooLate();
    if (h.getRecordsIn() != outcomes) {
      return Optional.of("records in " + h.getRecordsIn() + " != metered " + h.getMetered() + " + duplicates "
          + h.getDuplicates() + " + dead letters " + h.getDeadLetters() + " + too late " + h.getTooLate() + " = " + outcomes);
    }
    long byReason = h.getDeadLettersByReason().values().stream().mapToLong(Long::longValue).sum();
    if (byReason != h.getDeadLetters()) {
      return Optional.of("dead letters " + h.getDeadLetters() + " != " + byReason + ", their sum by reason");
    }
    return Optional.empty();
  }
}
