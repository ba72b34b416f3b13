package dev.featureflow.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.featureflow.udf.v1.FunctionDescriptor;
import io.grpc.ManagedChannel;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

/**
 * Several replicas of the real TypeScript service behind one 'address' option: batches spread over
 * them, and when one is killed -9 with batches in flight, those batches are computed by another.
 */
class ReplicasTest {
  private static BridgeConfig config(String address, int maxRows) {
    return new BridgeConfig(
        ReplicaAddresses.normalize(address),
        maxRows,
        Duration.ofMillis(5),
        // Long enough that a batch held by a frozen replica (see the kill test) waits for the kill
        // instead of expiring, however slow a loaded machine makes the wait.
        Duration.ofSeconds(60),
        6,
        Duration.ofMillis(100),
        Duration.ofSeconds(2),
        Duration.ofSeconds(30),
        BridgeConfig.RowErrorPolicy.FAIL,
        null,
        null,
        null,
        "UTC",
        16 * 1024 * 1024);
  }

  private static FunctionDescriptor transactionFeatures(String address) {
    return ServiceDescription.fetch(config(address, 1), Duration.ofSeconds(10)).getFunctionsList().stream()
        .filter(f -> f.getName().equals("transaction_features"))
        .findFirst()
        .orElseThrow();
  }

  private static void assertRow(Windows.Window window, Row row) {
    assertEquals(window.cardId(), row.getField(0));
    assertEquals(window.start(), row.getField(1));
    assertEquals(window.end(), row.getField(2));
    assertEquals((long) window.events().length, row.getField(3));
    assertEquals(window.amountSum(), (Double) row.getField(4), 1e-9 * window.amountSum());
  }

  @Test
  void spreadsBatchesOverReplicasAndMovesAKilledReplicasBatchesToAnother() throws Exception {
    TypeScriptUdfServer victim = TypeScriptUdfServer.start(TypeScriptUdfServer.freePort());
    TypeScriptUdfServer survivor = TypeScriptUdfServer.start(TypeScriptUdfServer.freePort());
    BridgeConfig config = config(victim.address + ", " + survivor.address, 250);
    ManagedChannel channel = SharedChannels.acquire(config);
    BatcherMetrics metrics = BatcherMetrics.standalone();
    // About 50 events a window, so batches take the replicas a while to compute.
    List<Windows.Window> windows = Windows.transactions(5000, 100, 11);
    List<CompletableFuture<Row>> futures = new ArrayList<>();
    AtomicInteger killedAfter = new AtomicInteger(-1);
    try (WindowBatcher batcher =
        new WindowBatcher(transactionFeatures(survivor.address), config, channel, metrics)) {
      // A stream as Flink's async operator sends it, with a bounded number of windows waiting for
      // rows: twenty batches, so a frozen replica holding its share does not stop the stream.
      Semaphore inFlight = new Semaphore(5000);
      Thread stream =
          new Thread(
              () -> {
                for (int i = 0; i < 2_000_000; i++) {
                  int killed = killedAfter.get();
                  if (killed >= 0 && i >= killed + 5_000) {
                    return;
                  }
                  inFlight.acquireUninterruptibly();
                  CompletableFuture<Row> future = new CompletableFuture<>();
                  future.whenComplete((row, error) -> inFlight.release());
                  synchronized (futures) {
                    futures.add(future);
                  }
                  batcher.submit(windows.get(i % windows.size()).arguments(), future);
                }
              });
      stream.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (victim.invokeCalls() < 10) {
        assertTrue(System.nanoTime() < deadline, "the first replica got no 10 calls in 60 s");
        Thread.sleep(10);
      }
      long survivorCallsBeforeKill = survivor.invokeCalls();
      // Frozen, the victim holds every batch round-robin sends it: of two more batches sent (and
      // a moment for the last to be picked) one is in flight there when it is killed, however fast
      // it answered before.
      victim.freeze();
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      long batchesAtFreeze = metrics.batches.getCount();
      while (metrics.batches.getCount() < batchesAtFreeze + 2) {
        assertTrue(System.nanoTime() < deadline, "no two batches sent in 60 s after the freeze");
        Thread.sleep(10);
      }
      Thread.sleep(200);
      synchronized (futures) {
        killedAfter.set(futures.size());
      }
      victim.kill();
      stream.join(TimeUnit.SECONDS.toMillis(120));
      assertTrue(!stream.isAlive(), "the stream did not finish within 120 s of the kill");

      for (int i = 0; i < futures.size(); i++) {
        assertRow(windows.get(i % windows.size()), futures.get(i).get(30, TimeUnit.SECONDS));
      }
      assertTrue(
          survivorCallsBeforeKill > 0,
          "both replicas get batches: the second had none while the first had 10");
      assertTrue(
          survivor.invokeCalls() > survivorCallsBeforeKill,
          "the remaining replica computed the stream after the kill");
      assertTrue(
          metrics.retries.getCount() >= 1,
          "the batches in flight on the killed replica were retried: " + metrics.retries.getCount());
      assertTrue(futures.size() >= killedAfter.get() + 5_000, "windows sent: " + futures.size());
    } finally {
      SharedChannels.release(config);
      victim.close();
      survivor.close();
    }
  }

