package io.factorymeter.producers.scrape;

/** A line that breaks the Prometheus text exposition format; the message starts with {@code line N:}. */
public final class PrometheusFormatException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;
  private final int lineNumber;

  public PrometheusFormatException(int lineNumber, String detail) {
    super("line " + lineNumber + ": " + detail);
    this.lineNumber = lineNumber;
  }

  /** The 1-based number of the offending line. */
  public int lineNumber() {
    return lineNumber;
  }
}
