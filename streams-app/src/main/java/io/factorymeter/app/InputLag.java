package io.factorymeter.app;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How far the application's committed offsets are behind: on its input topic and on every other
 * topic the group consumes (its repartition topics), so that 0 means every record has been
 * processed all the way through.
 */
public final class InputLag {

  private InputLag() {
  }

  /**
   * Records not yet committed by the consumer group {@code applicationId}, summed over the
   * partitions of {@code topic} (one without a committed offset counts from its start) and of the
   * other topics the group has committed offsets for.
   */
  public static long of(Map<String, Object> clientProps, String applicationId, String topic) {
    return lag(clientProps, applicationId, topic, true);
  }

  /** Records of {@code topic} alone not yet committed by the group (its internal topics left out). */
  public static long ofInput(Map<String, Object> clientProps, String applicationId, String topic) {
    return lag(clientProps, applicationId, topic, false);
  }

  /**
   * Waits until the application has processed everything (input and internal topics) up to now:
   * the lag has stayed 0 for {@link #QUIET} (the intake sends its partial sums on at every flush,
   * {@code factory.meter.flush.interval}, 200 ms by default, so a moment of 0 lag alone does not
   * mean the rollups have them). Offsets that cannot be read for a moment (a topic the group has
   * offsets for but whose metadata is not there yet, or no longer) count as not caught up.
   *
   * @return false when {@code timeout} passed first
   */
  public static boolean awaitCaughtUp(Map<String, Object> clientProps, String applicationId, String topic,
      java.time.Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long quietSince = Long.MIN_VALUE;
    while (true) {
      long now = System.nanoTime();
      long lag;
      IllegalStateException unreadable = null;
      try {
        lag = of(clientProps, applicationId, topic);
      } catch (IllegalStateException e) {
        // an internal topic of a group that is starting or being reset: offsets without metadata yet
        unreadable = e;
        lag = -1;
      }
      if (lag != 0) {
        quietSince = Long.MIN_VALUE;
      } else if (quietSince == Long.MIN_VALUE) {
        quietSince = now;
      } else if (now - quietSince >= QUIET.toNanos()) {
        return true;
      }
      if (now > deadline) {
        if (unreadable != null) {
          throw unreadable;
        }
        return false;
      }
      Thread.sleep(250);
    }
  }

  /** How long the lag must stay 0 to count as caught up. */
  public static final java.time.Duration QUIET = java.time.Duration.ofMillis(1500);

  private static long lag(Map<String, Object> clientProps, String applicationId, String topic, boolean internalToo) {
    try (Admin admin = Admin.create(MeteringApplication.adminProps(clientProps))) {
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId)
          .partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
      admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().forEach(p -> {
        latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
        earliest.put(new TopicPartition(topic, p.partition()), OffsetSpec.earliest());
      });
      if (internalToo) {
        committed.keySet().forEach(tp -> {
          latest.put(tp, OffsetSpec.latest());
          earliest.put(tp, OffsetSpec.earliest());
        });
      }
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get();
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts = admin.listOffsets(earliest).all().get();
      long lag = 0;
      for (TopicPartition tp : ends.keySet()) {
        OffsetAndMetadata c = committed.get(tp);
        long position = c == null ? starts.get(tp).offset() : c.offset();
        lag += Math.max(0, ends.get(tp).offset() - position);
      }
      return lag;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("Cannot read the offsets of " + applicationId + ": " + e.getCause().getMessage(), e);
    }
  }
}
