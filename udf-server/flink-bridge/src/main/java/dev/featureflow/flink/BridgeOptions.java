package dev.featureflow.flink;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * The options of {@code LOAD MODULE featureflow WITH (...)}. Only {@code address} is required;
 * the defaults suit a UDF service on the same network as the TaskManagers.
 */
public final class BridgeOptions {
  private BridgeOptions() {}

  public static final ConfigOption<String> ADDRESS =
      ConfigOptions.key("address")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "host:port of the featureflow UDF service (featureflow udf-server), or of its"
                  + " replicas as a comma-separated list (a host resolving to several addresses"
                  + " counts as one replica per address); batches go round-robin to the ready"
                  + " replicas.");

  public static final ConfigOption<Integer> BATCH_MAX_ROWS =
      ConfigOptions.key("batch.max-rows")
          .intType()
          .noDefaultValue()
          .withDescription(
              "Windows per Invoke call. Default: half of table.exec.async-scalar.max-concurrent-operations"
                  + " (so two batches can be in flight per subtask), at least 1, at most 4096.");

  public static final ConfigOption<Duration> BATCH_MAX_WAIT =
      ConfigOptions.key("batch.max-wait")
          .durationType()
          .defaultValue(Duration.ofMillis(5))
          .withDescription(
              "How long a window may wait for others to fill its batch before the batch is sent.");

  public static final ConfigOption<Duration> CALL_TIMEOUT =
      ConfigOptions.key("call.timeout")
          .durationType()
          .defaultValue(Duration.ofSeconds(30))
          .withDescription("Deadline of one Invoke call (each retry gets a fresh one).");

  public static final ConfigOption<Integer> RETRY_MAX_ATTEMPTS =
      ConfigOptions.key("retry.max-attempts")
          .intType()
          .defaultValue(6)
          .withDescription(
              "Attempts per batch while the service is UNAVAILABLE (with replicas, each retry goes"
                  + " to the next ready one). Busy refusals: see retry.busy-timeout.");

  public static final ConfigOption<Duration> RETRY_INITIAL_BACKOFF =
      ConfigOptions.key("retry.initial-backoff")
          .durationType()
          .defaultValue(Duration.ofMillis(100))
          .withDescription("Wait before the first retry; doubled each retry.");

  public static final ConfigOption<Duration> RETRY_MAX_BACKOFF =
      ConfigOptions.key("retry.max-backoff")
          .durationType()
          .defaultValue(Duration.ofSeconds(2))
          .withDescription("The longest wait between retries.");

  public static final ConfigOption<Duration> RETRY_BUSY_TIMEOUT =
      ConfigOptions.key("retry.busy-timeout")
          .durationType()
          .defaultValue(Duration.ofMinutes(5))
          .withDescription(
              "How long a batch is retried while the service refuses it as busy"
                  + " (RESOURCE_EXHAUSTED with a retry pushback: its concurrency or bytes-in-flight"
                  + " limit), waiting at least the pushback it asks for; these retries do not count"
                  + " against retry.max-attempts.");

  public static final ConfigOption<String> ROW_ERROR =
      ConfigOptions.key("row-error")
          .stringType()
          .defaultValue("fail")
          .withDescription(
              "What a window the service cannot compute gives: 'fail' (the call fails with the"
                  + " service's reason) or 'null' (a NULL row, logged and counted).");

  public static final ConfigOption<String> TLS_CA =
      ConfigOptions.key("tls.ca")
          .stringType()
          .noDefaultValue()
          .withDescription("PEM file of the CA that signed the service's certificate: use TLS.");

  public static final ConfigOption<String> TLS_CERT =
      ConfigOptions.key("tls.cert")
          .stringType()
          .noDefaultValue()
          .withDescription("PEM client certificate, for a service that requires mutual TLS.");

  public static final ConfigOption<String> TLS_KEY =
      ConfigOptions.key("tls.key")
          .stringType()
          .noDefaultValue()
          .withDescription("PEM (PKCS#8) private key of tls.cert.");

  public static final ConfigOption<Duration> DESCRIBE_TIMEOUT =
      ConfigOptions.key("describe.timeout")
          .durationType()
          .defaultValue(Duration.ofSeconds(10))
          .withDescription("How long LOAD MODULE waits for the service to describe its functions.");
}
