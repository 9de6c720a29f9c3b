package io.factorymeter.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads a whole topic as it is at the moment of reading: every partition from its beginning to
 * the end offset it had when the read started (records written meanwhile are not included), with
 * the consumer's own isolation level. No consumer group is used.
 */
public final class TopicSnapshot {

  private TopicSnapshot() {
  }

  /**
   * Client properties for a consumer that reads on its own: {@code read_committed}, no offset
   * commits, no consumer group.
   */
  public static Map<String, Object> readerProps(Map<String, Object> clientProps) {
    Map<String, Object> p = new HashMap<>(clientProps);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    return p;
  }

  /**
   * Assigns every partition of the topic to the consumer (positions are left to the caller).
   *
   * @throws IllegalArgumentException when the topic does not exist
   */
  public static List<TopicPartition> assignAll(KafkaConsumer<?, ?> consumer, String topic) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
    if (infos == null || infos.isEmpty()) {
      throw new IllegalArgumentException("Topic " + topic + " does not exist");
    }
    List<TopicPartition> partitions = new ArrayList<>();
    infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
    consumer.assign(partitions);
    return partitions;
  }

  /**
   * The latest value of every key, as compaction keeps it (a key whose latest record is a tombstone
   * is absent).
   *
   * @throws IllegalArgumentException when the topic does not exist
   */
  public static <K, V> Map<K, V> latest(KafkaConsumer<K, V> consumer, String topic) {
    Map<K, V> latest = new HashMap<>();
    read(consumer, topic, r -> {
      if (r.value() == null) {
        latest.remove(r.key());
      } else {
        latest.put(r.key(), r.value());
      }
    });
    return latest;
  }

  /**
   * Hands every record to {@code each}.
   *
   * @throws IllegalArgumentException when the topic does not exist
   */
  public static <K, V> void read(KafkaConsumer<K, V> consumer, String topic, Consumer<ConsumerRecord<K, V>> each) {
    List<TopicPartition> partitions = assignAll(consumer, topic);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
    while (partitions.stream().anyMatch(tp -> consumer.position(tp, Duration.ofSeconds(30)) < ends.get(tp))) {
      for (ConsumerRecord<K, V> r : consumer.poll(Duration.ofMillis(200))) {
        if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
          each.accept(r);
        }
      }
    }
  }
}
