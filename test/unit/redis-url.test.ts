// The one reader of Redis URLs: a single Redis or a Redis Cluster, validated with the value and
// the fix, and never printed with its password.
import { describe, expect, it } from 'vitest';
import { resolveServiceEndpoints } from '../../src/config/environment.ts';
import { parseRedisUrl, redactRedisUrl } from '../../src/core/sinks/redis-url.ts';

describe('redactRedisUrl', () => {
  it.each([
    ['redis://127.0.0.1:6380', 'redis://127.0.0.1:6380'],
    ['redis://:s3cret@redis.internal:6379/0', 'redis://:***@redis.internal:6379/0'],
    ['rediss://app:p@ss:w0rd@redis.internal:6380', 'rediss://app:***@redis.internal:6380'],
    ['redis://app@redis.internal:6379', 'redis://app@redis.internal:6379'],
    ['redis+cluster://app:s3cret@h1:7001,h2:7002', 'redis+cluster://app:***@h1:7001,h2:7002'],
  ])('%s -> %s', (url, shown) => {
    expect(redactRedisUrl(url)).toBe(shown);
  });
});

describe('parseRedisUrl', () => {
  it('reads a single Redis as the URL the client takes', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6380/2')).toEqual({
      mode: 'standalone',
      url: 'redis://127.0.0.1:6380/2',
      displayUrl: 'redis://127.0.0.1:6380/2',
    });
  });

  it('reads a cluster as its nodes, user, decoded password and TLS', () => {
    expect(
      parseRedisUrl('rediss+cluster://app:p%40ss@10.0.0.1:7001, node-b:7002,[::1]:7003/'),
    ).toEqual({
      mode: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7001 },
        { host: 'node-b', port: 7002 },
        { host: '::1', port: 7003 },
      ],
      username: 'app',
      password: 'p@ss',
      tls: true,
      displayUrl: 'rediss+cluster://app:***@10.0.0.1:7001, node-b:7002,[::1]:7003/',
    });
    expect(parseRedisUrl('redis+cluster://127.0.0.1:7001')).toMatchObject({
      mode: 'cluster',
      username: undefined,
      password: undefined,
      tls: false,
    });
  });

  it.each([
    ['localhost:6379', 'expected redis://host:port, rediss://host:port, or redis+cluster://'],
    ['redis+cluster://', 'name at least one node as host:port, nodes separated by commas'],
    ['redis+cluster://h1:7001,,h2:7002', 'name at least one node as host:port'],
    ['redis+cluster://h1', "node 'h1' is not host:port with a port in 1..65535"],
    ['redis+cluster://h1:7001,h2:70000', "node 'h2:70000' is not host:port with a port in"],
    ['redis+cluster://h1:7001/3', "a Redis Cluster has database 0 only: drop '/3'"],
    ['redis+cluster://h1:7001?db=0', 'a cluster URL takes no query parameters'],
    ['redis+cluster://:50%@h1:7001', 'the user or password is not valid percent-encoding'],
    ['redis://h:notaport', 'not a URL: check the host and the port'],
  ])('refuses %s: %s', (url, problem) => {
    expect(() => parseRedisUrl(url)).toThrow(problem);
  });

  it('names where the URL came from and hides its password', () => {
    expect(() =>
      resolveServiceEndpoints({ redis: 'redis+cluster://app:s3cret@h1:7001/5' }, {}),
    ).toThrow(
      "REDIS_URL / --redis is unusable: 'redis+cluster://app:***@h1:7001/5' (a Redis Cluster has database 0 only: drop '/5')",
    );
    expect(resolveServiceEndpoints({}, { REDIS_URL: 'redis+cluster://h1:7001' }).redisUrl).toBe(
      'redis+cluster://h1:7001',
    );
  });
});
