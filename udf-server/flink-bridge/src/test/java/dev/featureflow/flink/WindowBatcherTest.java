package dev.featureflow.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.featureflow.udf.v1.DescribeResponse;
import dev.featureflow.udf.v1.FunctionDescriptor;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bridge's client against the real TypeScript service: batching, row errors, retries while the
 * service is down, and recovery when it is back.
 */
class WindowBatcherTest {
  private static TypeScriptUdfServer server;
  private static FunctionDescriptor transactionFeatures;

  @BeforeAll
  static void startServer() {
    server = TypeScriptUdfServer.start(TypeScriptUdfServer.freePort());
    DescribeResponse description = ServiceDescription.fetch(config(100, 50), Duration.ofSeconds(10));
    transactionFeatures =
        description.getFunctionsList().stream()
            .filter(f -> f.getName().equals("transaction_features"))
            .findFirst()
            .orElseThrow();
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private static BridgeConfig config(int maxRows, int maxWaitMs) {
    return new BridgeConfig(
        server.address,
        maxRows,
        Duration.ofMillis(maxWaitMs),
        Duration.ofSeconds(10),
        4,
        Duration.ofMillis(100),
        Duration.ofMillis(400),
        Duration.ofSeconds(30),
        BridgeConfig.RowErrorPolicy.FAIL,
        null,
        null,
        null,
        "UTC",
        16 * 1024 * 1024);
  }

  private static Row get(CompletableFuture<Row> future) throws Exception {
    return future.get(30, TimeUnit.SECONDS);
  }

  @Test
  void batchesConcurrentCallsAndReturnsEveryRow() throws Exception {
    // A long max-wait: on a busy machine a thread may pause, and the test is about full batches.
    BridgeConfig config = config(100, 2000);
    ManagedChannel channel = SharedChannels.acquire(config);
    BatcherMetrics metrics = BatcherMetrics.standalone();
    List<Windows.Window> windows = Windows.transactions(2000, 8, 1);
    long callsBefore = server.invokeCalls();
    List<CompletableFuture<Row>> futures = new ArrayList<>();
    try (WindowBatcher batcher = new WindowBatcher(transactionFeatures, config, channel, metrics)) {
      // Four threads at once, as several async calls of one subtask would be in flight.
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        List<Windows.Window> share = windows.subList(t * 500, (t + 1) * 500);
        List<CompletableFuture<Row>> shareFutures = new ArrayList<>();
        for (int i = 0; i < share.size(); i++) {
          shareFutures.add(new CompletableFuture<>());
        }
        futures.addAll(shareFutures);
        Thread thread =
            new Thread(
                () -> {
                  for (int i = 0; i < share.size(); i++) {
                    batcher.submit(share.get(i).arguments(), shareFutures.get(i));
                  }
                });
        threads.add(thread);
        thread.start();
      }
      for (Thread thread : threads) {
        thread.join();
      }
      for (int i = 0; i < windows.size(); i++) {
        Windows.Window window = windows.get(i);
        Row row = get(futures.get(i));
        assertEquals(window.cardId(), row.getField(0));
        assertEquals(window.start(), row.getField(1));
        assertEquals(window.end(), row.getField(2));
        assertEquals((long) window.events().length, row.getField(3));
        assertEquals(window.amountSum(), (Double) row.getField(4), 1e-9 * window.amountSum());
      }
    } finally {
      SharedChannels.release(config);
    }
    long calls = server.invokeCalls() - callsBefore;
    // 2000 windows in batches of up to 100: 20 full ones, plus at most one partial per thread.
    assertTrue(calls >= 20 && calls <= 24, "Invoke calls on the server: " + calls);
    assertEquals(calls, metrics.batches.getCount());
    assertEquals(2000, metrics.windows.getCount());
  }

  @Test
  void sendsALoneWindowAfterMaxWait() throws Exception {
    BridgeConfig config = config(1000, 30);
    ManagedChannel channel = SharedChannels.acquire(config);
    BatcherMetrics metrics = BatcherMetrics.standalone();
    try (WindowBatcher batcher = new WindowBatcher(transactionFeatures, config, channel, metrics)) {
      Windows.Window window = Windows.transactions(1, 3, 2).get(0);
      CompletableFuture<Row> future = new CompletableFuture<>();
      long started = System.nanoTime();
      batcher.submit(window.arguments(), future);
      assertEquals((long) window.events().length, get(future).getField(3));
      long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertTrue(waitedMs >= 30, "sent after " + waitedMs + " ms, before batch.max-wait");
      assertEquals(1, metrics.batches.getCount());
    } finally {
      SharedChannels.release(config);
    }
  }

