package io.factorymeter.conformance;

import io.factorymeter.stack.LocalStackExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The conformance suite against the local stack's registry (schemas in the broker's _schemas topic). */
class EmbeddedRegistryConformanceTest extends RegistryConformanceSuite {

  @RegisterExtension
  static final LocalStackExtension STACK = new LocalStackExtension();

  @Override
  String registryUrl() {
    return STACK.schemaRegistryUrl();
  }
}
