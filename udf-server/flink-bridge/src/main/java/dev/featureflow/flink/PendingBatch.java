package dev.featureflow.flink;

import dev.featureflow.udf.v1.Field;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.types.Row;

/** The windows collected for one Invoke call, and the futures waiting for their rows. */
final class PendingBatch {
  /** Bytes per window and per event value beyond their strings: tags, lengths, 8-byte numbers. */
  private static final int WINDOW_OVERHEAD_BYTES = 32;

  private static final int VALUE_OVERHEAD_BYTES = 10;

  final long createdNanos = System.nanoTime();
  /** Attempts so far, and how many failed as UNAVAILABLE or busy (see RetryPolicy). One attempt
   * runs at a time, each started after the previous one ended. */
  int attempts;
  int unavailableFailures;
  int busyFailures;
  final List<CompletableFuture<Row>> futures;
  private final EventColumns events;
  private final int eventFieldCount;
  private final StringColumnWriter entityIds;
  private long[] starts;
  private long[] ends;
  private int[] counts;
  private long estimatedBytes;

  PendingBatch(List<Field> eventFields, ZoneId zone, int expectedRows) {
    futures = new ArrayList<>(expectedRows);
    events = new EventColumns(eventFields, zone, expectedRows * 4);
    eventFieldCount = eventFields.size();
    entityIds = new StringColumnWriter(expectedRows);
    starts = new long[expectedRows];
    ends = new long[expectedRows];
    counts = new int[expectedRows];
  }

  int rows() {
    return futures.size();
  }

  long estimatedBytes() {
    return estimatedBytes;
  }

  /** What adding a window of these events would add to the request, roughly. */
  long estimateBytes(String entityId, Object[] windowEvents) {
    return WINDOW_OVERHEAD_BYTES
        + entityId.length()
        + (long) windowEvents.length * eventFieldCount * VALUE_OVERHEAD_BYTES;
  }

  /**
   * Adds a window, or returns why its events cannot be sent (see {@link EventColumns#append}) and
   * leaves the batch as it was.
   */
  String add(
      String entityId,
      long windowStart,
      long windowEnd,
      Object[] windowEvents,
      long bytes,
      CompletableFuture<Row> future) {
    String problem = events.append(windowEvents);
    if (problem != null) {
      return problem;
    }
    int row = futures.size();
    if (row == starts.length) {
      int grown = Math.max(16, row * 2);
      starts = Arrays.copyOf(starts, grown);
      ends = Arrays.copyOf(ends, grown);
      counts = Arrays.copyOf(counts, grown);
    }
    entityIds.add(entityId);
    starts[row] = windowStart;
    ends[row] = windowEnd;
    counts[row] = windowEvents.length;
    estimatedBytes += bytes;
    futures.add(future);
    return null;
  }

  /** The encoded InvokeRequest (udf.proto) of this batch. */
  byte[] encode(String functionName) {
    int rows = futures.size();
    return InvokeWire.encodeRequest(
        functionName,
        entityIds.finish(),
        starts,
        ends,
        counts,
        rows,
        events.toWire(),
        events.size());
  }
}
