package io.factorymeter.app.metering;

import io.factorymeter.app.config.MeteringConfig;
import io.factorymeter.app.metering.Intake.Metered;
import io.factorymeter.app.metering.Intake.Progress;
import io.factorymeter.app.metering.Intake.Rejected;
import io.factorymeter.app.metering.Intake.TooLate;
import io.factorymeter.app.pricing.PriceHistory;
import io.factorymeter.app.serde.AppSerdes;
import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.contract.OutputKey;
import io.factorymeter.schema.ClusterMetrics;
import io.factorymeter.schema.FleetMetrics;
import io.factorymeter.schema.NodeMetrics;
import io.factorymeter.schema.NodeSample;
import java.time.Duration;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The metering topology (SPEC §1, §2, §4): telemetry in; dead letters, too-late samples and
 * node, cluster and fleet figures per window out.
 *
 * <pre>
 * factory.telemetry (bytes) ─ intake: decode, validate, late?, dedup, price ─┬─ dlq
 *                                                                             ├─ late
 *                                      contributions of metered samples ◄─────┘
 *   ├─ by node (no repartition), open for metrics ─ window (grace) ────────► factory.metrics.node.1m
 *   ├─ by cluster (repartition), all ── window (restatement horizon + 1 h) ► factory.metrics.cluster.1m
 *   └─ fleet (repartition), all ─────── window (restatement horizon + 1 h) ► factory.metrics.fleet.1m
 * </pre>
 *
 * <p>The metric grace is applied once, at the intake, against the partition's stream time: a
 * node window takes the samples still open for metrics. Cluster and fleet windows take every
 * metered sample, as billing does, so for every hour the billing lines add up to the fleet also
 * after late data (SPEC §3). Prices come from two global stores of every price version (see
 * {@link PriceHistory}).
 */
public final class MeteringTopology {

  /** Names of the state stores, e.g. for interactive queries. */
  public static final String NODE_WINDOW_STORE = "node-window";
  public static final String CLUSTER_WINDOW_STORE = "cluster-window";
  public static final String FLEET_WINDOW_STORE = "fleet-window";

  private MeteringTopology() {
  }

  /**
   * What the intake passes on: metered samples (those still open for metrics and those late for
   * metrics), keyed by nodeId, in event time; and the progress of each input partition.
   */
  public record IntakeStreams(KStream<String, Metered> metered, KStream<String, Progress> progress) {
  }

  /** Builds the metering topology alone; pure: no I/O, everything from the arguments. */
  public static Topology build(MeteringConfig config, AppSerdes serdes) {
    StreamsBuilder builder = new StreamsBuilder();
    addMetrics(addIntake(builder, config, serdes).metered(), config, serdes);
    return builder.build();
  }

  /** Adds price stores, intake, dead-letter and late outputs to a builder. */
  public static IntakeStreams addIntake(StreamsBuilder builder, MeteringConfig config, AppSerdes serdes) {
    PriceHistory.addGlobalStores(builder, config, serdes);
    builder.addStateStore(SampleIntake.dedupStore(config));
    builder.addStateStore(SampleIntake.clockStore());

    KStream<String, byte[]> telemetry = builder.stream(config.topics().telemetry(),
        Consumed.with(TelemetryKeySerde.serde(), Serdes.ByteArray()).withTimestampExtractor(new TelemetryTimestampExtractor())
            .withName("telemetry"));
    Serde<NodeSample> samples = serdes.values(NodeSample.class);
    KStream<String, Intake> intake = telemetry.processValues(() -> new SampleIntake(config, samples.deserializer()),
        Named.as("intake"), SampleIntake.DEDUP_STORE, SampleIntake.CLOCK_STORE);

    Map<String, KStream<String, Intake>> outcomes = intake.split(Named.as("intake-"))
        .branch((k, v) -> v instanceof Rejected, Branched.as("rejected"))
        .branch((k, v) -> v instanceof TooLate, Branched.as("late"))
        .branch((k, v) -> v instanceof Progress, Branched.as("progress"))
        .defaultBranch(Branched.as("metered"));
    outcomes.get("intake-rejected")
        .map((k, v) -> KeyValue.pair(((Rejected) v).deadLetter().key(), ((Rejected) v).deadLetter().value()),
            Named.as("dead-letter-bytes"))
        .to(config.topics().name(FactoryTopic.TELEMETRY_DLQ), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("dead-letters"));
    outcomes.get("intake-late")
        .map((k, v) -> KeyValue.pair(((TooLate) v).deadLetter().key(), ((TooLate) v).deadLetter().value()),
            Named.as("late-bytes"))
        .to(config.topics().name(FactoryTopic.TELEMETRY_LATE), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("late-samples"));
    return new IntakeStreams(outcomes.get("intake-metered").mapValues(v -> (Metered) v, Named.as("metered")),
        outcomes.get("intake-progress").mapValues(v -> (Progress) v, Named.as("progress")));
  }

