package io.factorymeter.app.deadletter;

/**
 * Names of the headers the pipeline puts on records of the dead-letter and late topics (SPEC §1,
 * §4): why the record is there and where it came from. Every name starts with {@value #PREFIX};
 * a header of the original record with such a name was not written by the pipeline and is passed
 * on renamed, prefixed with {@value #FROM_PRODUCER}, so that it is never taken for the pipeline's.
 */
public final class DeadLetterHeaders {

  /** The prefix of the pipeline's own header names. */
  public static final String PREFIX = "factory.meter.";
  /** What a producer's header named like the pipeline's is renamed to: this prefix + its name. */
  public static final String FROM_PRODUCER = "producer.";

  /**
   * Why: DESERIALIZATION, KEY_MISMATCH, INVALID_ID, RESERVED_ID, OUT_OF_RANGE, NAN, FUTURE_TIMESTAMP
   * (the input rules), PROCESSING_ERROR or PRODUCTION_ERROR (the pipeline failed on the record), or
   * BEYOND_RESTATEMENT_HORIZON on the late topic.
   */
  public static final String REASON = PREFIX + "reason";
  /** A sentence saying what exactly is wrong. */
  public static final String DETAIL = PREFIX + "reason.detail";
  public static final String SOURCE_TOPIC = PREFIX + "source.topic";
  public static final String SOURCE_PARTITION = PREFIX + "source.partition";
  public static final String SOURCE_OFFSET = PREFIX + "source.offset";
  /** The processor that failed (PROCESSING_ERROR), or the topic a record could not be written to (PRODUCTION_ERROR). */
  public static final String FAILED_AT = PREFIX + "failed.at";
  /** Set when the value was cut to fit the dead-letter size limit: the original value's length in bytes. */
  public static final String VALUE_TRUNCATED = PREFIX + "value.truncated";
  /** Set when the original headers were left out to fit the size limit: how many there were. */
  public static final String HEADERS_DROPPED = PREFIX + "headers.dropped";
  /** Set when the original key was left out to fit the size limit: its length in bytes. */
  public static final String KEY_DROPPED = PREFIX + "key.dropped";

  private DeadLetterHeaders() {
  }
}
