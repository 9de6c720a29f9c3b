package io.factorymeter.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The conformance suite against Apicurio Registry 3.3.3's Confluent-compatible API, a registry
 * this project did not write. Its global default compatibility (NONE) is set to Confluent's
 * BACKWARD at start; every other assertion holds for it unchanged.
 */
class ApicurioRegistryConformanceTest extends RegistryConformanceSuite {

  private static ApicurioRegistry apicurio;

  @BeforeAll
  static void start() throws Exception {
    apicurio = ApicurioRegistry.start();
  }

  @AfterAll
  static void stop() {
    if (apicurio != null) {
      apicurio.close();
    }
  }

  @Override
  String registryUrl() {
    return apicurio.url();
  }
}
