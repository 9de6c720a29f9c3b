package io.factorymeter.app.rollup;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Deltas go to the partition of their key (a cluster, the fleet, or tenant|model|period), as
 * Kafka's default partitioner would place them; watermarks go to every partition, so that each
 * rollup task hears the progress of every input partition.
 */
public final class RollupPartitioner implements StreamPartitioner<String, RollupEvent> {

  @Override
  public Optional<Set<Integer>> partitions(String topic, String key, RollupEvent value, int numPartitions) {
    if (value instanceof RollupEvent.Watermark) {
      return Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toSet()));
    }
    byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
    return Optional.of(Set.of(Utils.toPositive(Utils.murmur2(bytes)) % numPartitions));
  }
}
