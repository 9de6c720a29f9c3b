package io.factorymeter.contract;

import io.factorymeter.schema.Alert;
import io.factorymeter.schema.BillingLine;
import io.factorymeter.schema.ClusterMetrics;
import io.factorymeter.schema.FleetMetrics;
import io.factorymeter.schema.GpuEmbodied;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.GridIntensity;
import io.factorymeter.schema.LedgerHour;
import io.factorymeter.schema.NodeMetrics;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.Tariff;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The topics of SPEC.md with their default names, value types and configurations. Keys are always
 * UTF-8 strings; values are Avro in Confluent's wire format, except the dead-letter topic, which
 * keeps the original bytes.
 *
 * <p>Metric, billing and alert topics are log-compacted (SPEC §4). The dead-letter and late topics
 * are not: every record is kept for their retention ({@code cleanup.policy=delete}, 30 days by
 * default), keyed by the original key, which may be null. Prices are keyed by site or GPU model
 * with one record per price change: {@code min.compaction.lag.ms} keeps every version for ten
 * years before compaction may drop a superseded one.
 *
 * <p>Every topic accepts record timestamps ahead of the broker's clock
 * ({@code message.timestamp.after.max.ms}): output records carry event time, and a replay or a
 * sped-up simulation runs event time ahead of the wall clock; a stock Kafka 4 broker refuses records
 * more than one hour ahead by default.
 */
public enum FactoryTopic {
  /** Input: one NodeSample per node and interval, key nodeId. Deleted after retention (default 7 days). */
  TELEMETRY("factory.telemetry", NodeSample.class, false, Map.of()),
  /** Invalid input records, original key and bytes, reason headers. Not compacted; every record kept for the retention (default 30 days). */
  TELEMETRY_DLQ("factory.telemetry.dlq", null, false, Map.of(
      TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(30).toMillis()))),
  /** Too-late samples, whole. Not compacted; every record kept for the retention (default 30 days). */
  TELEMETRY_LATE("factory.telemetry.late", NodeSample.class, false, Map.of(
      TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(30).toMillis()))),
  /** Electricity tariffs, key site; a record's timestamp is when it takes effect. Price history kept 10 years. */
  TARIFFS("factory.tariffs", Tariff.class, true, Map.of(
      TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, Long.toString(Duration.ofDays(3650).toMillis()))),
  /** GPU capacity rates, key gpuModel; a record's timestamp is when it takes effect. History kept 10 years. */
  GPU_RATES("factory.gpu-rates", GpuRate.class, true, Map.of(
      TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, Long.toString(Duration.ofDays(3650).toMillis()))),
  /** Grid carbon intensity (SPEC 2a), key site; a record's timestamp is when it takes effect. History kept 10 years. */
  GRID_INTENSITY("factory.grid-intensity", GridIntensity.class, true, Map.of(
      TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, Long.toString(Duration.ofDays(3650).toMillis()))),
  /** Embodied emissions per GPU-hour (SPEC 2a), key gpuModel; a record's timestamp is when it takes effect. History kept 10 years. */
  GPU_EMBODIED("factory.gpu-embodied", GpuEmbodied.class, true, Map.of(
      TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, Long.toString(Duration.ofDays(3650).toMillis()))),
  /** Node x minute figures, key nodeId|windowStart. */
  NODE_METRICS("factory.metrics.node.1m", NodeMetrics.class, true, Map.of()),
  /** Cluster x minute figures, key clusterId|windowStart. */
  CLUSTER_METRICS("factory.metrics.cluster.1m", ClusterMetrics.class, true, Map.of()),
  /** Fleet x minute figures, key fleet|windowStart. */
  FLEET_METRICS("factory.metrics.fleet.1m", FleetMetrics.class, true, Map.of()),
  /** Settled billing lines, key tenantId|modelId|periodStart. */
  BILLING_HOURLY("factory.billing.hourly", BillingLine.class, true, Map.of()),
  /** Alerts, key nodeId|alertType|startTime. */
  ALERTS("factory.alerts", Alert.class, true, Map.of()),
  /** Intake ledger, key partition|periodStart: records in and what became of them, per input partition and hour. */
  LEDGER_HOURLY("factory.ledger.hourly", LedgerHour.class, true, Map.of());

  private final String defaultName;
  private final Class<? extends SpecificRecord> valueType;
  private final boolean compacted;
  private final Map<String, String> extraConfigs;

  FactoryTopic(String defaultName, Class<? extends SpecificRecord> valueType, boolean compacted,
      Map<String, String> extraConfigs) {
    this.defaultName = defaultName;
    this.valueType = valueType;
    this.compacted = compacted;
    this.extraConfigs = extraConfigs;
  }

  public String defaultName() {
    return defaultName;
  }

  /** The Avro class of the values, or empty for the dead-letter topic (raw original bytes). */
  public Optional<Class<? extends SpecificRecord>> valueType() {
    return Optional.ofNullable(valueType);
  }

  /** Whether the topic must have {@code cleanup.policy=compact}. */
  public boolean compacted() {
    return compacted;
  }

  /** Accepts any record timestamp ahead of the broker's clock (the value of {@code message.timestamp.after.max.ms}). */
  public static final String ANY_FUTURE_TIMESTAMP = Long.toString(Long.MAX_VALUE);

  /**
   * Topic configs to create it with: the cleanup policy, any retention settings, and
   * {@code message.timestamp.after.max.ms} = {@link #ANY_FUTURE_TIMESTAMP}.
   */
  public Map<String, String> configs() {
    Map<String, String> configs = new LinkedHashMap<>();
    configs.put(TopicConfig.CLEANUP_POLICY_CONFIG,
        compacted ? TopicConfig.CLEANUP_POLICY_COMPACT : TopicConfig.CLEANUP_POLICY_DELETE);
    configs.putAll(extraConfigs);
    configs.put(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, ANY_FUTURE_TIMESTAMP);
    return configs;
  }

  /** The catalog entry whose default name is {@code name}, if any. */
  public static Optional<FactoryTopic> byDefaultName(String name) {
    return Arrays.stream(values()).filter(t -> t.defaultName.equals(name)).findFirst();
  }
}
