package io.factorymeter.app.config;

import io.factorymeter.contract.FactoryTopic;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings of the metering topology. Every value has the default of SPEC.md and can be set from
 * a Kafka-style map with the keys below (durations as {@code 90s}, {@code 2m}, {@code 48h},
 * {@code 30d} or ISO-8601).
 *
 * @param topics topic names
 * @param window length of a metric window ({@code factory.meter.window}, default 1 minute)
 * @param grace how long after its end a metric window still accepts samples
 *     ({@code factory.meter.grace}, default 2 minutes)
 * @param restatementHorizon how long after stream time passed a sample it may still change a
 *     bill; older samples go to the late topic ({@code factory.meter.restatement.horizon}, 48 h)
 * @param dedupHorizon how long (sample) timestamps are remembered to drop duplicates; never shorter
 *     than the restatement horizon ({@code factory.meter.dedup.horizon}, 48 h)
 * @param priceVersions how many price versions are kept per site or GPU model; the oldest go
 *     first when there are more ({@code factory.meter.price.history.max.versions}, 100,000: ten
 *     years of hourly prices). Not bounded by time: a replay of old telemetry finds its prices.
 * @param currency the one currency the deployment bills in ({@code factory.meter.currency}, USD)
 * @param billingGrace how long after its end a billing period (hour) closes and its lines are
 *     emitted as final ({@code factory.meter.billing.grace}, 10 minutes)
 * @param promptWeight weight of a prompt token against a completion token when a sample's energy
 *     and cost are split among its usage entries ({@code factory.meter.billing.prompt.weight}, 1.0)
 * @param inputPartitions partitions of the telemetry topic: a billing period closes when every
 *     one of them has passed it (set by the application from the topic; 1 in tests)
 * @param deadLetterRetention how long the dead-letter and late topics keep their records
 *     ({@code factory.meter.dead-letter.retention}, 30 days; they are not compacted)
 * @param maxFutureSkew how far a sample's (or heartbeat's) event time may lie ahead of its record's
 *     own timestamp, the producer's clock; further ahead it is dead-lettered as FUTURE_TIMESTAMP
 *     ({@code factory.meter.max.future.skew}, 5 minutes)
 * @param deadLetterMaxBytes the largest dead-letter record written, key, value and headers
 *     together: a larger original value is cut to fit and says so in a header
 *     ({@code factory.meter.dead-letter.max.bytes}, 1,000,000, under the producer's default
 *     max.request.size of 1 MiB)
 * @param flushInterval how often, in wall-clock time, each input partition sends its partial sums
 *     on: node figures and the cluster, fleet and billing deltas ({@code factory.meter.flush.interval},
 *     200 ms). It decides how fresh partial figures are and how many records the rollups read,
 *     never a figure.
 * @param valueCacheEntries how many dedup sets (one per node and metric window) each task keeps
 *     decoded on the heap after a commit ({@code factory.meter.value.cache.entries}, 20,000): beyond
 *     it they are dropped and read from the store again when needed. Changed sets are written to
 *     the store at every commit.
 * @param nodesKnownHorizon how far back from a cluster or fleet window's end a node's last report
 *     (a sample on time for metrics) still makes it known there (SPEC §4 {@code nodesKnown}: nodes
 *     with a sample in [window end − horizon, window end); {@code uptimeKnown} divides by them)
 *     ({@code factory.meter.nodes.known.horizon}, 1 hour; a whole number of windows, at least one)
 * @param alerts thresholds of the alerts on {@code factory.alerts} ({@code factory.meter.alert.*},
 *     see {@link AlertConfig})
 * @param queryRetention how long, in event time, the query API's views keep metric windows,
 *     billing lines and resolved alerts ({@code factory.meter.query.retention}, 2 days; at least
 *     one window): a window older than the view's newest record by more than this is dropped from
 *     the view, never from the output topics
 */
