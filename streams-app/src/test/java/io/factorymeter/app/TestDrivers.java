package io.factorymeter.app;

import io.factorymeter.stack.registry.CompatibilityLevel;
import io.factorymeter.stack.registry.SchemaJournal;
import io.factorymeter.stack.registry.SchemaRegistryServer;
import io.factorymeter.stack.registry.SchemaRepository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;

/** What the TopologyTestDriver tests share: an in-memory registry for the JVM and a driver per topology. */
public final class TestDrivers {

  private static SchemaRegistryServer registry;

  private TestDrivers() {
  }

  /** A real (embedded, in-memory) Confluent-compatible registry, started once for the JVM. */
  public static synchronized String registryUrl() {
    if (registry == null) {
      registry = SchemaRegistryServer.start(new SchemaRepository(SchemaJournal.NONE, CompatibilityLevel.BACKWARD), 0,
          SchemaRegistryServer.Auth.NONE);
      Runtime.getRuntime().addShutdownHook(new Thread(registry::close));
    }
    return registry.url();
  }

  /** A driver for the topology with its own fresh state directory. */
  public static TopologyTestDriver driver(Topology topology) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    try {
      props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("topology-test").toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new TopologyTestDriver(topology, props);
  }
}