  /**
   * Adds the node, cluster and fleet windows and their output topics. A node window takes the
   * samples still open for metrics (its grace applied at the intake against the partition's stream
   * time); cluster and fleet windows take every metered sample, also one late for metrics, as
   * billing does, so that for every hour the billing lines add up to the fleet's figures (SPEC §3)
   * also after late data. Their grace covers the restatement horizon plus a billing period, so they
   * accept whatever the intake still bills (see {@link #groupGrace}).
   */
  public static void addMetrics(KStream<String, Metered> metered, MeteringConfig config, AppSerdes serdes) {
    WindowFiguresSerde figures = new WindowFiguresSerde();
    String currency = config.currency();
    KStream<String, WindowFigures> contributions = metered
        .mapValues(m -> WindowFigures.of(m.priced(), m.firstOfNodeInWindow()), Named.as("contribution"));
    KStream<String, WindowFigures> openForMetrics = metered
        .filter((k, m) -> m.forMetrics(), Named.as("open-for-metrics"))
        .mapValues(m -> WindowFigures.of(m.priced(), m.firstOfNodeInWindow()), Named.as("node-contribution"));

    publish(openForMetrics, "node", NODE_WINDOW_STORE, config.grace(), config, figures, FactoryTopic.NODE_METRICS,
        serdes.values(NodeMetrics.class), (node, m) -> m.toNodeMetrics(node, currency));
    publish(contributions.selectKey((node, f) -> f.clusterId(), Named.as("by-cluster")), "cluster", CLUSTER_WINDOW_STORE,
        groupGrace(config), config, figures, FactoryTopic.CLUSTER_METRICS,
        serdes.values(ClusterMetrics.class), (cluster, m) -> m.toClusterMetrics(cluster, currency));
    publish(contributions.selectKey((node, f) -> OutputKey.FLEET, Named.as("to-fleet")), "fleet", FLEET_WINDOW_STORE,
        groupGrace(config), config, figures, FactoryTopic.FLEET_METRICS,
        serdes.values(FleetMetrics.class), (fleet, m) -> m.toFleetMetrics(fleet, currency));
  }

  /**
   * Grace of the cluster and fleet windows: the restatement horizon plus one billing period. The
   * intake still bills a sample whose period ended less than the horizon before its partition's
   * stream time, that is, whose window ended less than horizon + 1 h before it. (A group window's
   * stream time is that of its most advanced input partition: a partition lagging further behind
   * the most advanced one than that, e.g. while a stopped instance catches up on days of backlog,
   * has its oldest samples counted by Kafka Streams as dropped records instead.)
   */
  static Duration groupGrace(MeteringConfig config) {
    return config.restatementHorizon().plus(MeteringConfig.BILLING_PERIOD);
  }

  /**
   * Sums the contributions per key and window and writes each window's figures, keyed
   * {@code key|windowStart}, to the topic: at every update until the window's grace has passed.
   */
  private static <V> void publish(KStream<String, WindowFigures> keyed, String name, String store, Duration grace,
      MeteringConfig config, WindowFiguresSerde figures, FactoryTopic topic, Serde<V> serde,
      BiFunction<String, MetricFigures, V> toRecord) {
    long windowMs = config.window().toMillis();
    window(keyed, name, store, grace, config, figures)
        .map((w, f) -> KeyValue.pair(OutputKey.window(w.key(), w.window().startTime()),
            toRecord.apply(w.key(), new MetricFigures(f, w.window().startTime(), windowMs))), Named.as(name + "-metrics"))
        .to(config.topics().name(topic), Produced.with(Serdes.String(), serde).withName(name + "-metrics-out"));
  }

  private static KStream<Windowed<String>, WindowFigures> window(KStream<String, WindowFigures> contributions, String name,
      String store, Duration grace, MeteringConfig config, WindowFiguresSerde figures) {
    return contributions
        .groupByKey(Grouped.with(name, Serdes.String(), figures))
        .windowedBy(TimeWindows.ofSizeAndGrace(config.window(), grace))
        .aggregate(WindowFigures::new, (key, contribution, sum) -> sum.add(contribution), Named.as(name + "-window"),
            Materialized.<String, WindowFigures, WindowStore<Bytes, byte[]>>as(store)
                .withKeySerde(Serdes.String()).withValueSerde(figures).withRetention(config.window().plus(grace)))
        .toStream(Named.as(name + "-window-updates"));
  }
}
