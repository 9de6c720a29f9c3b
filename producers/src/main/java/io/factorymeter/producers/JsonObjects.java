package io.factorymeter.producers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.function.Function;

/** Reading a text that must hold one JSON object (a JSON Lines line, a small config file). */
public final class JsonObjects {

  private JsonObjects() {
  }

  /**
   * The object the text holds.
   *
   * @param error makes the exception to throw from its message: "not JSON: …" or "not a JSON object"
   */
  public static JsonNode read(ObjectMapper mapper, String text, Function<String, ? extends RuntimeException> error) {
    JsonNode node;
    try {
      node = mapper.readTree(text);
    } catch (JsonProcessingException e) {
      throw error.apply("not JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw error.apply("not a JSON object");
    }
    return node;
  }
}
