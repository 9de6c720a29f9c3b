package io.factorymeter.cli;

import io.factorymeter.kafka.TopicSnapshot;
import io.factorymeter.producers.replay.TelemetryReplay;
import io.factorymeter.producers.telemetry.SampleWriter;
import io.factorymeter.producers.telemetry.TelemetryFormat;
import io.factorymeter.registry.serde.SchemaRegistryAvroSerde;
import io.factorymeter.schema.NodeSample;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Writes the samples of a telemetry topic to a file that replay reads back: the archive side of replay. */
@Command(name = "record", mixinStandardHelpOptions = true,
    description = {"Write the NodeSamples of a topic to a file that replay reads back.",
        "Reads the topic from its beginning to its end at the start of the command (read_committed) and writes JSON Lines,"
            + " flat CSV or Avro (from the file name, or --format), gzip when the name ends in .gz. Heartbeats are left out."
            + " A topic that holds records but no NodeSample is an error (exit status 1), and the file is left as it was;"
            + " single records that are not NodeSamples are reported and left out."})
final class RecordCommand implements Callable<Integer> {

  /** Records that are not NodeSamples are named one per line up to this many, then only counted. */
  static final int MAX_SKIPPED_SHOWN = 10;

  @Mixin
  ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "TOPIC", description = "Topic to record, e.g. factory.telemetry.")
  String topic;

  @Option(names = "--output", required = true, paramLabel = "FILE", description = "File to write.")
  Path output;

  @Option(names = "--format", description = "jsonl, csv or avro (default: from the file name).")
  String format;

  @Override
  public Integer call() throws IOException {
    TelemetryFormat fmt;
    try {
      fmt = TelemetryReplay.formatOf(output, format == null ? Optional.empty() : Optional.of(TelemetryFormat.parse(format)));
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage(), 2);
    }
    Map<String, Object> props = connection.reachableProperties();
    SchemaRegistryAvroSerde<NodeSample> serde = SchemaRegistryAvroSerde.forType(NodeSample.class, props, false);
    long[] counts = {0, 0};   // written, skipped
    String[] firstSkipped = {null};
    // written beside the output and moved over it when complete: a failed run leaves an existing file as it was
    Path partial = output.resolveSibling(".partial-" + output.getFileName());
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(TopicSnapshot.readerProps(props), new StringDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer());
         SampleWriter out = SampleWriter.create(partial, fmt)) {
      TopicSnapshot.read(consumer, topic, r -> {
        if (r.value() == null) {
          return;   // a heartbeat or a tombstone
        }
        try {
          out.write(serde.deserializer().deserialize(r.topic(), r.value()));
          counts[0]++;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
          counts[1]++;
          String where = r.topic() + "-" + r.partition() + "@" + r.offset();
          if (firstSkipped[0] == null) {
            firstSkipped[0] = where + ": " + FactoryMeter.describe(e);
          }
          if (counts[1] <= MAX_SKIPPED_SHOWN) {
            System.err.println("skipped " + where + ": " + FactoryMeter.describe(e));
          }
        }
      });
      if (counts[0] == 0 && counts[1] > 0) {
        throw new UserError(topic + " holds no NodeSamples: none of its " + counts[1] + " record(s) with a value is one (first: "
            + firstSkipped[0] + "); " + output + " was not written");
      }
      out.close();
      Files.move(partial, output, StandardCopyOption.REPLACE_EXISTING);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage() + " at " + props.get("bootstrap.servers"));
    } catch (UncheckedIOException e) {
      throw new UserError("Cannot write " + output + ": " + e.getCause().getMessage());
    } catch (IOException e) {
      throw new UserError("Cannot write " + output + ": " + e.getMessage());
    } finally {
      Files.deleteIfExists(partial);
    }
    System.out.printf("Wrote %d samples from %s to %s%s%n", counts[0], topic, output,
        counts[1] == 0 ? "" : "; " + counts[1] + " record(s) were not NodeSamples" + (counts[1] > MAX_SKIPPED_SHOWN
            ? " (the first " + MAX_SKIPPED_SHOWN + " named above)" : ""));
    return 0;
  }
}
