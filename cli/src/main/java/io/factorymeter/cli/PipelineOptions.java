package io.factorymeter.cli;

import io.factorymeter.app.MeteringApplication;
import io.factorymeter.app.config.MeteringConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Option;

/** How the Kafka Streams application runs: identity, state, threads, currency, windows. */
public final class PipelineOptions {

  @Option(names = "--application-id", defaultValue = "factory-meter",
      description = "Kafka Streams application.id: consumer group and prefix of internal topics (default: ${DEFAULT-VALUE}).")
  String applicationId;

  @Option(names = "--state-dir", paramLabel = "DIR",
      description = "RocksDB state directory (default: ~/.factory-meter/state).")
  Path stateDir;

  @Option(names = "--num-stream-threads", defaultValue = "1", description = "Stream threads (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--currency", description = "The one currency to bill in; prices in others are ignored and counted (default: USD).")
  String currency;

  @Option(names = "--window", converter = DurationConverter.class, description = "Metric window (default: 1m).")
  Duration window;

  @Option(names = "--grace", converter = DurationConverter.class, description = "How late a sample may be for its metric window (default: 2m).")
  Duration grace;

  @Option(names = "--restatement-horizon", converter = DurationConverter.class,
      description = "How long after its period a sample may still change a bill; older ones go to the late topic (default: 48h).")
  Duration restatementHorizon;

  @Option(names = "--price-history", converter = DurationConverter.class, hidden = true,
      description = "No longer used: every price version is kept, up to --price-versions per site or GPU model.")
  Duration priceHistory;

  @Option(names = "--price-versions", paramLabel = "N",
      description = "Price versions kept per site or GPU model, the oldest dropped first beyond it; not bounded by time (default: 100000).")
  Integer priceVersions;

  @Option(names = "--dead-letter-retention", converter = DurationConverter.class,
      description = "Retention of the dead-letter and late topics when they are created (default: 30d).")
  Duration deadLetterRetention;

  @Option(names = "--max-future-skew", converter = DurationConverter.class,
      description = "How far a sample's time may lie ahead of its record's timestamp before it is dead-lettered as FUTURE_TIMESTAMP (default: 5m).")
  Duration maxFutureSkew;

  /** The metering settings: defaults, then factory.meter.* keys of the client properties, then these flags. */
  MeteringConfig meteringConfig(Map<String, Object> clientProps) {
    Map<String, Object> p = new HashMap<>(clientProps);
    putIfSet(p, MeteringConfig.CURRENCY, currency);
    putIfSet(p, MeteringConfig.WINDOW, window);
    putIfSet(p, MeteringConfig.GRACE, grace);
    putIfSet(p, MeteringConfig.RESTATEMENT_HORIZON, restatementHorizon);
    if (priceHistory != null) {
      System.err.println("factory-meter: --price-history is no longer used: every price version is kept (see --price-versions)");
    }
    putIfSet(p, MeteringConfig.PRICE_VERSIONS, priceVersions);
    putIfSet(p, MeteringConfig.DEAD_LETTER_RETENTION, deadLetterRetention);
    putIfSet(p, MeteringConfig.MAX_FUTURE_SKEW, maxFutureSkew);
    try {
      return MeteringConfig.from(p);
    } catch (ConfigException e) {
      throw new UserError(e.getMessage(), 2);
    }
  }

  MeteringApplication.Options options() {
    if (threads < 1) {
      throw new UserError("--num-stream-threads must be at least 1", 2);
    }
    Path dir = stateDir != null ? stateDir : Path.of(System.getProperty("user.home"), ".factory-meter", "state");
    return new MeteringApplication.Options(applicationId, dir, threads);
  }

  private static void putIfSet(Map<String, Object> p, String key, Object value) {
    if (value != null) {
      p.put(key, value);
    }
  }
}
