package dev.featureflow.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.featureflow.udf.v1.FunctionDescriptor;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

/**
 * The real TypeScript service refusing calls beyond its limits: a busy refusal (its pushback
 * trailer) is retried until every row is computed; a batch that can never fit fails at once.
 */
class BusyRetryTest {
  private static BridgeConfig config(String address, int maxRows) {
    return new BridgeConfig(
        address,
        maxRows,
        Duration.ofMillis(5),
        Duration.ofSeconds(30),
        1,
        Duration.ofMillis(20),
        Duration.ofMillis(200),
        Duration.ofSeconds(60),
        BridgeConfig.RowErrorPolicy.FAIL,
        null,
        null,
        null,
        "UTC",
        16 * 1024 * 1024);
  }

  private static FunctionDescriptor transactionFeatures(BridgeConfig config) {
    return ServiceDescription.fetch(config, Duration.ofSeconds(10)).getFunctionsList().stream()
        .filter(f -> f.getName().equals("transaction_features"))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void retriesBusyRefusalsUntilEveryRowIsComputed() throws Exception {
    // One call at a time: the batches sent together are refused as busy while one computes.
    try (TypeScriptUdfServer server =
        TypeScriptUdfServer.start(TypeScriptUdfServer.freePort(), "--max-concurrent-calls", "1")) {
      BridgeConfig config = config(server.address, 2000);
      ManagedChannel channel = SharedChannels.acquire(config);
      BatcherMetrics metrics = BatcherMetrics.standalone();
      // About 50 events a window: a batch of 2000 computes for long enough to be overlapped.
      List<Windows.Window> windows = Windows.transactions(16_000, 100, 21);
      List<CompletableFuture<Row>> futures = new ArrayList<>();
      try (WindowBatcher batcher =
          new WindowBatcher(transactionFeatures(config), config, channel, metrics)) {
        for (Windows.Window window : windows) {
          CompletableFuture<Row> future = new CompletableFuture<>();
          futures.add(future);
          batcher.submit(window.arguments(), future);
        }
        for (int i = 0; i < windows.size(); i++) {
          Row row = futures.get(i).get(60, TimeUnit.SECONDS);
          assertEquals(windows.get(i).cardId(), row.getField(0));
          assertEquals((long) windows.get(i).events().length, row.getField(3));
        }
      } finally {
        SharedChannels.release(config);
      }
      // retry.max-attempts is 1 (no retry after UNAVAILABLE): busy retries are not attempts.
      assertTrue(
          metrics.retries.getCount() >= 1,
          "busy refusals retried: " + metrics.retries.getCount() + " (none refused?)");
      assertEquals(windows.size(), server.invokeRows());
    }
  }

  @Test
  void failsAtOnceWhenABatchCanNeverFitTheServicesLimit() throws Exception {
    try (TypeScriptUdfServer server =
        TypeScriptUdfServer.start(
            TypeScriptUdfServer.freePort(), "--max-bytes-in-flight", "100000")) {
      BridgeConfig config = config(server.address, 2000);
      ManagedChannel channel = SharedChannels.acquire(config);
      BatcherMetrics metrics = BatcherMetrics.standalone();
      List<Windows.Window> windows = Windows.transactions(2000, 8, 22);
      List<CompletableFuture<Row>> futures = new ArrayList<>();
      try (WindowBatcher batcher =
          new WindowBatcher(transactionFeatures(config), config, channel, metrics)) {
        for (Windows.Window window : windows) {
          CompletableFuture<Row> future = new CompletableFuture<>();
          futures.add(future);
          batcher.submit(window.arguments(), future);
        }
        try {
          futures.get(0).get(30, TimeUnit.SECONDS);
          throw new AssertionError("expected the batch to be refused");
        } catch (ExecutionException e) {
          UdfCallException error = assertInstanceOf(UdfCallException.class, e.getCause());
          assertEquals("RESOURCE_EXHAUSTED", error.status());
          assertTrue(
              error.getMessage().contains("more than --max-bytes-in-flight 100000 (send fewer windows per call)")
                  && error.getMessage().endsWith(
                      "(a batch exceeded one of the service's size limits: lower 'batch.max-rows')"),
              error.getMessage());
        }
      } finally {
        SharedChannels.release(config);
      }
      assertEquals(0, metrics.retries.getCount());
    }
  }
}
