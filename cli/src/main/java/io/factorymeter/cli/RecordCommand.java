package io.factorymeter.cli;

import io.factorymeter.producers.replay.TelemetryReplay;
import io.factorymeter.producers.telemetry.SampleWriter;
import io.factorymeter.producers.telemetry.TelemetryFormat;
import io.factorymeter.registry.client.SchemaRegistryClient;
import io.factorymeter.registry.serde.SchemaRegistryAvroSerde;
import io.factorymeter.schema.NodeSample;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Writes the samples of a telemetry topic to a file that replay reads back: the archive side of replay. */
@Command(name = "record", mixinStandardHelpOptions = true,
    description = {"Write the NodeSamples of a topic, from its beginning to its end at the start of the command,",
        "to a replayable file: JSON Lines, flat CSV or Avro (from the name, or --format), gzip when it ends in .gz.",
        "Heartbeats are left out; records that are not NodeSamples are reported and left out."})
final class RecordCommand implements Callable<Integer> {

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
    Map<String, Object> props = connection.properties();
    Reachability.requireKafka(props);
    Reachability.requireRegistry(props);
    Map<String, Object> p = new HashMap<>(props);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    SchemaRegistryAvroSerde<NodeSample> serde = SchemaRegistryAvroSerde.forType(NodeSample.class,
        SchemaRegistryClient.fromConfig(props), props, false);
    long written = 0;
    long skipped = 0;
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer());
         SampleWriter out = SampleWriter.create(output, fmt)) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
      if (infos == null || infos.isEmpty()) {
        throw new UserError("Topic " + topic + " does not exist at " + props.get("bootstrap.servers"));
      }
      List<TopicPartition> partitions = new ArrayList<>();
      infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      while (partitions.stream().anyMatch(tp -> consumer.position(tp, Duration.ofSeconds(30)) < ends.get(tp))) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.offset() >= ends.get(new TopicPartition(r.topic(), r.partition())) || r.value() == null) {
            continue;
          }
          try {
            out.write(serde.deserializer().deserialize(r.topic(), r.value()));
            written++;
          } catch (RuntimeException e) {
            skipped++;
            System.err.println("skipped " + r.topic() + "-" + r.partition() + "@" + r.offset() + ": " + e.getMessage());
          }
        }
      }
    } catch (IOException e) {
      throw new UserError("Cannot write " + output + ": " + e.getMessage());
    }
    System.out.printf("Wrote %d samples from %s to %s%s%n", written, topic, output,
        skipped == 0 ? "" : "; " + skipped + " record(s) were not NodeSamples");
    return 0;
  }
}
