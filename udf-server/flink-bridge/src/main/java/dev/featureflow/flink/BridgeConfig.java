package dev.featureflow.flink;

import java.io.Serializable;
import java.time.Duration;
import java.time.ZoneId;

/**
 * The resolved module options, carried (serialised) with every function to the TaskManagers.
 *
 * @param zoneId the session time zone at LOAD MODULE time: a TIMESTAMP(3) window bound (HOP's
 *     window_start over a TIMESTAMP_LTZ time attribute) is wall-clock time in that zone.
 * @param maxRequestBytes the service's request limit (from Describe): batches stay below it.
 */
public record BridgeConfig(
    String address,
    int batchMaxRows,
    Duration batchMaxWait,
    Duration callTimeout,
    int retryMaxAttempts,
    Duration retryInitialBackoff,
    Duration retryMaxBackoff,
    Duration retryBusyTimeout,
    RowErrorPolicy rowErrorPolicy,
    String tlsCa,
    String tlsCert,
    String tlsKey,
    String zoneId,
    long maxRequestBytes)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  /** What a per-row error from the service turns into. */
  public enum RowErrorPolicy {
    FAIL,
    NULL
  }

  public ZoneId zone() {
    return ZoneId.of(zoneId);
  }

  /** The identity of a channel: calls with equal keys share one connection. */
  public String channelKey() {
    return address + "|" + tlsCa + "|" + tlsCert + "|" + tlsKey;
  }

  public BridgeConfig withMaxRequestBytes(long bytes) {
    return new BridgeConfig(
        address,
        batchMaxRows,
        batchMaxWait,
        callTimeout,
        retryMaxAttempts,
        retryInitialBackoff,
        retryMaxBackoff,
        retryBusyTimeout,
        rowErrorPolicy,
        tlsCa,
        tlsCert,
        tlsKey,
        zoneId,
        bytes);
  }
}
