package io.factorymeter.cli;

import io.factorymeter.app.MeteringApplication;
import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.contract.TopicProvisioner;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;

/**
 * Creates the topics a command writes to (broker defaults for partitions and replication), and
 * waits until their partitions take records ({@link PartitionReadiness}).
 */
final class TopicSetup {

  static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

  private TopicSetup() {
  }

  /** Creates the telemetry topic under this name when it is missing (and checks it when not). */
  static void ensureTelemetry(Map<String, Object> props, String topic) {
    ensure(props, List.of(new TopicProvisioner.Topic(topic, FactoryTopic.TELEMETRY)));
  }

  static void ensure(Map<String, Object> props, List<TopicProvisioner.Topic> topics) {
    try (Admin admin = Admin.create(MeteringApplication.adminProps(props))) {
      new TopicProvisioner(admin, Optional.empty(), Optional.empty()).ensure(topics);
      PartitionReadiness.await(admin, topics.stream().map(TopicProvisioner.Topic::name).toList(), READY_TIMEOUT);
    } catch (IllegalStateException e) {
      throw new UserError(e.getMessage());
    }
  }
}
