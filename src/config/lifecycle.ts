import { parseDurationMs } from '../core/utils/durations.ts';

/** How long consume and sink wait: for an unreachable Kafka, and for a batch to finish on SIGTERM. */
export const LIFECYCLE_DEFAULTS = Object.freeze({
  kafkaRetryTimeout: '60s',
  drainTimeout: '30s',
});

export interface LifecycleFlags {
  kafkaRetryTimeout?: string | undefined;
  drainTimeout?: string | undefined;
}

/** --kafka-retry-timeout and --drain-timeout, shared by consume and sink; defaults filled. */
export function resolveLifecycle(flags: LifecycleFlags = {}) {
  return Object.freeze({
    kafkaRetryTimeoutMs: parseDurationMs(
      flags.kafkaRetryTimeout ?? LIFECYCLE_DEFAULTS.kafkaRetryTimeout,
      '--kafka-retry-timeout',
    ),
    drainTimeoutMs: parseDurationMs(
      flags.drainTimeout ?? LIFECYCLE_DEFAULTS.drainTimeout,
      '--drain-timeout',
    ),
  });
}
