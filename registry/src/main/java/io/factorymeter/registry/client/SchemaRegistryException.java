package io.factorymeter.registry.client;

/**
 * A schema registry answered with an error, or could not be reached. Carries Confluent's error
 * code ({@code error_code} of the JSON error body) and the HTTP status.
 *
 * <p>Error codes (Confluent Schema Registry REST API): 40401 subject not found, 40402 version not
 * found, 40403 schema not found, 40404 subject soft-deleted, 409 or 40901 incompatible schema,
 * 42201 invalid schema, 42202 invalid version, 42203 invalid compatibility level, 50001 store
 * error. {@link #UNREACHABLE} (-1) when no registry answered at all.
 */
public class SchemaRegistryException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public static final int UNREACHABLE = -1;
  public static final int SUBJECT_NOT_FOUND = 40401;
  public static final int VERSION_NOT_FOUND = 40402;
  public static final int SCHEMA_NOT_FOUND = 40403;
  public static final int SUBJECT_SOFT_DELETED = 40404;
  public static final int SUBJECT_COMPATIBILITY_NOT_CONFIGURED = 40408;
  public static final int INCOMPATIBLE_SCHEMA = 409;
  public static final int INCOMPATIBLE_SCHEMA_V2 = 40901;
  public static final int INVALID_SCHEMA = 42201;
  public static final int INVALID_VERSION = 42202;
  public static final int INVALID_COMPATIBILITY_LEVEL = 42203;
  public static final int STORE_ERROR = 50001;

  private final int httpStatus;
  private final int errorCode;

  public SchemaRegistryException(int httpStatus, int errorCode, String message) {
    super(message);
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  public SchemaRegistryException(String message, Throwable cause) {
    super(message, cause);
    this.httpStatus = UNREACHABLE;
    this.errorCode = UNREACHABLE;
  }

  /** HTTP status of the answer, or -1 when no registry answered. */
  public int httpStatus() {
    return httpStatus;
  }

  /** Confluent error code of the answer ({@code error_code}), or -1 when no registry answered. */
  public int errorCode() {
    return errorCode;
  }

  /** Subject, version or schema not found (HTTP 404). */
  public boolean isNotFound() {
    return httpStatus == 404;
  }

  /** The schema is incompatible with the subject's earlier versions under its compatibility level. */
  public boolean isIncompatible() {
    return errorCode == INCOMPATIBLE_SCHEMA || errorCode == INCOMPATIBLE_SCHEMA_V2
        || (httpStatus == 409 && errorCode != 40405 && errorCode != 40406 && errorCode != 40407);
  }

  /** The schema text is not a valid schema (42201). */
  public boolean isInvalidSchema() {
    return errorCode == INVALID_SCHEMA;
  }

  /**
   * The registry could not answer now but may later: unreachable, a server error (5xx), a request
   * timeout (408) or too many requests (429). Not found, incompatible or invalid answers are not.
   */
  public boolean isTransient() {
    return httpStatus == UNREACHABLE || httpStatus >= 500 || httpStatus == 408 || httpStatus == 429;
  }

  /** No registry could be reached, after retries over every URL. */
  public boolean isUnreachable() {
    return httpStatus == UNREACHABLE;
  }
}
