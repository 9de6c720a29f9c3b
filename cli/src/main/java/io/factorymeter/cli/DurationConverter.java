package io.factorymeter.cli;

import io.factorymeter.app.config.MeteringConfig;
import java.time.Duration;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Durations on the command line: {@code 500ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code 1d}, or ISO-8601 ({@code PT10S}). */
public final class DurationConverter implements ITypeConverter<Duration> {

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  /** The same syntax as durations in properties ({@link MeteringConfig#parseDuration}). */
  public static Duration parse(String value) {
    try {
      return MeteringConfig.parseDuration("duration", value);
    } catch (ConfigException e) {
      throw new TypeConversionException("'" + value + "' is not a duration (examples: 500ms, 10s, 5m, 2h, 1d, PT10S)");
    }
  }

  /** A duration in the same syntax, in the largest unit that divides it: {@code 5m}, {@code 90s}, {@code 1500ms}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms != 0 && ms % 86_400_000 == 0) {
      return ms / 86_400_000 + "d";
    }
    if (ms != 0 && ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms != 0 && ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }
}
