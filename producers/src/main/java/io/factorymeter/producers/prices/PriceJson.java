package io.factorymeter.producers.prices;

import com.fasterxml.jackson.databind.JsonNode;
import io.factorymeter.contract.PriceRules;
import io.factorymeter.producers.reference.ReferenceJson;
import io.factorymeter.producers.reference.ReferenceKind;
import io.factorymeter.producers.reference.ReferenceRecord;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;

/**
 * The JSON Lines form of prices:
 * {@code {"type":"tariff","site":…,"currency":…,"pricePerKwh":…,"pue":…,"effectiveFrom":ISO,"publishedAt":ISO}} and
 * {@code {"type":"gpu-rate","gpuModel":…,"currency":…,"hourlyRate":…,"effectiveFrom":ISO,"publishedAt":ISO}}: the
 * price types of {@link ReferenceJson} (which reads them, and the carbon types). {@code publishedAt}
 * is optional (absent or null = none): when the price was published; a price published after its
 * effectiveFrom is a correction (SPEC §2a). {@code prices load} takes only these two types; a carbon
 * line is refused with a pointer to {@code reference load}.
 *
 * <p>What a price must be is {@link PriceRules} (the pipeline checks the same before it stores a
 * price). {@code NaN} and {@code Infinity} are read as numbers so that they are reported as such.
 */
public final class PriceJson {

  /** A parsed price line: the topic key (site or gpuModel), the record, and when it takes effect. */
  public record Price(String key, SpecificRecord value, Instant effectiveFrom) {  }

  private PriceJson() {
  }

  /** Parses one line; {@link IllegalArgumentException} says what is wrong. */
  public static Price parse(String line) {
    return parse(line, null);
  }

  /**
   * Parses one line; a price without a {@code publishedAt} of its own gets {@code publishedAt}
   * (null: none) and is checked with it. {@link IllegalArgumentException} says what is wrong.
   */
  public static Price parse(String line, Instant publishedAt) {
    JsonNode node = ReferenceJson.object(line);
    String type = ReferenceJson.type(node);
    ReferenceKind kind = ReferenceJson.kind(type).orElse(null);
    if (kind != ReferenceKind.TARIFF && kind != ReferenceKind.GPU_RATE) {
      String hint = kind != null ? " (carbon figures are loaded with: reference load)" : "";
      throw new IllegalArgumentException("field \"type\" must be \"tariff\" or \"gpu-rate\", got \"" + type + "\"" + hint);
    }
    ReferenceRecord r = ReferenceJson.parse(node, publishedAt);
    return new Price(r.key(), r.value(), r.effectiveFrom());
  }
}
