package io.factorymeter.registry.client;

import org.apache.avro.Schema;

/**
 * One version of a subject: the registry's global schema id, the subject-local version and the
 * schema itself.
 */
public record RegisteredSchema(String subject, int id, int version, Schema schema) {
}
