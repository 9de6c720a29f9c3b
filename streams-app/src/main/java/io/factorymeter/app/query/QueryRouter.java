package io.factorymeter.app.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Answers a {@link ViewQuery} for the whole key space, whichever instances hold it (Kafka
 * Streams interactive queries across instances):
 * <ul>
 *   <li>{@link #fromOwner}: a query for one id goes to the instance whose task owns the id's
 *       routing key ({@link KafkaStreams#queryMetadataForKey}), which answers from its own
 *       stores; that is this instance, or a peer asked over HTTP at its {@code application.server};</li>
 *   <li>{@link #fromAll}: every instance that has a task with the view's store answers for its
 *       part, and the parts are joined.</li>
 * </ul>
 * Peers are asked at {@link #INTERNAL_PATH} with the same bearer token; they answer from their
 * own stores and never forward again.
 */
public final class QueryRouter implements ViewSource {

  /** The path where an instance answers a {@link ViewQuery} from its own stores. */
  public static final String INTERNAL_PATH = "/v1/internal/view";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final StringSerializer KEYS = new StringSerializer();

  private final KafkaStreams streams;
  private final LocalViews local;
  private final HostInfo self;
  private final Optional<String> token;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * @param self this instance's {@code application.server}
   * @param token the bearer token peers expect, if any
   */
  public QueryRouter(KafkaStreams streams, HostInfo self, Optional<String> token) {
    this.streams = streams;
    this.local = LocalViews.of(streams);
    this.self = self;
    this.token = token;
  }

  @Override
  public LocalViews local() {
    return local;
  }

  /**
   * The answer of the instance that owns {@code q.id()}.
   *
   * @throws Unavailable while no instance is known to own it (starting, rebalancing) or the owner does not answer
   */
  @Override
  public List<ObjectNode> fromOwner(ViewQuery q) {
    KeyQueryMetadata owner = streams.queryMetadataForKey(q.view().store(), q.view().routingKey(q.id()), KEYS);
    if (owner == null || KeyQueryMetadata.NOT_AVAILABLE.equals(owner) || owner.activeHost() == null) {
      throw new ViewSource.Unavailable("no instance owns " + q.view().store() + " for " + q.id() + " yet (the pipeline is starting or rebalancing)");
    }
    return ask(owner.activeHost(), q);
  }

  /**
   * The answers of every instance holding part of {@code q.view()}, joined.
   *
   * @throws Unavailable while the view has no instance yet, or an instance does not answer
   */
  @Override
  public List<ObjectNode> fromAll(ViewQuery q) {
    Collection<StreamsMetadata> holders = streams.streamsMetadataForStore(q.view().store());
    Set<HostInfo> hosts = holders.stream().map(StreamsMetadata::hostInfo)
        .collect(Collectors.toCollection(() -> new TreeSet<>((a, b) -> (a.host() + ":" + a.port()).compareTo(b.host() + ":" + b.port()))));
    if (hosts.isEmpty()) {
      throw new ViewSource.Unavailable("no instance holds " + q.view().store() + " yet (the pipeline is starting or rebalancing)");
    }
    List<ObjectNode> all = new ArrayList<>();
    for (HostInfo host : hosts) {
      all.addAll(ask(host, q));
    }
    return all;
  }

  private List<ObjectNode> ask(HostInfo host, ViewQuery q) {
    if (isSelf(host)) {
      return local.answer(q);
    }
    String query = q.parameters().entrySet().stream()
        .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    URI uri = URI.create("http://" + host.host() + ":" + host.port() + INTERNAL_PATH + "?" + query);
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET();
    token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new ViewSource.Unavailable("instance " + host.host() + ":" + host.port() + " (owner of part of " + q.view().store()
          + ") does not answer: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ViewSource.Unavailable("interrupted while asking " + host.host() + ":" + host.port());
    }
    try {
      JsonNode body = JSON.readTree(response.body());
      if (response.statusCode() != 200) {
        throw new ViewSource.Unavailable("instance " + host.host() + ":" + host.port() + " answered " + response.statusCode() + ": "
            + body.path("error").asText(response.body()));
      }
      List<ObjectNode> records = new ArrayList<>();
      body.path("records").forEach(r -> records.add((ObjectNode) r));
      return records;
    } catch (IOException e) {
      throw new ViewSource.Unavailable("instance " + host.host() + ":" + host.port() + " answered something not JSON: " + e.getMessage());
    }
  }

  private boolean isSelf(HostInfo host) {
    return host.equals(self) || host.equals(HostInfo.unavailable());
  }

}
