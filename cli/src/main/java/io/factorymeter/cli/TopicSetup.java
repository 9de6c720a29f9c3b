package io.factorymeter.cli;

import io.factorymeter.contract.TopicProvisioner;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;

/** Creates the topics a command writes to (broker defaults for partitions and replication). */
final class TopicSetup {

  private TopicSetup() {
  }

  static void ensure(Map<String, Object> props, List<TopicProvisioner.Topic> topics) {
    try (Admin admin = Admin.create(Reachability.adminOnly(props))) {
      new TopicProvisioner(admin, Optional.empty(), Optional.empty()).ensure(topics);
    } catch (IllegalStateException e) {
      throw new UserError(e.getMessage());
    }
  }
}
