package io.factorymeter.app;

import io.factorymeter.app.billing.BillingTopology;
import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.metering.MeteringTopology;
import io.factorymeter.app.rollup.RollupEvent;
import io.factorymeter.app.serde.AppSerdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.KStream;

/** The application's whole topology: intake, metrics and billing, built from one configuration. */
public final class FactoryTopology {

  private FactoryTopology() {
  }

  /** Pure: no I/O, everything from the arguments. */
  public static Topology build(MeteringConfig config, AppSerdes serdes) {
    StreamsBuilder builder = new StreamsBuilder();
    KStream<String, RollupEvent> rollup = MeteringTopology.addIntake(builder, config, serdes);
    MeteringTopology.addGroups(rollup, config, serdes);
    BillingTopology.addBilling(rollup, config, serdes);
    return builder.build();
  }
}
