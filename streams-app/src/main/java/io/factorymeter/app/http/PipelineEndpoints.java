package io.factorymeter.app.http;

import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;

/**
 * What a running pipeline serves over HTTP, started and stopped together: its meters
 * ({@link PipelineMeters}), the fleet gauges read from the fleet metrics topic
 * ({@link FleetGauges}) and the endpoints ({@link OpsServer}). For {@code run} and {@code demo}.
 */
public final class PipelineEndpoints implements AutoCloseable {

  private final PipelineMeters meters;
  private final FleetGauges fleet;
  private final OpsServer server;

  private PipelineEndpoints(PipelineMeters meters, FleetGauges fleet, OpsServer server) {
    this.meters = meters;
    this.fleet = fleet;
    this.server = server;
  }

  /**
   * Serves {@code streams}' endpoints on {@code host:port} (0: any free port).
   *
   * @param clientProps Kafka and schema registry settings, to read {@code fleetTopic}
   * @throws IllegalStateException naming the address when it cannot be bound (nothing is left running)
   */
  public static PipelineEndpoints start(KafkaStreams streams, Map<String, Object> clientProps, String fleetTopic,
      String host, int port) {
    PipelineMeters meters = new PipelineMeters(streams);
    FleetGauges fleet = new FleetGauges(meters.registry());
    try {
      fleet.startReading(clientProps, fleetTopic);
      return new PipelineEndpoints(meters, fleet, OpsServer.start(host, port, streams::state, meters.registry()));
    } catch (RuntimeException e) {
      fleet.close();
      meters.close();
      throw e;
    }
  }

  /** The port served. */
  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.close();
    fleet.close();
    meters.close();
  }
}
