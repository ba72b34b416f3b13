// `up --redis-cluster`: what each node is started with, and the URL the other commands take.
import { describe, expect, it } from 'vitest';
import { parseRedisUrl } from '../../../src/core/sinks/redis-url.ts';
import {
  redisClusterPorts,
  redisClusterUrl,
  renderClusterNodeConfig,
} from '../../../src/stack/redis-cluster.ts';

describe('Redis Cluster node config', () => {
  it('runs in cluster mode on loopback, its bus on port + 10000, its state in its own dir', () => {
    const conf = renderClusterNodeConfig(7002, '/tmp/run/redis/cluster-7002', '/tmp/l/r.log');
    for (const line of [
      'bind 127.0.0.1',
      'port 7002',
      'dir /tmp/run/redis/cluster-7002',
      'cluster-enabled yes',
      'cluster-config-file nodes.conf',
      'cluster-port 17002',
      'save ""',
      'appendonly no',
    ]) {
      expect(conf).toContain(`${line}\n`);
    }
  });

  it('names three masters in a URL that the Redis URL reader takes as a cluster', () => {
    const url = redisClusterUrl(redisClusterPorts(7001));
    expect(url).toBe('redis+cluster://127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003');
    expect(parseRedisUrl(url)).toMatchObject({
      mode: 'cluster',
      nodes: [
        { host: '127.0.0.1', port: 7001 },
        { host: '127.0.0.1', port: 7002 },
        { host: '127.0.0.1', port: 7003 },
      ],
    });
  });
});