  @Test
  void reportsTheServicesReasonForABadRowAndStillComputesTheOthers() throws Exception {
    // Two rows reach the service (the NULL field is refused here): a batch of exactly two, so
    // the positions in the message do not depend on how fast a loaded machine submits.
    BridgeConfig config = config(2, 10_000);
    ManagedChannel channel = SharedChannels.acquire(config);
    try (WindowBatcher batcher =
        new WindowBatcher(transactionFeatures, config, channel, BatcherMetrics.standalone())) {
      Windows.Window good = Windows.transactions(1, 3, 3).get(0);
      Row[] nanEvent = {Row.of(Double.NaN, "m-1", "DE", good.start())};
      Row[] nullEvent = {Row.of(1.0, null, "DE", good.start())};
      CompletableFuture<Row> ok = new CompletableFuture<>();
      CompletableFuture<Row> nan = new CompletableFuture<>();
      CompletableFuture<Row> nul = new CompletableFuture<>();
      batcher.submit(good.arguments(), ok);
      batcher.submit(new Object[] {"card-x", good.start(), good.end(), nanEvent}, nan);
      batcher.submit(new Object[] {"card-y", good.start(), good.end(), nullEvent}, nul);
      assertEquals(good.cardId(), get(ok).getField(0));
      String nanMessage = failure(nan).getMessage();
      assertTrue(
          nanMessage.startsWith(
              "featureflow UDF transaction_features at " + server.address + ": window 1 of the batch: "
                  + "transaction_features row 1 (entity 'card-x'"),
          nanMessage);
      assertTrue(nanMessage.contains("amount is NaN (expected a finite number)"), nanMessage);
      String nullMessage = failure(nul).getMessage();
      assertTrue(
          nullMessage.contains(
              "window of 'card-y' [" + good.start() + ", " + good.end() + "): event 0 field merchant_id is NULL"),
          nullMessage);
    } finally {
      SharedChannels.release(config);
    }
  }

  @Test
  void givesNullRowsWhenAskedTo() throws Exception {
    BridgeConfig failing = config(10, 10);
    BridgeConfig config =
        new BridgeConfig(
            failing.address(), 10, Duration.ofMillis(10), Duration.ofSeconds(10), 4,
            Duration.ofMillis(100), Duration.ofMillis(400), Duration.ofSeconds(30), BridgeConfig.RowErrorPolicy.NULL,
            null, null, null, "UTC", 16 * 1024 * 1024);
    ManagedChannel channel = SharedChannels.acquire(config);
    BatcherMetrics metrics = BatcherMetrics.standalone();
    try (WindowBatcher batcher = new WindowBatcher(transactionFeatures, config, channel, metrics)) {
      Windows.Window window = Windows.transactions(1, 3, 4).get(0);
      CompletableFuture<Row> empty = new CompletableFuture<>();
      batcher.submit(new Object[] {"card-z", window.start(), window.end(), new Row[0]}, empty);
      assertNull(get(empty));
      assertEquals(1, metrics.rowErrors.getCount());
    } finally {
      SharedChannels.release(config);
    }
  }

  @Test
  void retriesWhileTheServiceIsDownThenFailsClearlyAndRecoversWhenItIsBack() throws Exception {
    TypeScriptUdfServer own = TypeScriptUdfServer.start(TypeScriptUdfServer.freePort());
    BridgeConfig base = config(10, 10);
    BridgeConfig config =
        new BridgeConfig(
            own.address, 10, Duration.ofMillis(10), Duration.ofSeconds(5), 4,
            Duration.ofMillis(100), Duration.ofMillis(400), Duration.ofSeconds(30), BridgeConfig.RowErrorPolicy.FAIL,
            null, null, null, "UTC", base.maxRequestBytes());
    ManagedChannel channel = SharedChannels.acquire(config);
    BatcherMetrics metrics = BatcherMetrics.standalone();
    Windows.Window window = Windows.transactions(1, 3, 5).get(0);
    TypeScriptUdfServer restarted = null;
    try (WindowBatcher batcher = new WindowBatcher(transactionFeatures, config, channel, metrics)) {
      CompletableFuture<Row> before = new CompletableFuture<>();
      batcher.submit(window.arguments(), before);
      assertEquals(window.cardId(), get(before).getField(0));

      own.close();
      CompletableFuture<Row> down = new CompletableFuture<>();
      long started = System.nanoTime();
      batcher.submit(window.arguments(), down);
      UdfCallException error = failure(down);
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertEquals("UNAVAILABLE", error.status());
      assertTrue(
          error.getMessage().startsWith(
              "featureflow UDF transaction_features at " + own.address + ": UNAVAILABLE after 4 attempts in "),
          error.getMessage());
      assertTrue(
          error.getMessage().contains("is 'featureflow udf-server' running at " + own.address + "?"),
          error.getMessage());
      assertEquals(3, metrics.retries.getCount());
      // Backoff 100 + 200 + 400 ms between the four attempts.
      assertTrue(elapsedMs >= 700, "gave up after " + elapsedMs + " ms");

      restarted = TypeScriptUdfServer.start(own.port);
      CompletableFuture<Row> after = new CompletableFuture<>();
      batcher.submit(window.arguments(), after);
      assertEquals(window.cardId(), get(after).getField(0));
      assertEquals(1, restarted.invokeCalls());
    } finally {
      SharedChannels.release(config);
      if (restarted != null) {
        restarted.close();
      }
    }
  }

  @Test
  void sharesOneChannelPerAddressAndClosesItWithTheLastUser() {
    BridgeConfig config = config(10, 10);
    int before = SharedChannels.openChannels();
    ManagedChannel first = SharedChannels.acquire(config);
    ManagedChannel second = SharedChannels.acquire(config);
    assertTrue(first == second, "one channel for both users");
    assertEquals(before + 1, SharedChannels.openChannels());
    SharedChannels.release(config);
    assertTrue(!first.isShutdown(), "still used by the second user");
    SharedChannels.release(config);
    assertTrue(first.isShutdown(), "closed with its last user");
    assertEquals(before, SharedChannels.openChannels());
  }

  private static UdfCallException failure(CompletableFuture<Row> future) throws Exception {
    try {
      future.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return assertInstanceOf(UdfCallException.class, e.getCause());
    }
    throw new AssertionError("expected the call to fail");
  }
}
