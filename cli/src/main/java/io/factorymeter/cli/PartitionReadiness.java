package io.factorymeter.cli;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Waits until every partition of some topics is served by its leader. Right after a topic is
 * created a broker can already name the leader in its metadata while the partition does not exist
 * in its log manager yet: an idempotent producer that sends at once has its first batch refused
 * (NOT_LEADER_OR_FOLLOWER), the batches behind it, already in flight, then arrive out of sequence,
 * and the broker logs each as an ERROR ({@code OutOfOrderSequenceException}) before the producer's
 * retries sort it out. A ListOffsets request is answered by the leader's own partition, so once it
 * succeeds for every partition, producing starts cleanly.
 */
final class PartitionReadiness {

  private static final long RETRY_MS = 100;

  private PartitionReadiness() {
  }

  /**
   * Returns once the leader of every partition of {@code topics} answers for it; a one-line
   * {@link UserError} after {@code timeout}, or at once for an error that retrying does not cure.
   */
  static void await(Admin admin, Collection<String> topics, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Throwable last = null;
    while (true) {
      try {
        Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> query = new HashMap<>();
        boolean leaders = true;
        for (TopicDescription d : described.values()) {
          for (TopicPartitionInfo p : d.partitions()) {
            leaders &= p.leader() != null && !p.leader().isEmpty();
            query.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest());
          }
        }
        if (leaders) {
          admin.listOffsets(query).all().get(10, TimeUnit.SECONDS);
          return;
        }
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException)) {
          throw new UserError("Topic(s) " + String.join(", ", topics) + " not usable: " + e.getCause().getMessage());
        }
        last = e.getCause();
      } catch (TimeoutException e) {
        last = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UserError("Interrupted");
      }
      if (System.nanoTime() > deadline) {
        throw new UserError("The partitions of " + String.join(", ", topics) + " have no serving leader after "
            + timeout.toSeconds() + " s" + (last == null ? "" : ": " + last.getMessage()));
      }
      try {
        Thread.sleep(RETRY_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UserError("Interrupted");
      }
    }
  }
}
