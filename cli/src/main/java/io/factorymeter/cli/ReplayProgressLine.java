package io.factorymeter.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ProgressBarRenderer;
import me.tongfei.progressbar.ProgressState;

/**
 * The line of replay's progress bar: {@code replay  42% [=====     ] 3.4/8.1 MiB  1.7 MiB/s  4,096 records  ETA 0:00:03}.
 * Sizes in KiB, MiB or GiB (chosen by the total, one decimal), so that a small file does not show
 * as {@code 0/0 MiB}; the parts are apart by two spaces.
 */
final class ReplayProgressLine implements ProgressBarRenderer {

  private final LongSupplier records;

  /** @param records the records sent so far */
  ReplayProgressLine(LongSupplier records) {
    this.records = records;
  }

  @Override
  public String render(ProgressState progress, int maxLength) {
    String text = text(progress.getCurrent(), progress.getMax(), progress.getElapsedAfterStart(), records.getAsLong());
    String prefix = "replay " + percent(progress.getCurrent(), progress.getMax()) + " [";
    int barWidth = Math.min(40, maxLength - prefix.length() - text.length() - 3);
    if (barWidth < 5) { // a narrow terminal: no bar
      String line = "replay " + percent(progress.getCurrent(), progress.getMax()) + "  " + text;
      return line.substring(0, Math.max(0, Math.min(maxLength, line.length())));
    }
    int filled = progress.getMax() <= 0 ? 0 : (int) Math.min(barWidth, barWidth * progress.getCurrent() / progress.getMax());
    return prefix + "=".repeat(filled) + " ".repeat(barWidth - filled) + "] " + text;
  }

  /** {@code "42%"} right-aligned to 4 characters. */
  static String percent(long bytes, long total) {
    String p = total <= 0 ? "?%" : Math.min(100, 100 * bytes / total) + "%";
    return " ".repeat(Math.max(0, 4 - p.length())) + p;
  }

  /**
   * Everything right of the bar.
   *
   * @param bytes bytes read so far
   * @param total bytes of all files
   * @param elapsed time since the replay began
   * @param records records sent so far
   */
  static String text(long bytes, long total, Duration elapsed, long records) {
    long unit = total >= 10L << 30 ? 1L << 30 : total >= 1L << 20 ? 1L << 20 : 1L << 10;
    String unitName = unit == 1L << 30 ? "GiB" : unit == 1L << 20 ? "MiB" : "KiB";
    double seconds = elapsed.toMillis() / 1000.0;
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%.1f/%.1f %s", (double) bytes / unit, (double) total / unit, unitName));
    if (seconds > 0) {
      out.append(String.format(Locale.ROOT, "  %.1f %s/s", bytes / seconds / unit, unitName));
    }
    out.append(String.format(Locale.ROOT, "  %,d records", records));
    if (seconds > 0 && bytes > 0 && total > bytes) {
      long eta = Math.round(seconds * (total - bytes) / bytes);
      out.append(String.format(Locale.ROOT, "  ETA %d:%02d:%02d", eta / 3600, eta / 60 % 60, eta % 60));
    }
    return out.toString();
  }
}
