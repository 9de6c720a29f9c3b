package io.factorymeter.producers.reference;

import io.factorymeter.contract.FactoryTopic;

/** The four kinds of reference data, each with its {@code "type"} in JSON Lines and its topic. */
public enum ReferenceKind {
  /** Electricity tariff of a site (SPEC §2), key site. */
  TARIFF("tariff", FactoryTopic.TARIFFS),
  /** GPU capacity rate of a GPU model (SPEC §2), key gpuModel. */
  GPU_RATE("gpu-rate", FactoryTopic.GPU_RATES),
  /** Grid carbon intensity of a site (SPEC §2a), key site. */
  GRID_INTENSITY("grid-intensity", FactoryTopic.GRID_INTENSITY),
  /** Embodied emissions per GPU-hour of a GPU model (SPEC §2a), key gpuModel. */
  GPU_EMBODIED("gpu-embodied", FactoryTopic.GPU_EMBODIED);

  private final String type;
  private final FactoryTopic topic;

  ReferenceKind(String type, FactoryTopic topic) {
    this.type = type;
    this.topic = topic;
  }

  /** The value of the {@code "type"} field of a JSON line of this kind. */
  public String type() {
    return type;
  }

  /** The topic records of this kind go to (its default name may be overridden). */
  public FactoryTopic topic() {
    return topic;
  }
}
