package io.factorymeter.cli;

/** The {@code --speedup X|max} flag: event-time seconds per wall-clock second. */
final class Speedup {

  private Speedup() {
  }

  /**
   * A positive, finite factor, or 0 for {@code max} (as fast as possible).
   *
   * @throws UserError (usage, exit status 2) for anything else
   */
  static double parse(String value) {
    if (value.trim().equalsIgnoreCase("max")) {
      return 0;
    }
    try {
      double d = Double.parseDouble(value.trim());
      if (d > 0 && Double.isFinite(d)) {
        return d;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new UserError("--speedup must be a positive number or max, got '" + value + "'", 2);
  }
}
