package io.factorymeter.cli;

import io.factorymeter.contract.NodeSampleRules;
import io.factorymeter.contract.TopicProvisioner;
import io.factorymeter.producers.kafka.AvroRecordSender;
import io.factorymeter.producers.reference.ElectricityMapsCsv;
import io.factorymeter.producers.reference.ReferenceFileException;
import io.factorymeter.producers.reference.ReferenceKind;
import io.factorymeter.producers.reference.ReferenceLoader;
import io.factorymeter.producers.reference.ReferenceRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.avro.specific.SpecificRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Reference data: prices (SPEC §2) and carbon figures (SPEC §2a). */
@Command(name = "reference", mixinStandardHelpOptions = true, subcommands = ReferenceCommand.Load.class,
    description = "Manage reference data: tariffs, GPU rates, grid carbon intensity per site and embodied emissions per GPU model.")
final class ReferenceCommand implements Runnable {

  /** How many bad lines are printed before the summary line. */
  static final int ERRORS_SHOWN = 20;

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: load");
  }

  /** Publishes a JSON Lines reference file, or one zone's Electricity Maps dataset as a site's grid intensity. */
  @Command(name = "load", mixinStandardHelpOptions = true,
      description = {"Publish reference data, each record stamped with its effectiveFrom.",
          "FILE is JSON Lines, one object per line:",
          "  {\"type\":\"tariff\",\"site\":…,\"currency\":…,\"pricePerKwh\":…,\"pue\":…,\"effectiveFrom\":ISO}",
          "  {\"type\":\"gpu-rate\",\"gpuModel\":…,\"currency\":…,\"hourlyRate\":…,\"effectiveFrom\":ISO}",
          "  {\"type\":\"grid-intensity\",\"site\":…,\"gco2ePerKwh\":…,\"effectiveFrom\":ISO,\"source\":…}",
          "  {\"type\":\"gpu-embodied\",\"gpuModel\":…,\"gco2ePerGpuHour\":…,\"effectiveFrom\":ISO,\"source\":…}",
          "(source is optional). Any line may add \"publishedAt\":ISO, when that version",
          "was published (absent or null: --published-at, if given).",
          "With --electricitymaps CSV --site SITE instead, one zone's hourly Electricity",
          "Maps dataset becomes the site's grid intensity, one version per hour (the",
          "direct column; --lifecycle: LCA), each published at --published-at.",
          "The file is checked completely before anything is sent; every bad line is reported as FILE:LINE: reason."})
  static final class Load implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "JSON Lines reference file.")
    Path file;

    @Option(names = "--electricitymaps", paramLabel = "CSV",
        description = "An Electricity Maps hourly dataset (one zone, their portal's CSV layout) to load as --site's grid intensity.")
    Path electricityMaps;

    @Option(names = "--site", paramLabel = "SITE", description = "The site the --electricitymaps figures apply to.")
    String site;

    @Option(names = "--lifecycle",
        description = "With --electricitymaps: the life-cycle (LCA) column instead of the direct (location-based, operational) one.")
    boolean lifecycle;

    @Mixin
    PublishedAtOption publishedAt;

    @Option(names = "--tariffs-topic", defaultValue = "factory.tariffs", description = "(default: ${DEFAULT-VALUE})")
    String tariffsTopic;

    @Option(names = "--gpu-rates-topic", defaultValue = "factory.gpu-rates", description = "(default: ${DEFAULT-VALUE})")
    String gpuRatesTopic;

    @Option(names = "--grid-intensity-topic", defaultValue = "factory.grid-intensity", description = "(default: ${DEFAULT-VALUE})")
    String gridIntensityTopic;

    @Option(names = "--gpu-embodied-topic", defaultValue = "factory.gpu-embodied", description = "(default: ${DEFAULT-VALUE})")
    String gpuEmbodiedTopic;

    @Override
    public Integer call() {
      Input input = read();
      List<ReferenceRecord> records = input.records();
      Map<String, Object> props = connection.reachableProperties();
      Map<ReferenceKind, Integer> counts = publish(props, records, topics());
      if (electricityMaps != null) {
        System.out.printf("Published %d grid-intensity version(s) of %s to %s, effective from %s to %s (Electricity Maps zone %s, %s)%n",
            records.size(), site, gridIntensityTopic, records.get(0).effectiveFrom(), records.get(records.size() - 1).effectiveFrom(),
            input.zone(), lifecycle ? "life cycle (LCA)" : "direct");
      } else {
        System.out.println(summary(counts, topics()));
      }
      return 0;
    }

    /** The checked records of FILE or of the --electricitymaps CSV, and the CSV's zone (null for FILE). */
    record Input(List<ReferenceRecord> records, String zone) {
    }

    /**
     * Checks the usage, then reads and checks the whole input, --published-at given to every record
     * without a publishedAt of its own; nothing is connected to. {@link UserError}: exit 2 for a
     * usage mistake, 1 for bad lines (every one named).
     */
    Input read() {
      if ((file == null) == (electricityMaps == null)) {
        throw new UserError("give either FILE or --electricitymaps CSV --site SITE (see: factory-meter reference load --help)", 2);
      }
      if (electricityMaps == null && (site != null || lifecycle)) {
        throw new UserError("--site and --lifecycle go with --electricitymaps (see: factory-meter reference load --help)", 2);
      }
      if (electricityMaps != null && site == null) {
        throw new UserError("--electricitymaps needs --site SITE: the site whose grid the zone is (see: factory-meter reference load --help)", 2);
      }
      if (site != null && !NodeSampleRules.ID.matcher(site).matches()) {
        throw new UserError("--site must match " + NodeSampleRules.ID.pattern() + ", got \"" + site + "\"", 2);
      }
      Path input = file != null ? file : electricityMaps;
      ReadableFile.require(input);
      try {
        if (file != null) {
          return new Input(ReferenceLoader.read(file, publishedAt.instant()), null);
        }
        ElectricityMapsCsv.Conversion c = ElectricityMapsCsv.read(electricityMaps, site, lifecycle, publishedAt.instant());
        return new Input(c.records(), c.zoneId());
      } catch (ReferenceFileException e) {
        throw rejected(input, e.errors());
      } catch (IOException e) {
        throw new UserError("Cannot read " + input + ": " + e.getMessage());
      }
    }

    private Map<ReferenceKind, String> topics() {
      Map<ReferenceKind, String> topics = new EnumMap<>(ReferenceKind.class);
      topics.put(ReferenceKind.TARIFF, tariffsTopic);
      topics.put(ReferenceKind.GPU_RATE, gpuRatesTopic);
      topics.put(ReferenceKind.GRID_INTENSITY, gridIntensityTopic);
      topics.put(ReferenceKind.GPU_EMBODIED, gpuEmbodiedTopic);
      return topics;
    }
  }

  /**
   * The error for a file with bad lines: one bad line is the error itself; more are printed to
   * stderr (the first {@value #ERRORS_SHOWN}) and the error says how many there were.
   */
  static UserError rejected(Path input, List<String> errors) {
    if (errors.size() == 1) {
      return new UserError(errors.get(0));
    }
    errors.stream().limit(ERRORS_SHOWN).forEach(System.err::println);
    return new UserError(input + ": " + errors.size() + " line(s) rejected" + (errors.size() > ERRORS_SHOWN ? " (the first " + ERRORS_SHOWN
        + " shown)" : "") + "; nothing sent");
  }

  /** e.g. {@code Published 3 tariff(s) to factory.tariffs, 4 GPU rate(s) to factory.gpu-rates}: the kinds the file had. */
  static String summary(Map<ReferenceKind, Integer> counts, Map<ReferenceKind, String> topics) {
    List<String> parts = new ArrayList<>();
    String[] names = {"tariff(s)", "GPU rate(s)", "grid intensit(ies)", "GPU embodied figure(s)"};
    for (ReferenceKind k : ReferenceKind.values()) {
      if (counts.get(k) > 0) {
        parts.add(counts.get(k) + " " + names[k.ordinal()] + " to " + topics.get(k));
      }
    }
    return parts.isEmpty() ? "Published nothing: the file holds no reference records" : "Published " + String.join(", ", parts);
  }

  /**
   * Creates the topics the records need (compacted, as {@link ReferenceKind#topic()} says) and
   * sends every record to its kind's topic, keyed by site or gpuModel, stamped with its
   * effectiveFrom; waits for the broker's acknowledgement.
   */
  static Map<ReferenceKind, Integer> publish(Map<String, Object> props, List<ReferenceRecord> records, Map<ReferenceKind, String> topics) {
    Map<ReferenceKind, Integer> counts = ReferenceLoader.count(records);
    List<TopicProvisioner.Topic> needed = new ArrayList<>();
    for (ReferenceKind k : ReferenceKind.values()) {
      if (counts.get(k) > 0) {
        needed.add(new TopicProvisioner.Topic(topics.get(k), k.topic()));
      }
    }
    if (needed.isEmpty()) {
      return counts;
    }
    TopicSetup.ensure(props, needed);
    Map<ReferenceKind, AvroRecordSender<SpecificRecord>> senders = new EnumMap<>(ReferenceKind.class);
    try {
      return ReferenceLoader.publish(records, new ReferenceLoader.Sink() {
        @Override
        public void send(ReferenceKind kind, String key, SpecificRecord value, long timestampMs) {
          senders.computeIfAbsent(kind, k -> new AvroRecordSender<>(props, topics.get(k))).send(key, value, timestampMs);
        }

        @Override
        public void flush() {
          senders.values().forEach(AvroRecordSender::flush);
        }
      });
    } finally {
      senders.values().forEach(AvroRecordSender::close);
    }
  }
}
