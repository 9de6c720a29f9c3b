package io.factorymeter.app.metering;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Keeps every input record: event time is taken from the decoded sample later (see
 * {@link SampleIntake}), so the record timestamp only has to be valid. A record without a valid
 * timestamp gets the partition time instead of being dropped.
 */
public final class TelemetryTimestampExtractor implements TimestampExtractor {

  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    return record.timestamp() >= 0 ? record.timestamp() : Math.max(0, partitionTime);
  }
}
