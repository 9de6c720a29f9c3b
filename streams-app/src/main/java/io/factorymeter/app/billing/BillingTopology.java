package io.factorymeter.app.billing;

import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.metering.Intake.Metered;
import io.factorymeter.app.metering.MeteringTopology.IntakeStreams;
import io.factorymeter.app.serde.AppSerdes;
import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.contract.OutputKey;
import io.factorymeter.schema.BillingLine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * The billing topology (SPEC §3, §4): every metered sample, also one late for metrics, is split
 * among its tenants and models ({@link Attribution}); the shares go, with the input partitions'
 * progress, through one repartition topic keyed tenant|model|period to {@link BillingPeriods},
 * which writes settled lines to {@code factory.billing.hourly}.
 */
public final class BillingTopology {

  private BillingTopology() {
  }

  public static void addBilling(IntakeStreams intake, MeteringConfig config, AppSerdes serdes) {
    double promptWeight = config.promptWeight();
    KStream<String, BillingEvent> shares = intake.metered().flatMap((node, m) -> contributions(m, promptWeight),
        Named.as("billing-shares"));
    KStream<String, BillingEvent> progress = intake.progress().map((node, p) -> KeyValue.pair("",
        (BillingEvent) new BillingEvent.Watermark(p.partition(), p.streamTime())), Named.as("billing-progress"));
    shares.merge(progress, Named.as("billing-events"))
        .repartition(Repartitioned.<String, BillingEvent>with(Serdes.String(), new BillingEventSerde())
            .withName("billing").withStreamPartitioner(new BillingPartitioner()))
        .process(BillingPeriods.supplier(config), Named.as("billing-periods"))
        .to(config.topics().name(FactoryTopic.BILLING_HOURLY),
            Produced.with(Serdes.String(), serdes.values(BillingLine.class)).withName("billing-lines"));
  }

  static List<KeyValue<String, BillingEvent>> contributions(Metered m, double promptWeight) {
    long ts = m.priced().sample().getTimestamp().toEpochMilli();
    long periodStart = MeteringConfig.billingPeriodStart(ts);
    List<KeyValue<String, BillingEvent>> out = new ArrayList<>();
    for (Attribution.Share share : Attribution.of(m.priced(), promptWeight)) {
      out.add(KeyValue.pair(OutputKey.billing(share.tenantId(), share.modelId(), Instant.ofEpochMilli(periodStart)),
          new BillingEvent.Contribution(share.tenantId(), share.modelId(), periodStart, share.amounts(), m.partition(),
              m.streamTime())));
    }
    return out;
  }
}
