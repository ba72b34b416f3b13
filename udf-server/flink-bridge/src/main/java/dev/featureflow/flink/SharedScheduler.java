package dev.featureflow.flink;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The one timer thread of all batchers in the JVM (flush after max-wait, retry after backoff),
 * counted by reference like the channels: it stops with the last batcher, so a job's class loader
 * is not kept alive by a thread after the job ends (ADD JAR puts the bridge in the job's loader).
 */
final class SharedScheduler {
  private SharedScheduler() {}

  private static ScheduledExecutorService scheduler;
  private static int references;

  static synchronized ScheduledExecutorService acquire() {
    if (scheduler == null) {
      scheduler =
          Executors.newSingleThreadScheduledExecutor(
              runnable -> {
                Thread thread = new Thread(runnable, "featureflow-udf-batcher");
                thread.setDaemon(true);
                return thread;
              });
    }
    references++;
    return scheduler;
  }

  static synchronized void release() {
    if (--references <= 0 && scheduler != null) {
      // Pending flushes and retries belong to closed batchers: nothing is lost by dropping them.
      scheduler.shutdownNow();
      scheduler = null;
      references = 0;
    }
  }
}
