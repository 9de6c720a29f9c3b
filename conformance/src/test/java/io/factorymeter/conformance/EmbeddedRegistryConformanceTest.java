package io.factorymeter.conformance;

import io.factorymeter.stack.LocalStack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The conformance suite against the local stack's registry (schemas in the broker's _schemas topic). */
class EmbeddedRegistryConformanceTest extends RegistryConformanceSuite {

  private static LocalStack stack;

  @BeforeAll
  static void start() {
    stack = LocalStack.builder().start();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @Override
  String registryUrl() {
    return stack.schemaRegistryUrl();
  }
}
