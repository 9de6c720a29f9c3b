package io.factorymeter.app.deadletter;

import io.factorymeter.registry.serde.SchemaRegistryUnavailableException;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Any exception while processing a record (a bug, an unexpected value, an overflow beyond the
 * documented capacity) puts the record the task read, whole, in the dead-letter topic with reason
 * PROCESSING_ERROR, and processing goes on (SPEC §1: nothing disappears, nothing stops the
 * pipeline). The one exception: the schema registry being unavailable is not the record's fault,
 * so the task fails and is retried (see {@code MeteringApplication}).
 */
public final class DeadLetterProcessingHandler implements ProcessingExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(DeadLetterProcessingHandler.class);

  private DeadLetterConfig config;

  @Override
  public void configure(Map<String, ?> configs) {
    config = DeadLetterConfig.from(configs);
  }

  @Override
  public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
    if (SchemaRegistryUnavailableException.isCause(exception)) {
      return Response.fail();
    }
    HandledErrors.PROCESSING.incrementAndGet();
    String detail = exception + " in processor " + context.processorNodeId();
    log.warn("Processor {} failed on {}-{} offset {}: {}; the record goes to {} (PROCESSING_ERROR)",
        context.processorNodeId(), context.topic(), context.partition(), context.offset(), exception.toString(), config.topic());
    DeadLetter dead = DeadLetter.of(context.sourceRawKey(), context.sourceRawValue(), context.headers(), "PROCESSING_ERROR",
        detail, new DeadLetter.Source(context.topic(), context.partition(), context.offset()), config.maxBytes());
    dead.headers().add(DeadLetterHeaders.FAILED_AT, context.processorNodeId().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return Response.resume(List.of(dead.toRecord(config.topic(), context.timestamp())));
  }
}
