package io.factorymeter.stack;

import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link LocalStack} (real broker and registry on free ports) for the tests of a class:
 * {@code @RegisterExtension static final LocalStackExtension STACK = new LocalStackExtension();}
 */
public final class LocalStackExtension implements BeforeAllCallback, AfterAllCallback {

  private LocalStack stack;

  @Override
  public void beforeAll(ExtensionContext context) {
    stack = LocalStack.builder().start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (stack != null) {
      stack.close();
    }
  }

  public LocalStack stack() {
    return stack;
  }

  public String bootstrapServers() {
    return stack.bootstrapServers();
  }

  public String schemaRegistryUrl() {
    return stack.schemaRegistryUrl();
  }

  /** A new, mutable map with {@code bootstrap.servers} and {@code schema.registry.url}. */
  public Map<String, Object> clientProps() {
    return stack.clientProps();
  }
}
