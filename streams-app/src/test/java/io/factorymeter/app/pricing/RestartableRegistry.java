package io.factorymeter.app.pricing;

import io.factorymeter.stack.registry.CompatibilityLevel;
import io.factorymeter.stack.registry.SchemaJournal;
import io.factorymeter.stack.registry.SchemaRegistryServer;
import io.factorymeter.stack.registry.SchemaRepository;
import java.net.URI;

/**
 * An embedded schema registry that can be stopped and started again on the same port with the
 * same schemas (ids included): between the two, its URL refuses connections, as an unreachable
 * registry does.
 */
final class RestartableRegistry implements AutoCloseable {

  private final SchemaRepository schemas = new SchemaRepository(SchemaJournal.NONE, CompatibilityLevel.BACKWARD);
  private final int port;
  private SchemaRegistryServer server;

  RestartableRegistry() {
    server = SchemaRegistryServer.start(schemas, 0, SchemaRegistryServer.Auth.NONE);
    port = URI.create(server.url()).getPort();
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  /** Stops answering: connections to {@link #url()} are refused. */
  synchronized void stop() {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  /** Answers again, on the same port, with the same schemas. */
  synchronized void start() {
    if (server == null) {
      server = SchemaRegistryServer.start(schemas, port, SchemaRegistryServer.Auth.NONE);
    }
  }

  @Override
  public void close() {
    stop();
  }
}
