package io.factorymeter.app.metering;

import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.metering.Intake.Alerted;
import io.factorymeter.app.metering.Intake.Ledgered;
import io.factorymeter.app.metering.Intake.NodeMinute;
import io.factorymeter.app.metering.Intake.Rejected;
import io.factorymeter.app.metering.Intake.Rollup;
import io.factorymeter.app.metering.Intake.TooLate;
import io.factorymeter.app.pricing.PriceHistory;
import io.factorymeter.app.query.AlertView;
import io.factorymeter.app.query.QueryStores;
import io.factorymeter.app.query.WindowView;
import io.factorymeter.app.rollup.GroupMinutes;
import io.factorymeter.app.rollup.RollupEvent;
import io.factorymeter.app.rollup.RollupEventSerde;
import io.factorymeter.app.rollup.RollupPartitioner;
import io.factorymeter.app.serde.AppSerdes;
import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.contract.OutputKey;
import io.factorymeter.schema.Alert;
import io.factorymeter.schema.ClusterMetrics;
import io.factorymeter.schema.FleetMetrics;
import io.factorymeter.schema.LedgerHour;
import io.factorymeter.schema.NodeMetrics;
import io.factorymeter.schema.NodeSample;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * The metering topology (SPEC §1, §2, §4): telemetry in; dead letters, too-late samples and
 * node, cluster and fleet figures per window out.
 *
 * <pre>
 * factory.telemetry (bytes) ─ intake, per input partition: decode, validate, late?, dedup, price, sum
 *   ├─ dead letters, late samples ───────────────────────────────────► factory.telemetry.dlq / .late
 *   ├─ node windows (partial at each flush, settled after grace) ─────► factory.metrics.node.1m
 *   ├─ alerts opened and resolved (NodeAlerts) ───────────────────────► factory.alerts
 *   ├─ intake ledger: records in and their outcomes per hour ─────────► factory.ledger.hourly
 *   │    (these and every output below pass a view: WindowView / AlertView keep them for the query API)
 *   └─ cluster, fleet and billing deltas + each partition's progress ─► rollup (one repartition topic)
 *        ├─ GroupMinutes: cluster and fleet windows ──────────────────► factory.metrics.{cluster,fleet}.1m
 *        │    └─ ClusterAlerts: final cluster windows, low coverage ──► factory.alerts
 *        └─ BillingPeriods ────────────────────────────────────────────► factory.billing.hourly (BillingTopology)
 * </pre>
 *
 * <p>The intake sums per partition ({@code PartitionSums}), so one record goes to the rollup topic
 * per partition, group or billing key and flush, not one per sample: the work on a sample happens
 * once, where it is read. Node windows take the samples still open for metrics; cluster and fleet
 * windows take every metered sample, as billing does, so for every hour the billing lines add up to
 * the fleet also after late data (SPEC §3). Prices come from two global stores of every price
 * version (see {@link PriceHistory}).
 */
public final class MeteringTopology {

  private MeteringTopology() {
  }

  /** Builds the metering topology alone (billing is {@code BillingTopology}); pure: no I/O, everything from the arguments. */
  public static Topology build(MeteringConfig config, AppSerdes serdes) {
    StreamsBuilder builder = new StreamsBuilder();
    addGroups(addIntake(builder, config, serdes), config, serdes);
    return builder.build();
  }

