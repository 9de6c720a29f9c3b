package io.factorymeter.cli;

/** A failure the user can act on; printed as one line, without a stack trace. */
public final class UserError extends RuntimeException {

  private static final long serialVersionUID = 1L;
  private final int exitCode;

  public UserError(String message) {
    this(message, 1);
  }

  public UserError(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
