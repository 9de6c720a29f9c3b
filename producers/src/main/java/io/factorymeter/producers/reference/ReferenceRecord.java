package io.factorymeter.producers.reference;

import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;

/**
 * One checked reference record: its kind, the topic key (site or gpuModel), the Avro value, and
 * when it takes effect (the record timestamp it is sent with).
 */
public record ReferenceRecord(ReferenceKind kind, String key, SpecificRecord value, Instant effectiveFrom) {
}
