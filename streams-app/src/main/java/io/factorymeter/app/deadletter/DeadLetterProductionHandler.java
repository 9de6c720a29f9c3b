package io.factorymeter.app.deadletter;

import io.factorymeter.registry.serde.SchemaRegistryUnavailableException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An output the broker refuses for good (too large, a timestamp out of the topic's range, ...) or
 * that cannot be serialized puts the input record it came from in the dead-letter topic with
 * reason PRODUCTION_ERROR and the topic it was meant for, and processing goes on. A dead letter
 * the broker refuses in turn (the dead-letter topic configured smaller than
 * {@code factory.meter.dead-letter.max.bytes}) is replaced by one without key and value, whose
 * headers still point at the original. Retriable errors are retried; an unavailable schema
 * registry fails the task, which is retried.
 *
 * <p>Under exactly_once_v2 a record the broker refuses aborts the whole transaction whatever this
 * handler answers (seen with Kafka 4.3.1: "Error encountered trying to add offsets to a
 * transaction"), so the application prevents that case instead: dead letters are cut to the
 * dead-letter topic's own {@code max.message.bytes} ({@code MeteringApplication#provisionTopics}),
 * and outputs are small. This handler covers at_least_once and errors raised before sending
 * (serialization).
 */
public final class DeadLetterProductionHandler implements ProductionExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(DeadLetterProductionHandler.class);

  private DeadLetterConfig config;

  @Override
  public void configure(Map<String, ?> configs) {
    config = DeadLetterConfig.from(configs);
  }

  @Override
  public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
    if (exception instanceof RetriableException) {
      return Response.retry();
    }
    return deadLetter(context, record.topic(), record.timestamp(), exception);
  }

  @Override
  @SuppressWarnings("rawtypes")
  public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
      SerializationExceptionOrigin origin) {
    if (SchemaRegistryUnavailableException.isCause(exception)) {
      return Response.fail();
    }
    return deadLetter(context, record.topic(), record.timestamp(), exception);
  }

  private Response deadLetter(ErrorHandlerContext context, String failedTopic, Long timestamp, Exception exception) {
    HandledErrors.PRODUCTION.incrementAndGet();
    String detail = exception + " writing to " + failedTopic;
    log.warn("Writing to {} failed for the record of {}-{} offset {}: {}; it goes to {} (PRODUCTION_ERROR)", failedTopic,
        context.topic(), context.partition(), context.offset(), exception.toString(), config.topic());
    DeadLetter.Source source = new DeadLetter.Source(context.topic(), context.partition(), context.offset());
    DeadLetter dead = failedTopic.equals(config.topic())
        // the dead letter itself was refused: a stub that only points at the original
        ? DeadLetter.of((byte[]) null, null, null, "PRODUCTION_ERROR", detail, source, config.maxBytes())
        : DeadLetter.of(context.sourceRawKey(), context.sourceRawValue(), context.headers(), "PRODUCTION_ERROR", detail,
            source, config.maxBytes());
    dead.headers().add(DeadLetterHeaders.FAILED_AT, failedTopic.getBytes(StandardCharsets.UTF_8));
    return Response.resume(List.of(dead.toRecord(config.topic(), timestamp)));
  }
}
