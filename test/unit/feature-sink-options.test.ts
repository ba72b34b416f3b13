// resolveFeatureSinkOptions: the one place sink options get their defaults and are checked.
import { describe, expect, it } from 'vitest';
import {
  FEATURE_SINK_DEFAULTS,
  resolveFeatureSinkOptions,
} from '../../src/core/sinks/redis-feature-sink.ts';

describe('resolveFeatureSinkOptions', () => {
  it('fills every default (24 h TTL) and freezes the result', () => {
    const options = resolveFeatureSinkOptions({ redisUrl: 'redis://127.0.0.1:6380' });
    expect(options).toEqual({ redisUrl: 'redis://127.0.0.1:6380', ...FEATURE_SINK_DEFAULTS });
    expect(options.ttlMs).toBe(86_400_000);
    expect(Object.isFrozen(options)).toBe(true);
  });

  it.each([
    [
      { batchSize: 0 },
      'feature sink option batchSize is unusable: 0 (Too small: expected number to be >=1)',
    ],
    [{ ttlMs: 1.5 }, 'feature sink option ttlMs is unusable: 1.5 ('],
    [{ windowsPerCall: 5000 }, 'feature sink option windowsPerCall is unusable: 5000 ('],
    [
      { redisUrl: 'localhost:6379' },
      'feature sink option redisUrl is unusable: "localhost:6379" (expected redis://host:port, rediss://host:port, or redis+cluster://host:port[,host:port...] for a Redis Cluster)',
    ],
  ])('refuses %o with the value and the limit', (override, message) => {
    expect(() =>
      resolveFeatureSinkOptions({ redisUrl: 'redis://127.0.0.1:6380', ...override }),
    ).toThrow(
      expect.objectContaining({
        code: 'invalid_argument',
        message: expect.stringContaining(message),
      }),
    );
  });
});
