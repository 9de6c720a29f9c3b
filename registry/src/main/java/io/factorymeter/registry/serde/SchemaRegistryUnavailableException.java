package io.factorymeter.registry.serde;

import io.factorymeter.registry.client.SchemaRegistryException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A record could not be read or written because the schema registry could not be asked right
 * now: it was unreachable, or answered with a server error (5xx), a timeout (408) or too many
 * requests (429) after the client's retries. The record itself may be fine: callers retry it
 * later instead of treating it as bad input.
 */
public class SchemaRegistryUnavailableException extends SerializationException {

  private static final long serialVersionUID = 1L;

  public SchemaRegistryUnavailableException(String message, SchemaRegistryException cause) {
    super(message, cause);
  }

  /** Whether {@code e} or one of its causes says the registry is unavailable (see the class comment). */
  public static boolean isCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SchemaRegistryUnavailableException) {
        return true;
      }
    }
    return false;
  }
}
