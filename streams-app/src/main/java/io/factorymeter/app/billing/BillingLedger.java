package io.factorymeter.app.billing;

import io.factorymeter.app.CompactedTopic;
import io.factorymeter.schema.BillingLine;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The settled billing lines as a billing system sees them: the compacted billing topic read with
 * isolation.level=read_committed up to its end at the moment of reading, keeping the latest
 * record of each key (what compaction keeps: the latest revision).
 */
public final class BillingLedger {

  /** Lines of tenants and models, sorted by tenant, model, period. */
  public static final Comparator<BillingLine> INVOICE_ORDER = Comparator.comparing(BillingLine::getTenantId)
      .thenComparing(BillingLine::getModelId).thenComparing(BillingLine::getPeriodStart);

  private BillingLedger() {
  }

  /**
   * Reads the topic.
   *
   * @param from first period start included
   * @param to period starts before this are included
   * @param tenant only this tenant's lines, or null for all
   */
  public static List<BillingLine> read(Map<String, Object> clientProps, String topic, Instant from, Instant to, String tenant) {
    return CompactedTopic.latest(clientProps, topic, BillingLine.class).values().stream()
        .filter(l -> !l.getPeriodStart().isBefore(from) && l.getPeriodStart().isBefore(to))
        .filter(l -> tenant == null || tenant.equals(l.getTenantId()))
        .sorted(INVOICE_ORDER)
        .toList();
  }
}
