package dev.featureflow.flink;

import io.grpc.Metadata;
import io.grpc.Status;
import java.util.concurrent.TimeUnit;

/**
 * Whether a failed Invoke call is sent again, and after how long. The functions are pure and a
 * failed call delivered nothing to Flink, so a repeat is harmless; two failures are worth one:
 *
 * <ul>
 *   <li>UNAVAILABLE: the service is down or restarting, or the replica died with the call in
 *       flight (with replicas the next attempt goes to another). At most {@code
 *       retry.max-attempts}, with exponential backoff.
 *   <li>Busy: RESOURCE_EXHAUSTED with a {@code grpc-retry-pushback-ms} trailer, which the service
 *       sets only when it refused the call before computing it because of its concurrency or
 *       bytes-in-flight limit. That is back-pressure, not a fault: retried for up to {@code
 *       retry.busy-timeout}, waiting the longer of the pushback and the backoff, and not counted
 *       against the attempts. Without the trailer (a batch too large for the service) it is final.
 * </ul>
 */
final class RetryPolicy {
  /** gRPC's standard trailer for "retry after this many milliseconds" (A6, client retries). */
  static final Metadata.Key<String> PUSHBACK_MS =
      Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);

  /** What a failed attempt leads to. */
  enum Outcome {
    RETRY_UNAVAILABLE,
    RETRY_BUSY,
    GIVE_UP
  }

  private final BridgeConfig config;

  RetryPolicy(BridgeConfig config) {
    this.config = config;
  }

  Outcome outcome(Status status, Metadata trailers, PendingBatch batch) {
    if (status.getCode() == Status.Code.UNAVAILABLE) {
      return batch.unavailableFailures < config.retryMaxAttempts()
          ? Outcome.RETRY_UNAVAILABLE
          : Outcome.GIVE_UP;
    }
    if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED && pushbackMs(trailers) >= 0) {
      long waitedNanos = System.nanoTime() - batch.createdNanos;
      return waitedNanos < config.retryBusyTimeout().toNanos() ? Outcome.RETRY_BUSY : Outcome.GIVE_UP;
    }
    return Outcome.GIVE_UP;
  }

  /** The wait before the next attempt, after {@code failures} failures of this kind. */
  long delayNanos(Outcome outcome, Metadata trailers, int failures) {
    long backoff = backoffNanos(failures);
    if (outcome == Outcome.RETRY_BUSY) {
      return Math.max(backoff, TimeUnit.MILLISECONDS.toNanos(pushbackMs(trailers)));
    }
    return backoff;
  }

  private long backoffNanos(int failures) {
    long initial = config.retryInitialBackoff().toNanos();
    long max = config.retryMaxBackoff().toNanos();
    long backoff = initial << Math.min(Math.max(failures, 1) - 1, 20);
    return Math.min(backoff <= 0 ? max : backoff, max);
  }

  /** The service's pushback in ms, or -1 when it sent none (or one that says "do not retry"). */
  static long pushbackMs(Metadata trailers) {
    String value = trailers == null ? null : trailers.get(PUSHBACK_MS);
    if (value == null || !value.matches("\\d{1,9}")) {
      return -1;
    }
    return Long.parseLong(value);
  }
}
