import { describe, expect, it } from 'vitest';
import { FeatureflowError } from '../../../src/core/errors.ts';
import { resolveStackConfig } from '../../../src/stack/stack-config.ts';

const cwd = '/home/user/project';

function errorOf(run: () => unknown): FeatureflowError {
  try {
    run();
  } catch (error) {
    if (error instanceof FeatureflowError) return error;
    throw error;
  }
  throw new Error('expected a FeatureflowError');
}

describe('resolveStackConfig', () => {
  it('defaults to the ports the other commands expect, and a run folder under cwd', () => {
    const config = resolveStackConfig({}, { HOME: '/home/u' }, cwd);
    expect(config.ports).toEqual({
      redis: 6380,
      kafka: 9092,
      kafkaController: 9093,
      flinkRest: 8081,
      flinkRpc: 6123,
      sqlGateway: 8083,
    });
    expect(config.runDir).toBe('/home/user/project/.featureflow/run');
    expect(config.externalRedisUrl).toBeUndefined();
    expect(config.taskSlots).toBe(4);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    ['flag over env', { kafkaPort: '19092' }, { FEATUREFLOW_KAFKA_PORT: '29092' }, 19092],
    [
      'env over endpoint',
      {},
      { FEATUREFLOW_KAFKA_PORT: '29092', KAFKA_BROKERS: '127.0.0.1:39092' },
      29092,
    ],
    ['loopback KAFKA_BROKERS', {}, { KAFKA_BROKERS: 'localhost:39092' }, 39092],
  ])('takes the Kafka port from the %s', (_, flags, env, port) => {
    expect(resolveStackConfig(flags, env, cwd).ports.kafka).toBe(port);
  });

  it('takes the SQL Gateway port from a loopback FLINK_SQL_GATEWAY', () => {
    const config = resolveStackConfig({}, { FLINK_SQL_GATEWAY: 'http://127.0.0.1:18083/' }, cwd);
    expect(config.ports.sqlGateway).toBe(18083);
  });

  it('uses an explicit REDIS_URL instead of starting a Redis', () => {
    const config = resolveStackConfig({}, { REDIS_URL: 'redis://10.1.2.3:6390' }, cwd);
    expect(config.externalRedisUrl).toBe('redis://10.1.2.3:6390');
  });

  it('starts no Redis Cluster unless asked; --redis-cluster takes three ports from 7001 or the flag', () => {
    expect(resolveStackConfig({}, {}, cwd).redisClusterPorts).toBeUndefined();
    expect(resolveStackConfig({ redisCluster: true }, {}, cwd).redisClusterPorts).toEqual([
      7001, 7002, 7003,
    ]);
    expect(
      resolveStackConfig({ redisCluster: true }, { FEATUREFLOW_REDIS_CLUSTER_PORT: '17001' }, cwd)
        .redisClusterPorts,
    ).toEqual([17001, 17002, 17003]);
    // The single Redis's port is free for other services then.
    expect(
      resolveStackConfig({ redisCluster: true, redisPort: '9092' }, {}, cwd).redisClusterPorts,
    ).toHaveLength(3);
  });

  it('takes the port of an external Redis Cluster from its first node', () => {
    const config = resolveStackConfig(
      {},
      { REDIS_URL: 'redis+cluster://10.0.0.5:7005,10.0.0.6:7006' },
      cwd,
    );
    expect(config.externalRedisUrl).toBe('redis+cluster://10.0.0.5:7005,10.0.0.6:7006');
    expect(config.ports.redis).toBe(7005);
  });

  it.each([
    [
      'a remote broker',
      {},
      { KAFKA_BROKERS: 'kafka.internal:9092' },
      "cannot start Kafka where KAFKA_BROKERS='kafka.internal:9092' names no single loopback broker (unset it for the local stack, or choose the local port with --kafka-port)",
    ],
    ['a word for a port', { flinkPort: 'web' }, {}, "--flink-port is not a whole number: 'web'"],
    [
      'a port out of range',
      { sqlGatewayPort: '70000' },
      {},
      'stack setting ports.sqlGateway is unusable (set --sql-gateway-port or FEATUREFLOW_SQL_GATEWAY_PORT to a port in 1..65535)',
    ],
    [
      'two services on one port',
      { flinkPort: '9092' },
      {},
      'Flink REST/web UI and Kafka are both set to port 9092 (give one another port with --flink-port)',
    ],
    [
      'a Redis Cluster to start and one to use',
      { redisCluster: true },
      { REDIS_URL: 'redis://:s3cret@10.0.0.5:6379' },
      "--redis-cluster starts a Redis Cluster, but REDIS_URL / --redis names one to use: 'redis://:***@10.0.0.5:6379' (drop one of the two; a running cluster is given as REDIS_URL=redis+cluster://host:port,...)",
    ],
    [
      'a Redis Cluster port whose bus port is out of range',
      { redisCluster: true, redisClusterPort: '60000' },
      {},
      "stack setting redisClusterPorts.0 is unusable (set --redis-cluster-port or FEATUREFLOW_REDIS_CLUSTER_PORT to a port in 1..55533: each node's cluster bus takes its port + 10000)",
    ],
    [
      'a bare number as timeout',
      { timeout: '60' },
      {},
      "--timeout (how long each service may take to become ready) is not a duration: '60' (write a whole number and a unit: 500ms, 30s, 5m, 1h, 1d)",
    ],
  ])('refuses %s with a message naming the fix', (_, flags, env, message) => {
    const error = errorOf(() => resolveStackConfig(flags, env, cwd));
    expect(error.code).toBe('invalid_argument');
    expect(error.message).toBe(message);
  });
});
