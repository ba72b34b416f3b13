// Messages name the Redis URL; they must never print its password.
import { describe, expect, it } from 'vitest';
import { redactRedisUrl } from '../../src/core/sinks/redis-connection.ts';

describe('redactRedisUrl', () => {
  it.each([
    ['redis://127.0.0.1:6380', 'redis://127.0.0.1:6380'],
    ['redis://:s3cret@redis.internal:6379/0', 'redis://:***@redis.internal:6379/0'],
    ['rediss://app:p@ss:w0rd@redis.internal:6380', 'rediss://app:***@redis.internal:6380'],
    ['redis://app@redis.internal:6379', 'redis://app@redis.internal:6379'],
  ])('%s -> %s', (url, shown) => {
    expect(redactRedisUrl(url)).toBe(shown);
  });
});
