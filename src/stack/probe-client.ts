/**
 * How a health probe talks to a Redis: one attempt within PROBE_TIMEOUT_MS, no retries and no
 * queueing, so a probe answers "not ready" quickly instead of waiting for ioredis to reconnect.
 */
import type { RedisOptions } from 'ioredis';

export const PROBE_TIMEOUT_MS = 3_000;

export const PROBE_REDIS_OPTIONS: Readonly<RedisOptions> = Object.freeze({
  lazyConnect: true,
  connectTimeout: PROBE_TIMEOUT_MS,
  maxRetriesPerRequest: 0,
  retryStrategy: () => null,
  enableOfflineQueue: false,
});