  /**
   * Adds price stores, the intake, and the dead-letter, late and node metric outputs to a
   * builder; returns the rollup stream (repartitioned by group or billing key, progress to every
   * partition).
   */
  public static KStream<String, RollupEvent> addIntake(StreamsBuilder builder, MeteringConfig config, AppSerdes serdes) {
    PriceHistory.addGlobalStores(builder, config, serdes);
    KStream<String, byte[]> telemetry = builder.stream(config.topics().telemetry(),
        Consumed.with(TelemetryKeySerde.serde(), Serdes.ByteArray()).withTimestampExtractor(new TelemetryTimestampExtractor())
            .withName("telemetry"));
    KStream<String, Intake> intake = telemetry.process(SampleIntake.supplier(config, serdes.values(NodeSample.class).deserializer()),
        Named.as("intake"));

    Map<String, KStream<String, Intake>> outcomes = intake.split(Named.as("intake-"))
        .branch((k, v) -> v instanceof Rejected, Branched.as("rejected"))
        .branch((k, v) -> v instanceof TooLate, Branched.as("late"))
        .branch((k, v) -> v instanceof NodeMinute, Branched.as("node"))
        .branch((k, v) -> v instanceof Alerted, Branched.as("alert"))
        .branch((k, v) -> v instanceof Ledgered, Branched.as("ledger"))
        .defaultBranch(Branched.as("rollup"));
    outcomes.get("intake-rejected")
        .map((k, v) -> KeyValue.pair(((Rejected) v).deadLetter().key(), ((Rejected) v).deadLetter().value()),
            Named.as("dead-letter-bytes"))
        .to(config.topics().name(FactoryTopic.TELEMETRY_DLQ), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("dead-letters"));
    outcomes.get("intake-late")
        .map((k, v) -> KeyValue.pair(((TooLate) v).deadLetter().key(), ((TooLate) v).deadLetter().value()),
            Named.as("late-bytes"))
        .to(config.topics().name(FactoryTopic.TELEMETRY_LATE), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("late-samples"));
    long windowMs = config.window().toMillis();
    String currency = config.currency();
    outcomes.get("intake-node")
        .mapValues(v -> {
          NodeMinute n = (NodeMinute) v;
          return new MetricFigures(n.figures(), Instant.ofEpochMilli(n.windowStart()), windowMs).toNodeMetrics(n.nodeId(), currency, n.settled());
        }, Named.as("node-metrics"))
        .processValues(new WindowView<>(QueryStores.NODE_WINDOWS, QueryStores.NODE_LATEST, NodeMetrics.class,
            NodeMetrics::getNodeId, m -> m.getWindowStart().toEpochMilli(), config.queryRetention(), config.window(),
            NodeMetrics::getIsFinal), Named.as("node-metrics-view"))
        .to(config.topics().name(FactoryTopic.NODE_METRICS),
            Produced.with(Serdes.String(), serdes.values(NodeMetrics.class)).withName("node-metrics-out"));
    outcomes.get("intake-alert")
        .mapValues(v -> ((Alerted) v).alert(), Named.as("alerts"))
        .processValues(new AlertView(QueryStores.NODE_ALERTS, config.queryRetention()), Named.as("node-alerts-view"))
        .to(config.topics().name(FactoryTopic.ALERTS), Produced.with(Serdes.String(), serdes.values(Alert.class)).withName("alerts-out"));
    outcomes.get("intake-ledger")
        .mapValues(v -> ((Ledgered) v).hour(), Named.as("ledger-hours"))
        .to(config.topics().name(FactoryTopic.LEDGER_HOURLY),
            Produced.with(Serdes.String(), serdes.values(LedgerHour.class)).withName("ledger-out"));
    return outcomes.get("intake-rollup")
        .mapValues(v -> ((Rollup) v).event(), Named.as("rollup-events"))
        .repartition(Repartitioned.<String, RollupEvent>with(Serdes.String(), new RollupEventSerde())
            .withName("rollup").withStreamPartitioner(new RollupPartitioner()));
  }

  /** Adds the cluster and fleet windows, their output topics and the cluster coverage alerts. */
  public static void addGroups(KStream<String, RollupEvent> rollup, MeteringConfig config, AppSerdes serdes) {
    long windowMs = config.window().toMillis();
    String currency = config.currency();
    KStream<String, GroupMinutes.Figures> groups = rollup
        .filter((k, e) -> e instanceof RollupEvent.GroupDelta || e instanceof RollupEvent.Watermark, Named.as("group-events"))
        .process(GroupMinutes.supplier(config), Named.as("group-windows"));
    groups.filter((k, g) -> g.group() == RollupEvent.Group.CLUSTER, Named.as("clusters"))
        .map((k, g) -> KeyValue.pair(OutputKey.window(g.groupId(), Instant.ofEpochMilli(g.windowStart())),
            new MetricFigures(g.figures(), Instant.ofEpochMilli(g.windowStart()), windowMs).toClusterMetrics(g.groupId(), currency, g.isFinal())),
            Named.as("cluster-metrics"))
        .processValues(new WindowView<>(QueryStores.CLUSTER_WINDOWS, QueryStores.CLUSTER_LATEST, ClusterMetrics.class,
            ClusterMetrics::getClusterId, m -> m.getWindowStart().toEpochMilli(), config.queryRetention(), config.window(),
            ClusterMetrics::getIsFinal),
            Named.as("cluster-metrics-view"))
        .to(config.topics().name(FactoryTopic.CLUSTER_METRICS),
            Produced.with(Serdes.String(), serdes.values(ClusterMetrics.class)).withName("cluster-metrics-out"));
    groups.process(ClusterAlerts.supplier(config), Named.as("cluster-alerts"))
        .processValues(new AlertView(QueryStores.CLUSTER_ALERTS, config.queryRetention()), Named.as("cluster-alerts-view"))
        .to(config.topics().name(FactoryTopic.ALERTS),
            Produced.with(Serdes.String(), serdes.values(Alert.class)).withName("cluster-alerts-out"));
    groups.filter((k, g) -> g.group() == RollupEvent.Group.FLEET, Named.as("fleet"))
        .map((k, g) -> KeyValue.pair(OutputKey.window(g.groupId(), Instant.ofEpochMilli(g.windowStart())),
            new MetricFigures(g.figures(), Instant.ofEpochMilli(g.windowStart()), windowMs).toFleetMetrics(g.groupId(), currency, g.isFinal())),
            Named.as("fleet-metrics"))
        .processValues(new WindowView<>(QueryStores.FLEET_WINDOWS, null, FleetMetrics.class,
            FleetMetrics::getFleetId, m -> m.getWindowStart().toEpochMilli(), config.queryRetention(), config.window(),
            FleetMetrics::getIsFinal),
            Named.as("fleet-metrics-view"))
        .to(config.topics().name(FactoryTopic.FLEET_METRICS),
            Produced.with(Serdes.String(), serdes.values(FleetMetrics.class)).withName("fleet-metrics-out"));
  }
}
