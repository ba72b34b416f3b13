package dev.featureflow.flink;

import dev.featureflow.udf.v1.Argument;
import dev.featureflow.udf.v1.ArgumentRole;
import dev.featureflow.udf.v1.Field;
import dev.featureflow.udf.v1.FunctionDescriptor;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.types.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client of one function within one subtask: Flink's concurrent calls (one per window,
 * {@code table.exec.async-scalar.max-concurrent-operations} at a time) are collected into batches,
 * sent when {@code batch.max-rows} windows are waiting, when {@code batch.max-wait} has passed since
 * the first one, or before the request would outgrow the service's limit.
 *
 * <p>eval (task thread) -> batch -> Invoke (gRPC) -> rows -> futures (gRPC callback thread).
 *
 * <p>UNAVAILABLE (the service or one replica down) and busy refusals are retried as {@link
 * RetryPolicy} says; after UNAVAILABLE the channel's reconnect backoff is reset, so a restarted
 * service is picked up at the next attempt, and with replicas the next attempt goes to another.
 */
final class WindowBatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WindowBatcher.class);

  /** A batch never fills more than this share of the service's request limit. */
  private static final double REQUEST_BUDGET = 0.8;

  private final String name;
  private final BridgeConfig config;
  private final ManagedChannel channel;
  private final BatcherMetrics metrics;
  private final List<Field> eventFields;
  private final List<Field> resultFields;
  private final ZoneId zone;
  private final int entityArg;
  private final int startArg;
  private final int endArg;
  private final int eventsArg;
  private final long byteBudget;
  /** Flush timers and retry delays: tiny tasks, one thread for the JVM (SharedScheduler). */
  private final ScheduledExecutorService scheduler = SharedScheduler.acquire();

  private PendingBatch current;
  private boolean closed;
  private final java.util.concurrent.atomic.AtomicLong nullRows = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong busyRetries = new java.util.concurrent.atomic.AtomicLong();
  private final RetryPolicy retryPolicy;

  WindowBatcher(
      FunctionDescriptor function,
      BridgeConfig config,
      ManagedChannel channel,
      BatcherMetrics metrics) {
    this.name = function.getName();
    this.config = config;
    this.channel = channel;
    this.metrics = metrics;
    this.zone = config.zone();
    this.retryPolicy = new RetryPolicy(config);
    this.resultFields = function.getResult().getFieldsList();
    this.entityArg = argumentIndex(function, ArgumentRole.ARGUMENT_ROLE_ENTITY_ID);
    this.startArg = argumentIndex(function, ArgumentRole.ARGUMENT_ROLE_WINDOW_START);
    this.endArg = argumentIndex(function, ArgumentRole.ARGUMENT_ROLE_WINDOW_END);
    this.eventsArg = argumentIndex(function, ArgumentRole.ARGUMENT_ROLE_EVENTS);
    this.eventFields = function.getArguments(eventsArg).getType().getElement().getFieldsList();
    this.byteBudget =
        config.maxRequestBytes() > 0
            ? (long) (config.maxRequestBytes() * REQUEST_BUDGET)
            : Long.MAX_VALUE;
  }

  private static int argumentIndex(FunctionDescriptor function, ArgumentRole role) {
    List<Argument> arguments = function.getArgumentsList();
    for (int i = 0; i < arguments.size(); i++) {
      if (arguments.get(i).getRole() == role) {
        return i;
      }
    }
    throw new IllegalArgumentException(
        "the UDF service describes "
            + function.getName()
            + " without an argument of role "
            + role
            + " (this bridge needs entity id, window start, window end and events)");
  }

  /** One window: eval's arguments in SQL order; completes {@code future} with its row. */
  void submit(Object[] args, CompletableFuture<Row> future) {
    String entityId;
    long windowStart;
    long windowEnd;
    Object[] events;
    try {
      entityId = args[entityArg].toString();
      windowStart = FlinkTypes.epochMillis(args[startArg], zone);
      windowEnd = FlinkTypes.epochMillis(args[endArg], zone);
      events = (Object[]) args[eventsArg];
    } catch (RuntimeException e) {
      rowFailed(future, "arguments " + java.util.Arrays.toString(args), e.getMessage());
      return;
    }
    metrics.windows.inc();
    PendingBatch full = null;
    PendingBatch overflow = null;
    String problem;
    synchronized (this) {
      if (closed) {
        future.completeExceptionally(
            new UdfCallException(prefix() + "the function is closed", "CANCELLED", null));
        return;
      }
      if (current == null) {
        current = startBatch();
      }
      long bytes = current.estimateBytes(entityId, events);
      if (current.rows() > 0 && current.estimatedBytes() + bytes > byteBudget) {
        overflow = current;
        current = startBatch();
      }
      problem = current.add(entityId, windowStart, windowEnd, events, bytes, future);
      if (problem == null && current.rows() >= config.batchMaxRows()) {
        full = current;
        current = null;
      }
    }
    if (problem != null) {
      rowFailed(future, window(entityId, windowStart, windowEnd), problem);
    }
    if (overflow != null) {
      send(overflow);
    }
    if (full != null) {
      send(full);
    }
  }

  private PendingBatch startBatch() {
    PendingBatch batch = new PendingBatch(eventFields, zone, config.batchMaxRows());
    scheduler.schedule(
        () -> flushIfStillWaiting(batch),
        config.batchMaxWait().toNanos(),
        TimeUnit.NANOSECONDS);
    return batch;
  }

  private void flushIfStillWaiting(PendingBatch batch) {
    synchronized (this) {
      if (current != batch) {
        return;
      }
      current = null;
    }
    // Empty when its only windows were refused (a NULL in an event): nothing to send.
    if (batch.rows() > 0) {
      send(batch);
    }
  }

  private void send(PendingBatch batch) {
    byte[] request;
    try {
      request = batch.encode(name);
    } catch (RuntimeException e) {
      failAll(batch, prefix() + "could not encode the batch: " + e, "INTERNAL", e);
      return;
    }
    metrics.batches.inc();
    attempt(batch, request);
  }

  private void attempt(PendingBatch batch, byte[] request) {
    batch.attempts++;
    ClientCalls.asyncUnaryCall(
        channel.newCall(
            InvokeWire.INVOKE,
            CallOptions.DEFAULT.withDeadlineAfter(
                config.callTimeout().toNanos(), TimeUnit.NANOSECONDS)),
        request,
        new StreamObserver<byte[]>() {
          private byte[] response;

          @Override
          public void onNext(byte[] value) {
            response = value;
          }

          @Override
          public void onError(Throwable error) {
            failed(batch, request, error);
          }

          @Override
          public void onCompleted() {
            deliver(batch, response);
          }
        });
  }

  private void failed(PendingBatch batch, byte[] request, Throwable error) {
    Status status = Status.fromThrowable(error);
    Metadata trailers = Status.trailersFromThrowable(error);
    if (status.getCode() == Status.Code.UNAVAILABLE) {
      batch.unavailableFailures++;
    }
    RetryPolicy.Outcome outcome = retryPolicy.outcome(status, trailers, batch);
    boolean closedNow;
    synchronized (this) {
      closedNow = closed;
    }
    if (outcome != RetryPolicy.Outcome.GIVE_UP && !closedNow) {
      boolean busy = outcome == RetryPolicy.Outcome.RETRY_BUSY;
      int failures = busy ? ++batch.busyFailures : batch.unavailableFailures;
      long delayNanos = retryPolicy.delayNanos(outcome, trailers, failures);
      metrics.retries.inc();
      if (busy) {
        // Back-pressure: expected under load, so logged once in a while, not per batch.
        if (busyRetries.incrementAndGet() % 100 == 1) {
          LOG.warn(
              "{}the service is busy ({}); retrying in {} ms ({} busy retries so far)",
              prefix(),
              status.getDescription(),
              TimeUnit.NANOSECONDS.toMillis(delayNanos),
              busyRetries.get());
        }
      } else {
        LOG.warn(
            "{}UNAVAILABLE ({}); attempt {} of {} in {} ms",
            prefix(),
            status.getDescription(),
            batch.unavailableFailures + 1,
            config.retryMaxAttempts(),
            TimeUnit.NANOSECONDS.toMillis(delayNanos));
        // Without this the channel may still be in its own reconnect backoff (up to minutes)
        // when the service is back.
        channel.resetConnectBackoff();
      }
      try {
        scheduler.schedule(() -> attempt(batch, request), delayNanos, TimeUnit.NANOSECONDS);
        return;
      } catch (java.util.concurrent.RejectedExecutionException closedMeanwhile) {
        // The function closed between the check and the retry: fail below, as if not retried.
      }
    }
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - batch.createdNanos);
    String message =
        prefix()
            + status.getCode()
            + (batch.attempts > 1
                ? " after " + batch.attempts + " attempts in " + elapsedMs + " ms"
                : "")
            + ": "
            + status.getDescription()
            + " ("
            + hint(status.getCode(), RetryPolicy.pushbackMs(trailers) >= 0)
            + ")";
    failAll(batch, message, status.getCode().name(), error);
  }

  private String hint(Status.Code code, boolean busy) {
    return switch (code) {
      case UNAVAILABLE ->
          "is 'featureflow udf-server' running at "
              + config.address()
              + "? check the module's 'address' option, the network, TLS settings and the service's log";
      case DEADLINE_EXCEEDED ->
          "the service took longer than call.timeout="
              + config.callTimeout().toMillis()
              + " ms: raise 'call.timeout', lower 'batch.max-rows' or add UDF service capacity";
      case RESOURCE_EXHAUSTED ->
          busy
              ? "the service stayed busy for retry.busy-timeout="
                  + config.retryBusyTimeout().toMillis()
                  + " ms: add UDF service replicas, raise its --max-concurrent-calls or"
                  + " --max-bytes-in-flight, or lower table.exec.async-scalar.max-concurrent-operations"
              : "a batch exceeded one of the service's size limits: lower 'batch.max-rows'";
      case NOT_FOUND, INVALID_ARGUMENT ->
          "the bridge and the service disagree about the function: LOAD MODULE again after changing the service";
      case UNAUTHENTICATED, PERMISSION_DENIED -> "check tls.ca, tls.cert and tls.key";
      default -> "see the UDF service's log";
    };
  }

  private void deliver(PendingBatch batch, byte[] response) {
    ResultRows rows;
    try {
      rows =
          ResultRows.of(
              InvokeResponseReader.decodeResponse(response, batch.rows()), batch.rows(), resultFields, zone);
    } catch (IOException | RuntimeException e) {
      failAll(
          batch,
          prefix() + "unusable answer: " + e.getMessage() + " (the service and bridge versions disagree?)",
          "INTERNAL",
          e);
      return;
    }
    for (int i = 0; i < batch.rows(); i++) {
      CompletableFuture<Row> future = batch.futures.get(i);
      String error = rows.error(i);
      if (error == null) {
        future.complete(rows.row(i));
      } else {
        rowFailed(future, "window " + i + " of the batch", error);
      }
    }
  }

  private void rowFailed(CompletableFuture<Row> future, String where, String reason) {
    metrics.rowErrors.inc();
    String message = prefix() + where + ": " + reason;
    if (config.rowErrorPolicy() == BridgeConfig.RowErrorPolicy.NULL) {
      // Rate-limited: a poisoned stream would otherwise flood the TaskManager log.
      long count = nullRows.incrementAndGet();
      if (count % 1000 == 1) {
        LOG.warn("{} (NULL row, row-error = 'null'; {} so far)", message, count);
      }
      future.complete(null);
    } else {
      future.completeExceptionally(
          new UdfCallException(
              message + " (fix the input, or LOAD MODULE with 'row-error' = 'null' to get NULL rows)",
              "ROW_ERROR",
              null));
    }
  }

  private void failAll(PendingBatch batch, String message, String status, Throwable cause) {
    UdfCallException error = new UdfCallException(message, status, cause);
    for (CompletableFuture<Row> future : batch.futures) {
      future.completeExceptionally(error);
    }
  }

  private String window(String entityId, long start, long end) {
    return "window of '" + entityId + "' [" + start + ", " + end + ")";
  }

  private String prefix() {
    return "featureflow UDF " + name + " at " + config.address() + ": ";
  }

  /** Fails calls not yet sent; calls in flight still complete. */
  @Override
  public void close() {
    PendingBatch unsent;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      unsent = current;
      current = null;
    }
    SharedScheduler.release();
    if (unsent != null) {
      failAll(unsent, prefix() + "closed before the batch was sent", "CANCELLED", null);
    }
  }
}
