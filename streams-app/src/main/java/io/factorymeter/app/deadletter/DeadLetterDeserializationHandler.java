package io.factorymeter.app.deadletter;

import io.factorymeter.registry.serde.SchemaRegistryUnavailableException;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record that the topology's own serdes cannot read (telemetry is read as bytes and decoded in
 * the intake, so this concerns internal repartition records) goes to the dead-letter topic with
 * reason DESERIALIZATION and processing goes on, instead of stopping the application on every
 * restart.
 */
public final class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);

  private DeadLetterConfig config;

  @Override
  public void configure(Map<String, ?> configs) {
    config = DeadLetterConfig.from(configs);
  }

  @Override
  public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    if (SchemaRegistryUnavailableException.isCause(exception)) {
      return Response.fail();
    }
    HandledErrors.DESERIALIZATION.incrementAndGet();
    log.warn("Record of {}-{} offset {} does not decode: {}; it goes to {} (DESERIALIZATION)", record.topic(),
        record.partition(), record.offset(), exception.toString(), config.topic());
    DeadLetter dead = DeadLetter.of(record.key(), record.value(), record.headers(), "DESERIALIZATION", exception.toString(),
        new DeadLetter.Source(record.topic(), record.partition(), record.offset()), config.maxBytes());
    return Response.resume(List.of(dead.toRecord(config.topic(), record.timestamp())));
  }
}
