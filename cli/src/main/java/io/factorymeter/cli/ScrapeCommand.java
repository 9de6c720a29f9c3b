package io.factorymeter.cli;

import io.factorymeter.contract.OutputKey;
import io.factorymeter.producers.kafka.AvroRecordSender;
import io.factorymeter.producers.scrape.Endpoint;
import io.factorymeter.producers.scrape.HttpMetricsFetcher;
import io.factorymeter.producers.scrape.NodeScraper;
import io.factorymeter.producers.scrape.ScrapeMapping;
import io.factorymeter.producers.scrape.ScrapeRound;
import io.factorymeter.producers.scrape.ScrapeRunner;
import io.factorymeter.schema.NodeSample;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Polls dcgm-exporter, vLLM and Triton metrics endpoints and sends one NodeSample per node per interval. */
@Command(name = "scrape", mixinStandardHelpOptions = true,
    description = {"Poll the Prometheus endpoints of GPU nodes and send one NodeSample per node per interval to Kafka, keyed by nodeId.",
        "Sources: NVIDIA dcgm-exporter (per GPU: power W, energy counter mJ, temperature C, utilization %%), vLLM (prompt and"
            + " generation token counters per model) and NVIDIA Triton (per GPU: power W, energy counter J, utilization)."
            + " Counters become per-interval increases (one that went down restarted from zero); the first scrape only primes"
            + " them. A sample covers the time since its node's last good scrape: a failed endpoint is logged and its node"
            + " skipped, and the next sample covers the gap.",
        "dcgm-exporter refreshes its values every 30 s unless started with a shorter -c (ms): an interval in which a node's"
            + " energy counters did not move is folded into the next sample, and scrape warns when --interval is shorter"
            + " than the refresh it sees. --mapping names each host's node, cluster and site and each model's tenant."})
final class ScrapeCommand implements Callable<Integer> {

  static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
  static final Duration MAX_INTERVAL = Duration.ofHours(1);
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration STOP_WAIT = Duration.ofSeconds(30);

  @Mixin
  ConnectionOptions connection;

  @Option(names = "--dcgm", paramLabel = "URL", description = {"dcgm-exporter metrics (repeatable), e.g.", "http://gpu-node-1:9400/metrics"})
  List<String> dcgm = new ArrayList<>();

  @Option(names = "--vllm", paramLabel = "URL", description = {"vLLM metrics (repeatable), e.g.", "http://gpu-node-1:8000/metrics"})
  List<String> vllm = new ArrayList<>();

  @Option(names = "--triton", paramLabel = "URL", description = {"Triton metrics (repeatable), e.g.", "http://gpu-node-1:8002/metrics"})
  List<String> triton = new ArrayList<>();

