package dev.featureflow.flink;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;

/**
 * What a function's client counts, as Flink metrics (group featureflow.udf.<function>). The
 * counters are thread-safe: gRPC callback threads count row errors and retries while the task
 * thread counts windows.
 */
final class BatcherMetrics {
  final Counter windows;
  final Counter batches;
  final Counter rowErrors;
  final Counter retries;

  private BatcherMetrics(Counter windows, Counter batches, Counter rowErrors, Counter retries) {
    this.windows = windows;
    this.batches = batches;
    this.rowErrors = rowErrors;
    this.retries = retries;
  }

  static BatcherMetrics register(MetricGroup parent, String function) {
    MetricGroup group = parent.addGroup("featureflow").addGroup("udf", function);
    return new BatcherMetrics(
        group.counter("windows", new ThreadSafeSimpleCounter()),
        group.counter("batches", new ThreadSafeSimpleCounter()),
        group.counter("rowErrors", new ThreadSafeSimpleCounter()),
        group.counter("retries", new ThreadSafeSimpleCounter()));
  }

  /** Counters outside Flink (tests, the benchmark). */
  static BatcherMetrics standalone() {
    return new BatcherMetrics(
        new ThreadSafeSimpleCounter(),
        new ThreadSafeSimpleCounter(),
        new ThreadSafeSimpleCounter(),
        new ThreadSafeSimpleCounter());
  }
}
