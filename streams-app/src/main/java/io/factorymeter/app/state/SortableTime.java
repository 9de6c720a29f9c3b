package io.factorymeter.app.state;

/**
 * Times in state-store keys: epoch milliseconds as 19 decimal digits, zero-padded, so that keys
 * sort (as strings and as the stores' bytes) in time order and a range scan up to
 * {@code of(t) + "|\uffff"} finds every key of a time at or before {@code t}. One home for the
 * key layout of the node windows, group windows and billing periods.
 */
public final class SortableTime {

  /** Digits of the largest long, 9223372036854775807. */
  public static final int DIGITS = 19;

  private SortableTime() {
  }

  /**
   * {@code epochMs} as 19 zero-padded digits: what {@code String.format("%019d", epochMs)} gives,
   * without the formatter (which showed in the profile: keys are built for every sample).
   * A negative time (before 1970, refused at the intake) keeps the formatter's form.
   */
  public static String of(long epochMs) {
    if (epochMs < 0) {
      return String.format("%019d", epochMs);
    }
    byte[] digits = new byte[DIGITS];
    long v = epochMs;
    for (int i = DIGITS - 1; i >= 0; i--) {
      digits[i] = (byte) ('0' + (v % 10));
      v /= 10;
    }
    return new String(digits, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  /** Whether {@code key}, which starts with {@link #of}{@code (t)}, has t at or before {@code upTo} (upTo as {@link #of} gives it). */
  public static boolean keyAtOrBefore(String key, String upTo) {
    return key.substring(0, DIGITS).compareTo(upTo) <= 0;
  }

  /** The time at the start of a key that starts with {@link #of}{@code (t)}: t, epoch ms. */
  public static long ofKey(String key) {
    return Long.parseLong(key.substring(0, DIGITS));
  }

  /**
   * Formats times remembering the last one: the keys of consecutive samples mostly share their
   * window and billing period, so most calls return the text made before. One per caller.
   */
  public static final class Recent {

    private long time = Long.MIN_VALUE;
    private String text = of(Long.MIN_VALUE);

    /** {@link SortableTime#of}{@code (epochMs)}. */
    public String of(long epochMs) {
      if (epochMs != time) {
        text = SortableTime.of(epochMs);
        time = epochMs;
      }
      return text;
    }
  }
}
