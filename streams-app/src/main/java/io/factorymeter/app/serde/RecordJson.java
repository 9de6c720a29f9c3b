package io.factorymeter.app.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factorymeter.contract.OutputKey;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;

/**
 * Avro data as plain JSON for people and scripts: field names as in the schema, optional fields as
 * {@code null} or their value (no union wrapping), timestamp-millis as ISO-8601 strings, NaN and
 * infinities as strings, bytes as Base64.
 */
public final class RecordJson {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private RecordJson() {
  }

  public static JsonNode toJson(Object datum, Schema schema) {
    if (datum == null) {
      return JSON.nullNode();
    }
    if (schema.getType() == Schema.Type.UNION) {
      // an optional field ([null, T]) is its T, also when T is a logical type GenericData cannot name (Instant)
      List<Schema> present = schema.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).toList();
      return toJson(datum, present.size() == 1 ? present.get(0) : schema.getTypes().get(GenericData.get().resolveUnion(schema, datum)));
    }
    LogicalType logical = schema.getLogicalType();
    if (logical instanceof LogicalTypes.TimestampMillis) {
      long ms = datum instanceof Instant i ? i.toEpochMilli() : ((Number) datum).longValue();
      return JSON.textNode(OutputKey.iso(Instant.ofEpochMilli(ms)));
    }
    switch (schema.getType()) {
      case RECORD -> {
        IndexedRecord record = (IndexedRecord) datum;
        ObjectNode o = JSON.objectNode();
        for (Schema.Field f : schema.getFields()) {
          o.set(f.name(), toJson(record.get(f.pos()), f.schema()));
        }
        return o;
      }
      case ARRAY -> {
        ArrayNode a = JSON.arrayNode();
        for (Object item : (Collection<?>) datum) {
          a.add(toJson(item, schema.getElementType()));
        }
        return a;
      }
      case MAP -> {
        ObjectNode o = JSON.objectNode();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) datum).entrySet()) {
          o.set(e.getKey().toString(), toJson(e.getValue(), schema.getValueType()));
        }
        return o;
      }
      case INT -> {
        return JSON.numberNode(((Number) datum).intValue());
      }
      case LONG -> {
        return JSON.numberNode(((Number) datum).longValue());
      }
      case FLOAT, DOUBLE -> {
        double d = ((Number) datum).doubleValue();
        if (!Double.isFinite(d)) {
          return JSON.textNode(Double.toString(d));
        }
        return schema.getType() == Schema.Type.FLOAT
            ? JSON.numberNode(((Number) datum).floatValue())
            : JSON.numberNode(d);
      }
      case BOOLEAN -> {
        return JSON.booleanNode((Boolean) datum);
      }
      case BYTES -> {
        ByteBuffer b = ((ByteBuffer) datum).duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return JSON.textNode(Base64.getEncoder().encodeToString(bytes));
      }
      case FIXED -> {
        return JSON.textNode(Base64.getEncoder().encodeToString(((GenericFixed) datum).bytes()));
      }
      default -> {
        return JSON.textNode(datum.toString());
      }
    }
  }
}
