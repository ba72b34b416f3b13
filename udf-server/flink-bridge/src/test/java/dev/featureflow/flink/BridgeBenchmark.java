package dev.featureflow.flink;

import dev.featureflow.udf.v1.FunctionDescriptor;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.flink.types.Row;

/**
 * Windows per second through the bridge's client (the code a Flink subtask runs: eval ->
 * batch -> gRPC -> TypeScript -> rows) into a running UDF service. Driven by bench/udf-bridge.ts,
 * which measures the same windows in-process in the same run.
 *
 * <pre>
 *   java -cp ... dev.featureflow.flink.BridgeBenchmark ADDRESS WINDOWS_FILE PASSES MAX_ROWS IN_FLIGHT
 * </pre>
 *
 * WINDOWS_FILE: one window per line, {@code entity \t start \t end \t amount,merchant,country,ts;...}.
 * Prints one JSON line per pass: {"windows": n, "ms": wall, "cpuMs": this JVM's CPU, "batches": b,
 * "checksum": the rows' numeric fields summed as 64-bit patterns, unsigned decimal}.
 * CPU time is reported because the machine may be shared: wall time then says more about the
 * neighbours than about the bridge.
 */
public final class BridgeBenchmark {
  private BridgeBenchmark() {}

  public static void main(String[] args) throws Exception {
    String address = args[0];
    List<Object[]> windows = read(Path.of(args[1]));
    int passes = Integer.parseInt(args[2]);
    int maxRows = Integer.parseInt(args[3]);
    int inFlight = Integer.parseInt(args[4]);
    // The module's defaults (what LOAD MODULE gives a job), except the batch size from the caller.
    BridgeConfig config =
        new BridgeConfig(
            address,
            maxRows,
            BridgeOptions.BATCH_MAX_WAIT.defaultValue(),
            BridgeOptions.CALL_TIMEOUT.defaultValue(),
            BridgeOptions.RETRY_MAX_ATTEMPTS.defaultValue(),
            BridgeOptions.RETRY_INITIAL_BACKOFF.defaultValue(),
            BridgeOptions.RETRY_MAX_BACKOFF.defaultValue(),
            BridgeOptions.RETRY_BUSY_TIMEOUT.defaultValue(),
            BridgeConfig.RowErrorPolicy.FAIL,
            null,
            null,
            null,
            "UTC",
            0);
    FunctionDescriptor function =
        ServiceDescription.fetch(config, Duration.ofSeconds(30)).getFunctionsList().stream()
            .filter(f -> f.getName().equals("transaction_features"))
            .findFirst()
            .orElseThrow();
    ManagedChannel channel = SharedChannels.acquire(config);
    try {
      for (int pass = 0; pass < passes; pass++) {
        BatcherMetrics metrics = BatcherMetrics.standalone();
        try (WindowBatcher batcher = new WindowBatcher(function, config, channel, metrics)) {
          long cpuStarted = processCpuNanos();
          long started = System.nanoTime();
          long checksum = run(batcher, windows, inFlight);
          long nanos = System.nanoTime() - started;
          long cpuNanos = processCpuNanos() - cpuStarted;
          System.out.printf(
              Locale.ROOT,
              "{\"windows\": %d, \"ms\": %.3f, \"cpuMs\": %.3f, \"batches\": %d, \"checksum\": \"%s\"}%n",
              windows.size(),
              nanos / 1e6,
              cpuNanos / 1e6,
              metrics.batches.getCount(),
              Long.toUnsignedString(checksum));
        }
      }
    } finally {
      SharedChannels.release(config);
    }
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * Like Flink's async operator: at most {@code inFlight} calls outstanding, one caller thread.
   * Every row is checked as it arrives: its entity id and window start are the window's, and its
   * numeric fields go into a checksum (their 64-bit patterns summed, in any order) that
   * bench/udf-bridge.ts compares with the same sum over the in-process results.
   */
  private static long run(WindowBatcher batcher, List<Object[]> windows, int inFlight)
      throws InterruptedException {
    Semaphore permits = new Semaphore(inFlight);
    AtomicLong failures = new AtomicLong();
    LongAdder checksum = new LongAdder();
    for (Object[] window : windows) {
      permits.acquire();
      CompletableFuture<Row> future = new CompletableFuture<>();
      future.whenComplete(
          (row, error) -> {
            if (error != null
                || row == null
                || !window[0].equals(row.getField(0))
                || !window[1].equals(row.getField(1))) {
              failures.incrementAndGet();
            } else {
              checksum.add(numericChecksum(row));
            }
            permits.release();
          });
      batcher.submit(window, future);
    }
    if (!permits.tryAcquire(inFlight, 120, TimeUnit.SECONDS)) {
      throw new IllegalStateException("calls did not finish within 120 s");
    }
    if (failures.get() > 0) {
      throw new IllegalStateException(failures.get() + " windows failed or came back wrong");
    }
    return checksum.sum();
  }

  /** The numeric fields of a row: doubles by their bits, integers by their value, summed. */
  private static long numericChecksum(Row row) {
    long sum = 0;
    for (int i = 0; i < row.getArity(); i++) {
      Object value = row.getField(i);
      if (value instanceof Double d) {
        sum += Double.doubleToRawLongBits(d);
      } else if (value instanceof Number n) {
        sum += n.longValue();
      }
    }
    return sum;
  }

  private static List<Object[]> read(Path file) throws IOException {
    List<Object[]> windows = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      if (line.isEmpty()) {
        continue;
      }
      String[] parts = line.split("\t");
      String[] encoded = parts[3].split(";");
      Row[] events = new Row[encoded.length];
      for (int e = 0; e < encoded.length; e++) {
        String[] f = encoded[e].split(",");
        events[e] = Row.of(Double.parseDouble(f[0]), f[1], f[2], Long.parseLong(f[3]));
      }
      windows.add(
          new Object[] {parts[0], Long.parseLong(parts[1]), Long.parseLong(parts[2]), events});
    }
    return windows;
  }
}
