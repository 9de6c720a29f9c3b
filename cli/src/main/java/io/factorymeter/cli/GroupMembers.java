package io.factorymeter.cli;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * The members of a consumer group, e.g. a Kafka Streams application's. A Streams instance that
 * stopped cleanly does not leave its group: it stays a member until its session times out
 * ({@code session.timeout.ms}, 45 s by default), and StreamsResetter refuses to reset a group
 * with members.
 */
final class GroupMembers {

  private static final long POLL_MS = 1_000;

  private GroupMembers() {
  }

  /** The client ids of the group's members now; empty for a group without members or none at all. */
  static List<String> of(Admin admin, String groupId) {
    try {
      ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(groupId)).describedGroups().get(groupId)
          .get(10, TimeUnit.SECONDS);
      return group.members().stream().map(MemberDescription::clientId).sorted().toList();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return List.of();
      }
      throw new UserError("Cannot describe consumer group " + groupId + ": " + e.getCause().getMessage());
    } catch (TimeoutException e) {
      throw new UserError("Cannot describe consumer group " + groupId + ": no answer within 10 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserError("Interrupted");
    }
  }

  /**
   * Waits until the group has no members, for at most {@code max}; {@code waiting} is called once,
   * with the members, when there is something to wait for.
   *
   * @return the members left when {@code max} has passed: empty when the group emptied in time
   */
  static List<String> awaitEmpty(Admin admin, String groupId, Duration max, java.util.function.Consumer<List<String>> waiting) {
    long deadline = System.nanoTime() + max.toNanos();
    List<String> members = of(admin, groupId);
    if (!members.isEmpty()) {
      waiting.accept(members);
    }
    while (!members.isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(POLL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UserError("Interrupted");
      }
      members = of(admin, groupId);
    }
    return members;
  }
}
