package io.factorymeter.cli;

import java.time.Instant;
import picocli.CommandLine.Option;

/**
 * {@code --from ISO --to ISO}: the hourly periods whose start is in [from, to), for the commands
 * that read a compacted hourly topic (billing lines, ledger hours).
 */
public final class PeriodRange {

  @Option(names = "--from", required = true, paramLabel = "ISO", converter = InstantConverter.class,
      description = "First period (hour) start included, e.g. 2026-11-01T00:00:00Z.")
  Instant from;

  @Option(names = "--to", required = true, paramLabel = "ISO", converter = InstantConverter.class,
      description = "Periods starting before this instant are included.")
  Instant to;

  /** Fails with a usage error (exit 2) unless from is before to. */
  PeriodRange checked() {
    if (!from.isBefore(to)) {
      throw new UserError("--from must be before --to", 2);
    }
    return this;
  }
}
