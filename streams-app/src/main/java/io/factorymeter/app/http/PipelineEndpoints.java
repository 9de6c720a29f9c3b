package io.factorymeter.app.http;

import io.factorymeter.app.query.QueryRouter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;

/**
 * What a running pipeline serves over HTTP, started and stopped together: its meters
 * ({@link PipelineMeters}), the fleet gauges read from the fleet metrics topic
 * ({@link FleetGauges}), the query API ({@link QueryApi}) and the endpoints ({@link OpsServer}).
 * For {@code run} and {@code demo}, in two steps: {@link #bind} (the port is then known, for
 * Kafka Streams' {@code application.server}), then {@link #serve} once Kafka Streams exists.
 */
public final class PipelineEndpoints implements AutoCloseable {

  private final OpsServer server;
  private final Optional<String> token;
  private final String host;
  private PipelineMeters meters;
  private FleetGauges fleet;

  private PipelineEndpoints(OpsServer server, Optional<String> token, String host) {
    this.server = server;
    this.token = token;
    this.host = host;
  }

  /**
   * Binds {@code host:port} (0: any free port); health answers at once, the rest after {@link #serve}.
   *
   * @param token the query API's bearer token, if any
   * @throws IllegalStateException naming the address when it cannot be bound
   */
  public static PipelineEndpoints bind(String host, int port, Optional<String> token) {
    return new PipelineEndpoints(OpsServer.bind(host, port, token), token, host);
  }

  /**
   * The {@code host:port} peers reach this instance at: {@code advertised} when given, else the
   * bound address and port (the machine's host name when bound to every interface).
   */
  public String applicationServer(Optional<String> advertised) {
    if (advertised.isPresent()) {
      return advertised.get();
    }
    String name = host;
    if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
      try {
        name = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        throw new IllegalStateException("Cannot name this host for peers: give --application-server HOST:PORT", e);
      }
    }
    return name + ":" + port();
  }

  /**
   * Serves {@code streams}: meters, fleet gauges and the query API.
   *
   * @param clientProps Kafka and schema registry settings, to read {@code fleetTopic}
   * @param self the {@code application.server} this instance runs with
   */
  public void serve(KafkaStreams streams, Map<String, Object> clientProps, String fleetTopic, String self) {
    meters = new PipelineMeters(streams);
    fleet = new FleetGauges(meters.registry());
    fleet.startReading(clientProps, fleetTopic);
    server.attach(streams::state, meters.registry(), new QueryApi(new QueryRouter(streams, HostInfo.buildFromEndpoint(self), token)));
  }

  /** The port served. */
  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.close();
    if (fleet != null) {
      fleet.close();
    }
    if (meters != null) {
      meters.close();
    }
  }
}