  @Test
  void aHostResolvingToSeveralAddressesIsOneReplicaPerAddress() throws Exception {
    int port = TypeScriptUdfServer.freePort();
    TypeScriptUdfServer first = TypeScriptUdfServer.startOn("127.0.0.1", port);
    TypeScriptUdfServer second = TypeScriptUdfServer.startOn("127.0.0.2", port);
    // The one stand-in: a DNS name with two A records, as a cluster's DNS would serve it.
    ReplicaNameResolver.Lookup dns =
        host ->
            host.equals("udf-replicas.test")
                ? new InetAddress[] {
                  InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2")
                }
                : InetAddress.getAllByName(host);
    BridgeConfig config = config("udf-replicas.test:" + port, 20);
    ManagedChannel channel = SharedChannels.open(config, dns);
    List<Windows.Window> windows = Windows.transactions(1000, 5, 12);
    List<CompletableFuture<Row>> futures = new ArrayList<>();
    try (WindowBatcher batcher =
        new WindowBatcher(
            transactionFeatures(first.address), config, channel, BatcherMetrics.standalone())) {
      // One batch at a time, as a slow stream: the first calls may go out before the second
      // address's connection is ready; round-robin reaches both after that.
      for (int i = 0; i < windows.size(); i++) {
        CompletableFuture<Row> future = new CompletableFuture<>();
        futures.add(future);
        batcher.submit(windows.get(i).arguments(), future);
        if (futures.size() % 20 == 0) {
          assertRow(windows.get(i), future.get(30, TimeUnit.SECONDS));
        }
      }
      for (int i = 0; i < windows.size(); i++) {
        assertRow(windows.get(i), futures.get(i).get(30, TimeUnit.SECONDS));
      }
      assertTrue(first.invokeCalls() > 0, "127.0.0.1 got no batch");
      assertTrue(second.invokeCalls() > 0, "127.0.0.2 got no batch");
      assertEquals(windows.size(), first.invokeRows() + second.invokeRows());
    } finally {
      channel.shutdownNow();
      first.close();
      second.close();
    }
  }

  @Test
  void readsAListOfReplicasAndNamesTheEntryThatIsWrong() {
    assertEquals(
        List.of(
            new ReplicaAddresses.HostPort("udf-a", 50051),
            new ReplicaAddresses.HostPort("::1", 50052)),
        ReplicaAddresses.parse(" udf-a:50051 , [::1]:50052,udf-a:50051"));
    assertEquals("udf-a:50051,[::1]:50052", ReplicaAddresses.normalize("udf-a:50051, [::1]:50052"));
    String[][] wrong = {
      {"udf-a:50051, udf-b", "entry 2 'udf-b' has no port"},
      {"udf-a:50051,,udf-b:50051", "entry 2 '' is empty"},
      {"udf-a:70000", "has no port from 1 to 65535"},
      {"::1:50051", "is an IPv6 address without brackets: write [address]:port"},
      {"http://udf-a:50051", "has a host with a space, '/', '@' or a bracket"},
    };
    for (String[] example : wrong) {
      IllegalArgumentException error =
          assertThrows(IllegalArgumentException.class, () -> ReplicaAddresses.parse(example[0]));
      assertEquals(
          "featureflow module: 'address' must be host:port, or a comma-separated list of host:port"
              + " (one per UDF service replica), got '"
              + example[0]
              + "' ("
              + example[1]
              + ")",
          error.getMessage());
    }
  }
}
