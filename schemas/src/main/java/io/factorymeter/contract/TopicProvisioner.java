package io.factorymeter.contract;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics an application needs, with the configuration the catalog gives them, and
 * refuses to start on an existing topic whose cleanup policy is wrong: a compacted input topic
 * would lose samples, a non-compacted output topic would lose settled lines.
 */
public final class TopicProvisioner {

  private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);
  private static final long TIMEOUT_SECONDS = 30;

  private final Admin admin;
  private final Optional<Integer> partitions;
  private final Optional<Short> replicationFactor;

  /**
   * @param partitions partitions of topics created here; empty for the broker default
   * @param replicationFactor replication factor of topics created here; empty for the broker default
   */
  public TopicProvisioner(Admin admin, Optional<Integer> partitions, Optional<Short> replicationFactor) {
    this.admin = admin;
    this.partitions = partitions;
    this.replicationFactor = replicationFactor;
  }

  /**
   * A topic to ensure: its name, the configs to create it with (the cleanup policy among them is
   * also checked on an existing topic), and its partitions when they must not be the default.
   */
  public record Topic(String name, Map<String, String> configs, Optional<Integer> partitions) {

    /** A topic of the catalog under the name a deployment gives it. */
    public Topic(String name, FactoryTopic spec) {
      this(name, spec.configs(), Optional.empty());
    }
  }

  /**
   * Creates the missing topics and checks the cleanup policy of every one.
   *
   * @return names of the topics created now
   * @throws IllegalStateException naming the topic whose cleanup policy is wrong, or when the
   *     cluster cannot be reached
   */
  public List<String> ensure(Collection<Topic> topics) {
    try {
      Set<String> existing = new HashSet<>(admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
      List<String> created = new ArrayList<>();
      List<NewTopic> missing = new ArrayList<>();
      for (Topic t : topics) {
        if (!existing.contains(t.name())) {
          missing.add(new NewTopic(t.name(), t.partitions().or(() -> partitions), replicationFactor).configs(t.configs()));
        }
      }
      if (!missing.isEmpty()) {
        for (var entry : admin.createTopics(missing).values().entrySet()) {
          try {
            entry.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            created.add(entry.getKey());
            log.info("Created topic {}", entry.getKey());
          } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
              throw new IllegalStateException("Cannot create topic " + entry.getKey() + ": " + e.getCause().getMessage(), e);
            }
          }
        }
      }
      checkPolicies(topics);
      return created;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while preparing topics", e);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IllegalStateException("Cannot prepare topics: " + cause.getClass().getSimpleName()
          + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), e);
    }
  }

  private void checkPolicies(Collection<Topic> topics) throws InterruptedException, ExecutionException, TimeoutException {
    List<ConfigResource> resources = topics.stream()
        .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t.name())).toList();
    Map<ConfigResource, Config> configs = null;
    for (int attempt = 1; configs == null; attempt++) {
      try {
        configs = admin.describeConfigs(resources).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        // a topic created a moment ago may not be known to every part of the cluster yet
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || attempt >= 50) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
    List<Topic> toAlter = new ArrayList<>();
    for (Topic t : topics) {
      Config existing = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, t.name()));
      String policy = existing.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
      String expected = t.configs().get(TopicConfig.CLEANUP_POLICY_CONFIG);
      if (expected != null && !policy.equals(expected)) {
        String retention = t.configs().get(TopicConfig.RETENTION_MS_CONFIG);
        String fix = "cleanup.policy=" + expected + (retention == null ? "" : ",retention.ms=" + retention);
        throw new IllegalStateException("Topic " + t.name() + " exists with cleanup.policy=" + policy
            + " but must have cleanup.policy=" + expected + "; change it with"
            + " kafka-configs.sh --bootstrap-server HOST:PORT --alter --entity-type topics --entity-name " + t.name()
            + " --add-config " + fix + ", or configure another topic name");
      }
      String wanted = t.configs().get(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG);
      var current = existing.get(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG);
      if (wanted != null && current != null && Long.parseLong(current.value()) < Long.parseLong(wanted)) {
        toAlter.add(t);
      }
    }
    if (!toAlter.isEmpty()) {
      acceptFutureTimestamps(toAlter);
    }
  }

  /**
   * Sets {@code message.timestamp.after.max.ms} on existing topics that would refuse records
   * stamped ahead of the broker's clock (event time of a replay or sped-up simulation).
   */
  private void acceptFutureTimestamps(List<Topic> topics) throws InterruptedException, TimeoutException {
    Map<ConfigResource, Collection<AlterConfigOp>> ops = new HashMap<>();
    for (Topic t : topics) {
      ops.put(new ConfigResource(ConfigResource.Type.TOPIC, t.name()), List.of(new AlterConfigOp(
          new ConfigEntry(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG,
              t.configs().get(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG)), AlterConfigOp.OpType.SET)));
    }
    try {
      admin.incrementalAlterConfigs(ops).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      topics.forEach(t -> log.info("Topic {}: set {} so that records stamped ahead of the broker's clock are accepted",
          t.name(), TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG));
    } catch (ExecutionException e) {
      String names = String.join(", ", topics.stream().map(Topic::name).toList());
      throw new IllegalStateException("Topics " + names + " refuse record timestamps more than "
          + "message.timestamp.after.max.ms ahead of the broker's clock and could not be changed ("
          + e.getCause().getMessage() + "); set it with kafka-configs.sh --alter --entity-type topics --entity-name TOPIC"
          + " --add-config " + TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG + "=" + Long.MAX_VALUE, e);
    }
  }
}