public record MeteringConfig(
    TopicNames topics,
    Duration window,
    Duration grace,
    Duration restatementHorizon,
    Duration dedupHorizon,
    int priceVersions,
    String currency,
    Duration billingGrace,
    double promptWeight,
    int inputPartitions,
    Duration deadLetterRetention,
    Duration maxFutureSkew,
    int deadLetterMaxBytes,
    Duration flushInterval,
    int valueCacheEntries,
    Duration nodesKnownHorizon,
    AlertConfig alerts,
    Duration queryRetention) {

  /** Length of a billing period (SPEC §5): billing lines and restatements are per period, periods start on the hour. */
  public static final Duration BILLING_PERIOD = Duration.ofHours(1);

  public static final String WINDOW = "factory.meter.window";
  public static final String GRACE = "factory.meter.grace";
  public static final String RESTATEMENT_HORIZON = "factory.meter.restatement.horizon";
  public static final String DEDUP_HORIZON = "factory.meter.dedup.horizon";
  public static final String PRICE_VERSIONS = "factory.meter.price.history.max.versions";
  /** No longer used: price history is not bounded by time (see {@link #PRICE_VERSIONS}); accepted and ignored. */
  public static final String PRICE_HISTORY_RETENTION = "factory.meter.price.history.retention";
  public static final String DEAD_LETTER_RETENTION = "factory.meter.dead-letter.retention";
  public static final String MAX_FUTURE_SKEW = "factory.meter.max.future.skew";
  public static final String DEAD_LETTER_MAX_BYTES = "factory.meter.dead-letter.max.bytes";
  public static final String FLUSH_INTERVAL = "factory.meter.flush.interval";
  public static final String VALUE_CACHE_ENTRIES = "factory.meter.value.cache.entries";
  public static final String NODES_KNOWN_HORIZON = "factory.meter.nodes.known.horizon";
  public static final String QUERY_RETENTION = "factory.meter.query.retention";
  public static final String CURRENCY = "factory.meter.currency";
  public static final String BILLING_GRACE = "factory.meter.billing.grace";
  public static final String PROMPT_WEIGHT = "factory.meter.billing.prompt.weight";
  /** Prefix of topic name overrides: {@code factory.meter.topic.<catalog name in lower case>}, e.g. {@code factory.meter.topic.telemetry}. */
  public static final String TOPIC_PREFIX = "factory.meter.topic.";

  public MeteringConfig {
    require(!window.isNegative() && !window.isZero() && window.toMillis() % 1000 == 0
        && BILLING_PERIOD.toMillis() % window.toMillis() == 0,
        WINDOW + " must be a whole number of seconds that divides one hour, got " + window);
    require(!grace.isNegative(), GRACE + " must not be negative");
    require(restatementHorizon.compareTo(grace) >= 0, RESTATEMENT_HORIZON + " must be at least the grace period");
    require(priceVersions >= 1, PRICE_VERSIONS + " must be at least 1, got " + priceVersions);
    require(currency != null && currency.matches("[A-Z]{3}"), CURRENCY + " must be an ISO 4217 code like USD, got " + currency);
    require(!billingGrace.isNegative() && billingGrace.compareTo(restatementHorizon) <= 0,
        BILLING_GRACE + " must be between 0 and the restatement horizon");
    require(promptWeight >= 0 && Double.isFinite(promptWeight), PROMPT_WEIGHT + " must be a non-negative number");
    require(inputPartitions >= 1, "inputPartitions must be at least 1");
    require(!deadLetterRetention.isNegative() && !deadLetterRetention.isZero(), DEAD_LETTER_RETENTION + " must be positive");
    require(!maxFutureSkew.isNegative(), MAX_FUTURE_SKEW + " must not be negative");
    require(!flushInterval.isNegative() && !flushInterval.isZero(), FLUSH_INTERVAL + " must be positive");
    require(valueCacheEntries >= 0, VALUE_CACHE_ENTRIES + " must not be negative, got " + valueCacheEntries);
    require(deadLetterMaxBytes >= 4 * 1024, DEAD_LETTER_MAX_BYTES + " must be at least 4096, got " + deadLetterMaxBytes);
    require(alerts != null, "alert settings are missing");
    require(queryRetention.compareTo(window) >= 0, QUERY_RETENTION + " must be at least one window (" + window + "), got " + queryRetention);
    require(nodesKnownHorizon.compareTo(window) >= 0 && nodesKnownHorizon.toMillis() % window.toMillis() == 0,
        NODES_KNOWN_HORIZON + " must be a whole number of windows (" + window + "), at least one, got " + nodesKnownHorizon);
    // SPEC §1: the dedup horizon is never shorter than the restatement horizon
    if (dedupHorizon.compareTo(restatementHorizon) < 0) {
      dedupHorizon = restatementHorizon;
    }
  }

  /** The defaults of SPEC.md. */
  public static MeteringConfig defaults() {
    return new MeteringConfig(TopicNames.defaults(), Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofHours(48),
        Duration.ofHours(48), 100_000, "USD", Duration.ofMinutes(10), 1.0, 1, Duration.ofDays(30), Duration.ofMinutes(5),
        1_000_000, Duration.ofMillis(200), 20_000, Duration.ofHours(1), AlertConfig.defaults(), Duration.ofDays(2));
  }

  /** Reads the settings (and topic name overrides) from a configuration map; absent keys keep their default. */
  public static MeteringConfig from(Map<String, ?> props) {
    MeteringConfig d = defaults();
    TopicNames topics = d.topics();
    for (FactoryTopic t : FactoryTopic.values()) {
      Object name = props.get(TOPIC_PREFIX + t.name().toLowerCase(Locale.ROOT).replace('_', '-'));
      if (name != null && !name.toString().isBlank()) {
        topics = topics.with(t, name.toString().trim());
      }
    }
    return new MeteringConfig(topics,
        duration(props, WINDOW, d.window()),
        duration(props, GRACE, d.grace()),
        duration(props, RESTATEMENT_HORIZON, d.restatementHorizon()),
        duration(props, DEDUP_HORIZON, d.dedupHorizon()),
        intValue(props, PRICE_VERSIONS, d.priceVersions(), "a whole number of versions"),
        props.containsKey(CURRENCY) ? props.get(CURRENCY).toString().trim() : d.currency(),
        duration(props, BILLING_GRACE, d.billingGrace()),
        ConfigValues.number(props, PROMPT_WEIGHT, d.promptWeight()),
        d.inputPartitions(),
        duration(props, DEAD_LETTER_RETENTION, d.deadLetterRetention()),
        duration(props, MAX_FUTURE_SKEW, d.maxFutureSkew()),
        intValue(props, DEAD_LETTER_MAX_BYTES, d.deadLetterMaxBytes(), "a whole number of bytes"),
        duration(props, FLUSH_INTERVAL, d.flushInterval()),
        intValue(props, VALUE_CACHE_ENTRIES, d.valueCacheEntries(), "a whole number of entries"),
        duration(props, NODES_KNOWN_HORIZON, d.nodesKnownHorizon()),
        AlertConfig.from(props),
        duration(props, QUERY_RETENTION, d.queryRetention()));
  }

  public MeteringConfig withWindow(Duration window, Duration grace) {
    return with(c -> {
      c.window = window;
      c.grace = grace;
    });
  }

  public MeteringConfig withPromptWeight(double promptWeight) {
    return with(c -> c.promptWeight = promptWeight);
  }

  public MeteringConfig withInputPartitions(int inputPartitions) {
    return with(c -> c.inputPartitions = inputPartitions);
  }

  /** The same settings with dead letters of at most {@code deadLetterMaxBytes}. */
  public MeteringConfig withDeadLetterMaxBytes(int deadLetterMaxBytes) {
    return with(c -> c.deadLetterMaxBytes = deadLetterMaxBytes);
  }

  public MeteringConfig withPriceVersions(int priceVersions) {
    return with(c -> c.priceVersions = priceVersions);
  }

  /** The same settings with another trailing horizon for nodesKnown (SPEC §4). */
  public MeteringConfig withNodesKnownHorizon(Duration nodesKnownHorizon) {
    return with(c -> c.nodesKnownHorizon = nodesKnownHorizon);
  }

  /** The same settings with other alert thresholds. */
  public MeteringConfig withAlerts(AlertConfig alerts) {
    return with(c -> c.alerts = alerts);
  }

  /** This configuration with the components {@code change} sets: the one place a copy is made. */
  private MeteringConfig with(Consumer<Components> change) {
    Components c = new Components(this);
    change.accept(c);
    return c.build();
  }

  /** The components of a configuration being copied, to change some of them. */
  private static final class Components {
    private TopicNames topics;
    private Duration window;
    private Duration grace;
    private Duration restatementHorizon;
    private Duration dedupHorizon;
    private int priceVersions;
    private String currency;
    private Duration billingGrace;
    private double promptWeight;
    private int inputPartitions;
    private Duration deadLetterRetention;
    private Duration maxFutureSkew;
    private int deadLetterMaxBytes;
    private Duration flushInterval;
    private int valueCacheEntries;
    private Duration nodesKnownHorizon;
    private AlertConfig alerts;
    private Duration queryRetention;

    Components(MeteringConfig from) {
      topics = from.topics;
      window = from.window;
      grace = from.grace;
      restatementHorizon = from.restatementHorizon;
      dedupHorizon = from.dedupHorizon;
      priceVersions = from.priceVersions;
      currency = from.currency;
      billingGrace = from.billingGrace;
      promptWeight = from.promptWeight;
      inputPartitions = from.inputPartitions;
      deadLetterRetention = from.deadLetterRetention;
      maxFutureSkew = from.maxFutureSkew;
      deadLetterMaxBytes = from.deadLetterMaxBytes;
      flushInterval = from.flushInterval;
      valueCacheEntries = from.valueCacheEntries;
      nodesKnownHorizon = from.nodesKnownHorizon;
      alerts = from.alerts;
      queryRetention = from.queryRetention;
    }

    MeteringConfig build() {
      return new MeteringConfig(topics, window, grace, restatementHorizon, dedupHorizon, priceVersions, currency,
          billingGrace, promptWeight, inputPartitions, deadLetterRetention, maxFutureSkew, deadLetterMaxBytes,
          flushInterval, valueCacheEntries, nodesKnownHorizon, alerts, queryRetention);
    }
  }

  private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  /** Parses {@code 500ms}, {@code 90s}, {@code 2m}, {@code 48h}, {@code 30d} or ISO-8601. */
  public static Duration parseDuration(String key, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    Matcher m = SIMPLE.matcher(v);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      throw new ConfigException(key, value, "expected a duration such as 90s, 2m, 48h, 30d or PT2M");
    }
  }

  private static int intValue(Map<String, ?> props, String key, int fallback, String what) {
    long v = ConfigValues.wholeNumber(props, key, fallback, what);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw new ConfigException(key, v, "expected " + what + " below 2^31");
    }
    return (int) v;
  }

  private static Duration duration(Map<String, ?> props, String key, Duration fallback) {
    Object v = props.get(key);
    if (v == null) {
      return fallback;
    }
    return v instanceof Duration d ? d : parseDuration(key, v.toString());
  }

  /** Start of the billing period an event time (epoch ms) falls in. */
  public static long billingPeriodStart(long epochMs) {
    long periodMs = BILLING_PERIOD.toMillis();
    return Math.floorDiv(epochMs, periodMs) * periodMs;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new ConfigException(message);
    }
  }
}
