package io.factorymeter.cli;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --published-at now|ISO} of {@code prices load} and {@code reference load}: when the loaded
 * versions were published, for every record that has no {@code publishedAt} of its own (SPEC §2a).
 */
public final class PublishedAtOption {

  @Option(names = "--published-at", paramLabel = "now|ISO", converter = Converter.class,
      description = "When these versions were published: a version published after its effectiveFrom is a correction; billing"
          + " restates the lines it changes at the first batch close after this instant, the same in every replay (SPEC §2a)."
          + " `now` = the start of the minute after next (60 to 120 s ahead), so that the versions reach every instance"
          + " before event time does.")
  Instant publishedAt;

  /** The instant given, or null when the option is absent (records then keep only their own publishedAt). */
  Instant instant() {
    return publishedAt;
  }

  /**
   * {@code now} (any case): the start of the minute after next on the clock when the command line
   * is read (12:34:56 → 12:36:00). A correction is applied at the first batch close after its
   * publishedAt, and metric windows use it from that stream time on; live, event time follows the
   * wall clock closely, so a publishedAt of exactly now would be passed before the record reaches
   * the pipeline's global stores, and a replay would apply it elsewhere. 60 to 120 s of lead is
   * enough for the record to arrive. Otherwise an ISO-8601 instant as {@link InstantConverter}
   * reads it, kept as given.
   */
  public static final class Converter implements ITypeConverter<Instant> {

    private final Clock clock;

    public Converter() {
      this(Clock.systemUTC());
    }

    Converter(Clock clock) {
      this.clock = clock;
    }

    @Override
    public Instant convert(String value) {
      if ("now".equalsIgnoreCase(value.trim())) {
        return clock.instant().truncatedTo(ChronoUnit.MINUTES).plus(2, ChronoUnit.MINUTES);
      }
      try {
        return new InstantConverter().convert(value);
      } catch (TypeConversionException e) {
        throw new TypeConversionException("'" + value + "' is neither now nor an ISO-8601 instant (examples: now, 2026-11-26T12:00:00Z)");
      }
    }
  }
}
