package io.factorymeter.cli.fault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factorymeter.app.deadletter.DeadLetterHeaders;
import io.factorymeter.kafka.TopicSnapshot;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** What the pipeline wrote, as rows comparable with {@link GroundTruth.Expected}. */
final class Outputs {

  private static final ObjectMapper JSON = new ObjectMapper();
  static final List<String> WINDOW_FIELDS = List.of("samples", "tokens", "outputTokens", "covered", "energyJ", "energyCost",
      "capacityCost", "totalCost");
  static final List<String> BILL_FIELDS = List.of("promptTokens", "completionTokens", "energyJ", "energyCost", "capacityCost",
      "totalCost");
  static final List<String> LEDGER_FIELDS = List.of("recordsIn", "metered", "duplicates", "deadLetters", "tooLate",
      "lateForMetrics", "unpriced", "heartbeats");

  private Outputs() {
  }

  /** The exported bill ({@code billing export --format json}): key tenant|model|periodStart. */
  static TreeMap<String, Map<String, Object>> bill(Path export, Map<String, Integer> revisions) {
    TreeMap<String, Map<String, Object>> rows = new TreeMap<>();
    try (BufferedReader in = Files.newBufferedReader(export, StandardCharsets.UTF_8)) {
      for (String line; (line = in.readLine()) != null; ) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode l = JSON.readTree(line);
        String key = l.get("tenantId").asText() + "|" + l.get("modelId").asText() + "|" + l.get("periodStart").asText();
        Map<String, Object> row = new TreeMap<>();
        for (String f : BILL_FIELDS) {
          JsonNode v = l.get(f);
          row.put(f, v == null || v.isNull() ? null : v.isIntegralNumber() && f.endsWith("Tokens") ? (Object) v.asLong()
              : new BigDecimal(v.asText()));
        }
        rows.put(key, row);
        revisions.put(key, l.get("revision").asInt());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }

  /** Metric records as rows of {@link #WINDOW_FIELDS}. */
  static TreeMap<String, Map<String, Object>> windows(Map<String, ? extends SpecificRecord> records) {
    TreeMap<String, Map<String, Object>> rows = new TreeMap<>();
    records.forEach((key, r) -> {
      GenericRecord g = (GenericRecord) r;
      Map<String, Object> row = new TreeMap<>();
      for (String f : WINDOW_FIELDS) {
        row.put(f, number(g.get(f)));
      }
      rows.put(key, row);
    });
    return rows;
  }

  /** Ledger hours as rows of {@link #LEDGER_FIELDS} plus {@code deadLetters.REASON}. */
  static TreeMap<String, Map<String, Object>> ledger(Map<String, ? extends SpecificRecord> records) {
    TreeMap<String, Map<String, Object>> rows = new TreeMap<>();
    records.forEach((key, r) -> {
      GenericRecord g = (GenericRecord) r;
      Map<String, Object> row = new TreeMap<>();
      for (String f : LEDGER_FIELDS) {
        row.put(f, number(g.get(f)));
      }
      Object byReason = g.get("deadLettersByReason");
      if (byReason instanceof Map<?, ?> m) {
        m.forEach((reason, n) -> {
          if (((Number) n).longValue() != 0) {
            row.put("deadLetters." + reason, ((Number) n).longValue());
          }
        });
      }
      // the key names the partition and the hour as the ground truth does: partition|ISO hour
      rows.put(g.get("partition") + "|" + Instant.ofEpochMilli(toMillis(g.get("periodStart"))), row);
    });
    return rows;
  }

  private static long toMillis(Object t) {
    return t instanceof Instant i ? i.toEpochMilli() : ((Number) t).longValue();
  }

  private static Object number(Object v) {
    if (v == null) {
      return null;
    }
    if (v instanceof Integer || v instanceof Long) {
      return ((Number) v).longValue();
    }
    return new BigDecimal(((Number) v).doubleValue());
  }

  /** Records of a not-compacted topic, by the value of the reason header ("" when none). */
  static Map<String, Long> countByReason(Map<String, Object> clientProps, String topic) {
    Map<String, Long> counts = new TreeMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(TopicSnapshot.readerProps(clientProps),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicSnapshot.read(consumer, topic, r -> {
        Header h = r.headers().lastHeader(DeadLetterHeaders.REASON);
        counts.merge(h == null ? "" : new String(h.value(), StandardCharsets.UTF_8), 1L, Long::sum);
      });
    }
    return counts;
  }
}