  @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
      description = "Time between scrapes, 1s .. 1h (default: ${DEFAULT-VALUE}).")
  Duration interval;

  @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "HTTP timeout of one scrape, at most the interval (default: 5s or the interval if shorter).")
  Duration timeout;

  @Option(names = "--mapping", required = true, paramLabel = "FILE",
      description = "JSON: {\"nodes\": {host: {nodeId, clusterId, site, gpuModel?}}, \"models\": {model_name: {tenantId, modelId}},"
          + " \"defaultTenant\"?}; a host is a dcgm-exporter Hostname label or the host of an endpoint URL.")
  Path mapping;

  @Option(names = "--topic", defaultValue = "factory.telemetry", description = "Topic to write to (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--once", description = "Scrape twice one interval apart, send the samples and exit (for cron and tests);"
      + " exit status 1 if an endpoint or node failed.")
  boolean once;

  private final java.util.Set<String> warnedStale = new java.util.HashSet<>();

  @Override
  public Integer call() throws InterruptedException {
    List<Endpoint> endpoints = endpoints();
    if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
      throw new UserError("--interval must be between 1s and 1h, got " + seconds(interval), 2);
    }
    Duration httpTimeout = timeout != null ? timeout : (interval.compareTo(DEFAULT_TIMEOUT) < 0 ? interval : DEFAULT_TIMEOUT);
    if (httpTimeout.isZero() || httpTimeout.isNegative() || httpTimeout.compareTo(interval) > 0) {
      throw new UserError("--timeout must be positive and at most --interval (" + seconds(interval) + "), got " + seconds(httpTimeout), 2);
    }
    ScrapeMapping map;
    try {
      map = ScrapeMapping.read(mapping);
    } catch (IOException e) {
      throw new UserError("Cannot read --mapping " + mapping + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new UserError("--mapping " + e.getMessage());
    }
    Map<String, Object> props = connection.reachableProperties();
    TopicSetup.ensureTelemetry(props, topic);
    NodeScraper scraper = new NodeScraper(endpoints, map, new HttpMetricsFetcher(httpTimeout), Clock.systemUTC());
    List<String> staleInLastRound = new ArrayList<>();
    try (AvroRecordSender<NodeSample> sender = new AvroRecordSender<>(props, topic)) {
      boolean[] primed = {false};
      ScrapeRunner runner = new ScrapeRunner(scraper, interval, once ? 2 : 0, round -> {
        send(sender, round, primed[0]);
        primed[0] = true;
        warnIfStale(round.stale());
        staleInLastRound.clear();
        staleInLastRound.addAll(round.stale());
      });
      System.err.printf("Scraping %d endpoint(s) every %s to %s%s%n", endpoints.size(), seconds(interval), topic,
          once ? ", twice" : " until Ctrl-C");
      try {
        // Ctrl-C stops after the round in progress and waits (up to 30 s, in case Kafka hangs) for its samples to be sent
        StopOnSignal.run("scrape", runner::run, runner::stop, () -> {
          sender.flush();
          if (runner.rounds() == 0) {
            return; // the first round found a host or model the mapping does not know
          }
          System.out.printf("Sent %d samples to %s from %d scrapes of %d endpoint(s); %d failure(s)%n", runner.emitted(), topic,
              runner.rounds(), endpoints.size(), scraper.failures());
        }, STOP_WAIT);
      } catch (ScrapeMapping.UnmappedException e) {
        throw new UserError("scrape: " + e.getMessage());
      }
    }
    if (once && !staleInLastRound.isEmpty()) {
      throw new UserError("scrape --once sent no sample for node(s) " + String.join(", ", staleInLastRound)
          + ": their exporter's values did not change within --interval " + seconds(interval)
          + " (dcgm-exporter refreshes every 30 s unless started with -c <ms>); use --interval 30s or more");
    }
    return once && scraper.failures() > 0 ? 1 : 0;
  }

  /** Once per node: a warning that the exporter refreshes less often than the scrapes come. */
  private void warnIfStale(List<String> stale) {
    List<String> fresh = stale.stream().filter(warnedStale::add).toList();
    if (!fresh.isEmpty()) {
      System.err.printf("factory-meter: warning: the GPU energy counters of node(s) %s did not change between two scrapes"
          + " %s apart: the exporter refreshes less often than --interval (dcgm-exporter: every 30 s unless started with"
          + " -c <ms>). Such intervals are folded into the next sample; start the exporter with -c at or below the"
          + " interval, or raise --interval.%n", String.join(", ", fresh), seconds(interval));
    }
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  /** The samples of a round keyed by nodeId, then (after the priming round) a heartbeat to every partition at the round's time. */
  private static void send(AvroRecordSender<NodeSample> sender, ScrapeRound round, boolean primed) {
    for (NodeSample s : round.samples()) {
      sender.send(s.getNodeId(), s);
    }
    if (primed) {
      sender.heartbeat(round.at().toEpochMilli());
    }
    sender.flush();
    int failed = round.failures().size() + round.unmapped().size();
    String failures = failed == 0 ? "" : ", " + failed + " failure(s)";
    if (primed) {
      String stale = round.stale().isEmpty() ? "" : "; no new values for node(s) " + String.join(", ", round.stale())
          + " (exporter not refreshed since the last scrape: folded into the next sample)";
      System.err.printf("%s sent %d sample(s)%s%s%n", OutputKey.iso(round.at()), round.samples().size(), failures, stale);
    } else {
      System.err.printf("%s first scrape: counters primed%s%n", OutputKey.iso(round.at()), failures);
    }
  }

  private List<Endpoint> endpoints() {
    List<Endpoint> out = new ArrayList<>();
    add(out, Endpoint.Kind.DCGM, "--dcgm", dcgm);
    add(out, Endpoint.Kind.VLLM, "--vllm", vllm);
    add(out, Endpoint.Kind.TRITON, "--triton", triton);
    if (dcgm.isEmpty() && triton.isEmpty()) {
      throw new UserError("give at least one --dcgm or --triton URL: GPU power and energy come from them", 2);
    }
    return out;
  }

  private static void add(List<Endpoint> out, Endpoint.Kind kind, String flag, List<String> urls) {
    for (String url : urls) {
      try {
        out.add(Endpoint.parse(kind, url));
      } catch (IllegalArgumentException e) {
        throw new UserError(flag + " " + e.getMessage(), 2);
      }
    }
  }
}
