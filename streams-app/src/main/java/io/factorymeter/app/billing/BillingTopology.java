package io.factorymeter.app.billing;

import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.query.QueryStores;
import io.factorymeter.app.query.WindowView;
import io.factorymeter.contract.OutputKey;
import io.factorymeter.app.rollup.RollupEvent;
import io.factorymeter.app.serde.AppSerdes;
import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.schema.BillingLine;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The billing topology (SPEC §3, §4): each input partition's intake splits every metered sample,
 * also one late for metrics, among its tenants and models ({@link Attribution}) and sends the
 * sums per tenant, model, period and batch through the rollup topic, with each partition's
 * progress, to {@link BillingPeriods}, which writes settled lines to {@code factory.billing.hourly}.
 */
public final class BillingTopology {

  private BillingTopology() {
  }

  /** Adds billing to the rollup stream of {@code MeteringTopology#addIntake}. */
  public static void addBilling(KStream<String, RollupEvent> rollup, MeteringConfig config, AppSerdes serdes) {
    rollup.filter((k, e) -> e instanceof RollupEvent.BillingDelta || e instanceof RollupEvent.Watermark, Named.as("billing-events"))
        .process(BillingPeriods.supplier(config), Named.as("billing-periods"))
        .processValues(new WindowView<>(QueryStores.BILLING_LINES, null, BillingLine.class,
            l -> l.getTenantId() + OutputKey.SEPARATOR + l.getModelId(), l -> l.getPeriodStart().toEpochMilli(),
            config.queryRetention(), MeteringConfig.BILLING_PERIOD, l -> true), Named.as("billing-lines-view"))
        .to(config.topics().name(FactoryTopic.BILLING_HOURLY),
            Produced.with(Serdes.String(), serdes.values(BillingLine.class)).withName("billing-lines"));
  }
}
