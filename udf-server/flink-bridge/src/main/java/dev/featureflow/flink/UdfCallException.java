package dev.featureflow.flink;

/**
 * A call to the featureflow UDF service failed. The message names the function, the service
 * address, the gRPC status (or the service's per-row reason) and what to do about it.
 */
public final class UdfCallException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String status;

  UdfCallException(String message, String status, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /** The gRPC status code name (UNAVAILABLE, DEADLINE_EXCEEDED...), or ROW_ERROR. */
  public String status() {
    return status;
  }
}
