package io.factorymeter.producers.reference;

import java.util.List;

/**
 * A reference file with lines that cannot be published: every such line, each as
 * {@code FILE:LINE: reason}, in file order. The message is the first one, followed by how many
 * more there are.
 */
public final class ReferenceFileException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;
  private final transient List<String> errors;

  public ReferenceFileException(List<String> errors) {
    super(errors.get(0) + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : ""));
    this.errors = List.copyOf(errors);
  }

  /** Every error, {@code FILE:LINE: reason}, in file order. */
  public List<String> errors() {
    return errors;
  }
}
