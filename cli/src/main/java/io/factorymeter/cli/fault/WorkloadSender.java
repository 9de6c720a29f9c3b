package io.factorymeter.cli.fault;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.factorymeter.contract.Heartbeat;
import io.factorymeter.producers.telemetry.NodeSampleJson;
import io.factorymeter.registry.serde.SchemaRegistryAvroSerializer;
import io.factorymeter.schema.NodeSample;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends the workload file to the telemetry topic in the file's order, part by part: one idempotent
 * producer ({@code acks=all}, retries for up to 10 minutes, so a broker restart or a stall delays
 * records but never loses, reorders or doubles them), records stamped with the wall clock at
 * sending, samples in the Confluent wire format with key nodeId (or the line's {@code _key}),
 * undecodable lines as their raw bytes, heartbeats to their partition.
 */
final class WorkloadSender implements AutoCloseable {

  private static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  private record Entry(Integer partition, byte[] key, byte[] value, Long heartbeat) {
  }

  private final String topic;
  private final KafkaProducer<byte[], byte[]> producer;
  private final List<Entry> entries = new ArrayList<>();
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicReference<Exception> failure = new AtomicReference<>();

  WorkloadSender(Map<String, Object> clientProps, String topic, Path workload) {
    this.topic = topic;
    SchemaRegistryAvroSerializer<NodeSample> serializer = new SchemaRegistryAvroSerializer<>();
    serializer.configure(clientProps, false);
    try {
      for (String line : Files.readAllLines(workload, StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode n = JSON.readTree(line);
        if (n.has("_heartbeat")) {
          entries.add(new Entry(n.get("_partition").asInt(), Heartbeat.KEY.getBytes(StandardCharsets.UTF_8), null,
              n.get("_heartbeat").asLong()));
        } else if (n.has("_raw")) {
          entries.add(new Entry(null, n.get("_key").asText().getBytes(StandardCharsets.UTF_8),
              Base64.getDecoder().decode(n.get("_raw").asText()), null));
        } else {
          NodeSample s = NodeSampleJson.parse(line);
          String key = n.has("_key") ? n.get("_key").asText() : s.getNodeId();
          entries.add(new Entry(null, key.getBytes(StandardCharsets.UTF_8), serializer.serialize(topic, s), null));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, clientProps.get("bootstrap.servers"));
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Duration.ofMinutes(10).toMillis());
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Duration.ofMinutes(10).toMillis());
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "factory-meter-fault-test");
    this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  int size() {
    return entries.size();
  }

  /** Sends entries {@code from} (inclusive) to {@code to} (exclusive), asynchronously. */
  void send(int from, int to) {
    for (Entry e : entries.subList(from, to)) {
      Exception earlier = failure.get();
      if (earlier != null) {
        throw new KafkaException("An earlier send failed: " + earlier.getMessage(), earlier);
      }
      RecordHeaders headers = new RecordHeaders();
      if (e.heartbeat() != null) {
        headers.add(Heartbeat.HEADER, Heartbeat.headerValue(e.heartbeat()));
      }
      producer.send(new ProducerRecord<>(topic, e.partition(), System.currentTimeMillis(), e.key(), e.value(), headers),
          (metadata, ex) -> {
            if (ex == null) {
              acknowledged.incrementAndGet();
            } else {
              failure.compareAndSet(null, ex);
            }
          });
    }
  }

  /** Waits until everything sent is acknowledged; throws if a send failed. */
  void flush() {
    producer.flush();
    Exception e = failure.get();
    if (e != null) {
      throw new KafkaException("Sending the workload failed: " + e.getMessage(), e);
    }
  }

  long acknowledged() {
    return acknowledged.get();
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(30));
  }
}
