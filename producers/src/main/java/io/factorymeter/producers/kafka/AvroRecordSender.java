package io.factorymeter.producers.kafka;

import io.factorymeter.contract.Heartbeat;
import io.factorymeter.registry.serde.SchemaRegistryAvroSerializer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends Avro records with string keys to one topic: idempotent producer, {@code acks=all}, values
 * in Confluent's wire format (the registry settings come from the same client properties). Counts
 * what the broker acknowledged; the first failed send fails the next {@link #flush()}.
 *
 * <p>Record timestamps come from the sender's clock, "the producer's clock" the pipeline compares
 * event times with: a sample whose {@code timestamp}, or a heartbeat whose event time, lies more
 * than the allowed skew (5 min by default) ahead of its record's timestamp is dead-lettered as
 * FUTURE_TIMESTAMP. A live producer uses the wall clock (the default); a simulated fleet whose
 * event time runs ahead of the wall clock uses its simulated clock
 * ({@link io.factorymeter.producers.simulate.SimulatedClock}).
 *
 * @param <V> the value type
 */
public final class AvroRecordSender<V extends SpecificRecord> implements AutoCloseable {

  private final String topic;
  private final LongSupplier clock;
  private final KafkaProducer<String, V> producer;
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicReference<Exception> failure = new AtomicReference<>();

  /**
   * @param clientProps Kafka client and schema registry properties ({@code bootstrap.servers},
   *     {@code schema.registry.url}, security settings ...)
   */
  public AvroRecordSender(Map<String, Object> clientProps, String topic) {
    this(clientProps, topic, System::currentTimeMillis);
  }

  /**
   * @param clientProps Kafka client and schema registry properties
   * @param clock the producer's clock, epoch milliseconds: the record timestamp of
   *     {@link #send(String, SpecificRecord)} and of {@link #heartbeat(long)}
   */
  public AvroRecordSender(Map<String, Object> clientProps, String topic, LongSupplier clock) {
    this.topic = topic;
    this.clock = clock;
    Map<String, Object> props = new HashMap<>(clientProps);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    props.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "factory-meter-" + topic);
    SchemaRegistryAvroSerializer<V> serializer = new SchemaRegistryAvroSerializer<>();
    serializer.configure(props, false);
    this.producer = new KafkaProducer<>(props, new StringSerializer(), serializer);
  }

  /** Sends one record asynchronously, stamped with the sender's clock at sending. */
  public void send(String key, V value) {
    send(key, value, clock.getAsLong());
  }

  /**
   * Sends one record asynchronously with a record timestamp of its own (e.g. a price's
   * effectiveFrom).
   *
   * @param timestampMs the record timestamp in epoch milliseconds, or null for the producer's
   *     wall clock at sending
   */
  public void send(String key, V value, Long timestampMs) {
    Exception earlier = failure.get();
    if (earlier != null) {
      throw new KafkaException("An earlier send to " + topic + " failed: " + earlier.getMessage(), earlier);
    }
    producer.send(new ProducerRecord<>(topic, null, timestampMs, key, value), (metadata, e) -> {
      if (e == null) {
        acknowledged.incrementAndGet();
      } else {
        failure.compareAndSet(null, e);
      }
    });
  }

  /**
   * Sends a heartbeat (see {@link Heartbeat}) to every partition of the topic: the pipeline's
   * stream time on each partition becomes at least {@code eventTimeMs}, so that windows and billing
   * periods close on partitions without samples. The records are stamped with the sender's clock
   * (not with {@code eventTimeMs}). Not counted in {@link #acknowledged()}.
   *
   * @param eventTimeMs the event time the heartbeat carries, epoch milliseconds
   */
  public void heartbeat(long eventTimeMs) {
    long now = clock.getAsLong();
    for (PartitionInfo p : producer.partitionsFor(topic)) {
      RecordHeaders headers = new RecordHeaders();
      headers.add(Heartbeat.HEADER, Heartbeat.headerValue(eventTimeMs));
      producer.send(new ProducerRecord<>(topic, p.partition(), now, Heartbeat.KEY, null, headers), (metadata, e) -> {
        if (e != null) {
          failure.compareAndSet(null, e);
        }
      });
    }
  }

  /**
   * A callback for the event time of a source that moves forward: it sends a {@link #heartbeat} at
   * the first time it is given and then whenever that time has moved on a minute since the last
   * heartbeat, so that partitions without nodes keep up (see the README, "Heartbeats").
   */
  public Consumer<Instant> heartbeatEveryMinute() {
    long[] last = {Long.MIN_VALUE};
    return t -> {
      if (last[0] == Long.MIN_VALUE || t.toEpochMilli() - last[0] >= 60_000) {
        heartbeat(t.toEpochMilli());
        last[0] = t.toEpochMilli();
      }
    };
  }

  /** The sender's clock now, epoch milliseconds: the record timestamp a record sent now gets. */
  public long now() {
    return clock.getAsLong();
  }

  /** Waits until everything sent so far is acknowledged; throws if any send failed. */
  public void flush() {
    producer.flush();
    Exception e = failure.get();
    if (e != null) {
      throw new KafkaException("Sending to " + topic + " failed: " + e.getMessage(), e);
    }
  }

  /** Records the broker acknowledged so far. */
  public long acknowledged() {
    return acknowledged.get();
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(30));
  }
}
