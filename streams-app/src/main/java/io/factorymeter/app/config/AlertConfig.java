package io.factorymeter.app.config;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * Thresholds of the alerts on {@code factory.alerts} (SPEC §4), all judged in event time.
 *
 * @param silence a node is silent when the partition's stream time is more than this past its
 *     last sample's timestamp ({@code factory.meter.alert.silence}, 2 minutes; positive)
 * @param temperatureC a sample is hot when its temperatureC is above this, degrees Celsius
 *     ({@code factory.meter.alert.temperature.celsius}, 85.0)
 * @param temperatureSamples how many consecutive hot samples of a node open an over-temperature
 *     alert ({@code factory.meter.alert.temperature.samples}, 3; at least 1)
 * @param tokensPerJouleFraction a settled node window serving tokens is low when its tokens per
 *     joule is below this fraction of the node's own baseline, ratio
 *     ({@code factory.meter.alert.tokens.per.joule.fraction}, 0.5; between 0 and 1)
 * @param baseline the trailing horizon of the node's baseline tokens per joule: its settled windows
 *     starting in [window start − baseline, window start) ({@code factory.meter.alert.baseline}, 1 hour;
 *     at least one window)
 * @param clusterCoverage a cluster's final window is low when its coverage against the nodes it
 *     knows (SPEC §4 {@code uptimeKnown}, ratio 0..1) is below this
 *     ({@code factory.meter.alert.cluster.coverage}, 0.9; between 0 and 1)
 */
public record AlertConfig(Duration silence, double temperatureC, int temperatureSamples, double tokensPerJouleFraction,
    Duration baseline, double clusterCoverage) {

  public static final String SILENCE = "factory.meter.alert.silence";
  public static final String TEMPERATURE_C = "factory.meter.alert.temperature.celsius";
  public static final String TEMPERATURE_SAMPLES = "factory.meter.alert.temperature.samples";
  public static final String TOKENS_PER_JOULE_FRACTION = "factory.meter.alert.tokens.per.joule.fraction";
  public static final String BASELINE = "factory.meter.alert.baseline";
  public static final String CLUSTER_COVERAGE = "factory.meter.alert.cluster.coverage";

  public AlertConfig {
    require(silence != null && !silence.isNegative() && !silence.isZero(), SILENCE + " must be positive, got " + silence);
    require(Double.isFinite(temperatureC), TEMPERATURE_C + " must be a number of degrees Celsius, got " + temperatureC);
    require(temperatureSamples >= 1, TEMPERATURE_SAMPLES + " must be at least 1, got " + temperatureSamples);
    require(tokensPerJouleFraction >= 0 && tokensPerJouleFraction <= 1,
        TOKENS_PER_JOULE_FRACTION + " must be between 0 and 1, got " + tokensPerJouleFraction);
    require(baseline != null && !baseline.isNegative() && !baseline.isZero(), BASELINE + " must be positive, got " + baseline);
    require(clusterCoverage >= 0 && clusterCoverage <= 1, CLUSTER_COVERAGE + " must be between 0 and 1, got " + clusterCoverage);
  }

  /** The defaults: 2 min of silence, 3 samples above 85 °C, below 0.5 of a 1 h baseline, cluster coverage below 0.9. */
  public static AlertConfig defaults() {
    return new AlertConfig(Duration.ofMinutes(2), 85.0, 3, 0.5, Duration.ofHours(1), 0.9);
  }

  /** The same thresholds with another cluster coverage threshold. */
  public AlertConfig withClusterCoverage(double clusterCoverage) {
    return new AlertConfig(silence, temperatureC, temperatureSamples, tokensPerJouleFraction, baseline, clusterCoverage);
  }

  /** Reads the thresholds from a configuration map; absent keys keep their default. */
  public static AlertConfig from(Map<String, ?> props) {
    AlertConfig d = defaults();
    long samples = ConfigValues.wholeNumber(props, TEMPERATURE_SAMPLES, d.temperatureSamples(), "a whole number of samples");
    if (samples > Integer.MAX_VALUE || samples < Integer.MIN_VALUE) {
      throw new ConfigException(TEMPERATURE_SAMPLES, samples, "expected a whole number of samples below 2^31");
    }
    return new AlertConfig(
        duration(props, SILENCE, d.silence()),
        ConfigValues.number(props, TEMPERATURE_C, d.temperatureC()),
        (int) samples,
        ConfigValues.number(props, TOKENS_PER_JOULE_FRACTION, d.tokensPerJouleFraction()),
        duration(props, BASELINE, d.baseline()),
        ConfigValues.number(props, CLUSTER_COVERAGE, d.clusterCoverage()));
  }

  private static Duration duration(Map<String, ?> props, String key, Duration fallback) {
    Object v = props.get(key);
    if (v == null) {
      return fallback;
    }
    return v instanceof Duration d ? d : MeteringConfig.parseDuration(key, v.toString());
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new ConfigException(message);
    }
  }
}
