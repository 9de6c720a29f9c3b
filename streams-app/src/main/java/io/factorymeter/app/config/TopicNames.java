package io.factorymeter.app.config;

import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.contract.TopicProvisioner;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The name each catalog topic has in a deployment (default: the catalog's default name). */
public final class TopicNames {

  private final Map<FactoryTopic, String> names;

  private TopicNames(Map<FactoryTopic, String> names) {
    this.names = names;
  }

  public static TopicNames defaults() {
    Map<FactoryTopic, String> names = new EnumMap<>(FactoryTopic.class);
    for (FactoryTopic t : FactoryTopic.values()) {
      names.put(t, t.defaultName());
    }
    return new TopicNames(names);
  }

  public TopicNames with(FactoryTopic topic, String name) {
    Map<FactoryTopic, String> copy = new EnumMap<>(names);
    copy.put(topic, name);
    return new TopicNames(copy);
  }

  public String name(FactoryTopic topic) {
    return names.get(topic);
  }

  public String telemetry() {
    return names.get(FactoryTopic.TELEMETRY);
  }

  /** The topics to provision for a set of catalog entries. */
  public List<TopicProvisioner.Topic> provisioning(List<FactoryTopic> topics) {
    List<TopicProvisioner.Topic> out = new ArrayList<>();
    for (FactoryTopic t : topics) {
      out.add(new TopicProvisioner.Topic(names.get(t), t));
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TopicNames other && other.names.equals(names);
  }

  @Override
  public int hashCode() {
    return names.hashCode();
  }

  @Override
  public String toString() {
    return names.toString();
  }
}
