package io.factorymeter.producers.telemetry;

/** A line of telemetry that is not a NodeSample: bad JSON, a missing or mistyped field. */
public final class NodeSampleFormatException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public NodeSampleFormatException(String message) {
    super(message);
  }
}
