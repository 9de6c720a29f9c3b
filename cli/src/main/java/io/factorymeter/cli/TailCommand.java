package io.factorymeter.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factorymeter.app.serde.RecordJson;
import io.factorymeter.contract.OutputKey;
import io.factorymeter.kafka.TopicSnapshot;
import io.factorymeter.registry.client.SchemaRegistryClient;
import io.factorymeter.registry.serde.SchemaRegistryAvroDeserializer;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Prints the records of any project topic, one JSON object per line:
 * {@code {"key": "...", "timestamp": ISO, "value": {...}}}, plus {@code "headers"} when the record
 * has any. Values in Confluent's wire format are decoded with their registered schema; others (the
 * original bytes in the dead-letter topic) are shown as {@code "valueBase64"} with the reason they
 * do not decode. Reads with isolation.level=read_committed and no consumer group.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
    description = "Print the records of a topic as JSON, one per line.")
final class TailCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Mixin
  ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "TOPIC", description = "Topic to read, e.g. factory.telemetry.")
  String topic;

  @Option(names = "--from-beginning", description = "Start at the earliest record (default: only new records).")
  boolean fromBeginning;

  @Option(names = "--max", paramLabel = "N", description = "Stop after N records.")
  Long max;

  @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Stop when no record arrives for this long, e.g. 10s (default: wait for ever).")
  Duration timeout;

  @Override
  public Integer call() {
    if (max != null && max < 1) {
      throw new UserError("--max must be at least 1", 2);
    }
    Map<String, Object> props = connection.properties();
    Reachability.requireKafka(props);
    SchemaRegistryAvroDeserializer<GenericRecord> values = new SchemaRegistryAvroDeserializer<>(SchemaRegistryClient.fromConfig(props));
    values.configure(props, false);
    PrintStream out = System.out;
    long printed = 0;
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(TopicSnapshot.readerProps(props), new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> assigned;
      try {
        assigned = TopicSnapshot.assignAll(consumer, topic);
      } catch (IllegalArgumentException e) {
        throw new UserError(e.getMessage() + " at " + props.get("bootstrap.servers"));
      }
      if (fromBeginning) {
        consumer.seekToBeginning(assigned);
      } else {
        consumer.seekToEnd(assigned);
      }
      long lastRecord = System.nanoTime();
      while (max == null || printed < max) {
        var records = consumer.poll(Duration.ofMillis(200));
        if (records.isEmpty()) {
          if (timeout != null && System.nanoTime() - lastRecord > timeout.toNanos()) {
            break;
          }
          continue;
        }
        lastRecord = System.nanoTime();
        for (ConsumerRecord<String, byte[]> r : records) {
          out.println(line(r, values));
          printed++;
          if (max != null && printed >= max) {
            break;
          }
        }
        out.flush();
      }
    }
    return 0;
  }

  private String line(ConsumerRecord<String, byte[]> r, SchemaRegistryAvroDeserializer<GenericRecord> values) {
    ObjectNode o = JSON.createObjectNode();
    o.put("key", r.key());
    o.put("timestamp", OutputKey.iso(Instant.ofEpochMilli(r.timestamp())));
    if (r.headers().toArray().length > 0) {
      ObjectNode headers = o.putObject("headers");
      for (Header h : r.headers()) {
        headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
      }
    }
    if (r.value() == null) {
      o.putNull("value");
      return o.toString();
    }
    try {
      GenericRecord value = values.deserialize(r.topic(), r.value());
      o.set("value", RecordJson.toJson(value, value.getSchema()));
    } catch (RuntimeException e) {
      o.putNull("value");
      o.put("valueBase64", Base64.getEncoder().encodeToString(r.value()));
      o.put("valueError", e.getMessage());
    }
    return o.toString();
  }
}
