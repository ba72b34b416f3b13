// The online store on a Redis Cluster of three masters (its own, on free ports, started and
// stopped here): the sink and the consumer runtime write replay's newest windows across the
// masters, `features get` and the feature store read them back, and a master restarted
// mid-stream costs retries, not windows. Every test has its own topics and group; waits poll.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';

import { clusterSlotOf } from '../../src/core/sinks/cluster-slot.ts';
import { featureKey } from '../../src/core/sinks/feature-fields.ts';
import { createFeatureStore } from '../../src/core/sinks/feature-store.ts';
import { wireTypeOf } from '../../src/core/utils/avro.ts';
import { SchemaDirectory } from '../../src/core/utils/schema-directory.ts';
import { trackCliProcesses } from '../support/cli-process.ts';
import { generateEvents, lastEventTime, splitEvenly } from '../support/generated-events.ts';
import { CLICKSTREAM_FEATURE_NAMES, TRANSACTION_FEATURE_NAMES } from '../support/job-events.ts';
import { createTopics, testKafka, uniqueName, waitFor } from '../support/kafka.ts';
import { startRedisCluster, type TestRedisCluster } from '../support/redis-cluster.ts';
import {
  expectRedisHoldsNewestWindows,
  newestWindowPerEntity,
} from '../support/redis-expectations.ts';
import { type FeatureRow, replayRows } from '../support/replay-rows.ts';
import { runCli } from '../support/run-cli.ts';
import { stackEnv } from '../support/stack-endpoints.ts';
import { flushWatermarks, SENTINEL_ENTITY } from '../support/watermark-flush.ts';

const stack = inject('stack');
const dir = mkdtempSync(join(tmpdir(), 'featureflow-redis-cluster-'));
const featureType = wireTypeOf(new SchemaDirectory(), 'transaction_features.avsc');
const startCli = trackCliProcesses(afterEach);

let cluster: TestRedisCluster;
// Every command of these tests reads the cluster from REDIS_URL, as a user would set it.
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  cluster = await startRedisCluster();
  env = { ...stackEnv(stack), REDIS_URL: cluster.url };
});

afterAll(async () => {
  await cluster?.stop();
});

/** Replay's rows for a generated transactions file, in window order as a job emits them. */
async function transactionRows(name: string, events: number, seed: number) {
  const file = await generateEvents(join(dir, `${name}.ndjson`), {
    events,
    seed,
    entities: 200,
  });
  const rows = [...(await replayRows('transactions', file, `${file}.replay`)).values()];
  return rows.sort((a, b) => a.window_end - b.window_end || a.entity_id.localeCompare(b.entity_id));
}

async function produceRows(topic: string, rows: readonly FeatureRow[]): Promise<void> {
  const producer = testKafka(stack.kafkaBrokers).producer();
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: rows.map((row) => ({ key: row.entity_id, value: featureType.toBuffer(row) })),
    });
  } finally {
    await producer.disconnect();
  }
}

async function sinkInto(name: string) {
  const topic = uniqueName(`features.transactions.${name}`);
  await createTopics(stack.kafkaBrokers, [topic, `${topic}.dlq`]);
  const sink = startCli(
    ['sink', '--topics', `${topic}=features.transactions`, '--group', uniqueName(name)],
    env,
  );
  return { topic, sink };
}

/** Empties every master: the generated cards of two tests share ids, and a newer window left
 * by one test would make the other's windows stale. The cluster is this file's own. */
async function flushCluster(): Promise<void> {
  await Promise.all(cluster.nodeClients().map((client) => client.flushall()));
}

/** How many keys each master holds. */
async function keysPerMaster(): Promise<number[]> {
  return Promise.all(cluster.nodeClients().map((client) => client.dbsize()));
}

describe('Redis Cluster', () => {
  it('hashes keys to the slots the cluster itself computes', async () => {
    const [node] = cluster.nodeClients();
    const keys = ['features:card:card-42', 'features:user:é€😀', 'foo{}{bar}', 'a{tag}b', 'x{'];
    for (const key of keys) {
      expect(Number(await node!.call('CLUSTER', 'KEYSLOT', key)), key).toBe(clusterSlotOf(key));
    }
  });

  it('sink: replay rows -> features topic -> Redis Cluster equals replay, on all three masters; features get and the store read it', async () => {
    await flushCluster();
    const rows = await transactionRows('sink', 3000, 71);
    const { topic, sink } = await sinkInto('sink');
    await produceRows(topic, rows);
    const newest = newestWindowPerEntity(rows);
    await expectRedisHoldsNewestWindows(cluster.url, 'card', newest, TRANSACTION_FEATURE_NAMES);
    // Entities spread over the slots, so every master holds some of them.
    const perMaster = await keysPerMaster();
    expect(
      perMaster.every((keys) => keys > 0),
      `keys per master: ${perMaster}`,
    ).toBe(true);
    expect(perMaster.reduce((a, b) => a + b, 0)).toBe(newest.size);
    expect(sink.output()).not.toMatch(/CROSSSLOT|MOVED/);

    // The library's feature store and the CLI read through the cluster URL too.
    const [id, row] = [...newest][0]!;
    const store = createFeatureStore({ redisUrl: cluster.url });
    try {
      const stored = await store.get('card', id);
      expect(stored?.key).toBe(featureKey('card', id));
      expect(stored?.labels['5m']?.window_end).toBe(row.window_end);
      expect(await store.get('card', 'no-such-card')).toBeUndefined();
    } finally {
      await store.close();
    }
    const get = await runCli(['features', 'get', 'card', id, '--json'], env);
    expect(get.code, get.stderr).toBe(0);
    expect(JSON.parse(get.stdout)).toMatchObject({
      found: true,
      key: featureKey('card', id),
      labels: { '5m': { window_end: row.window_end, features: { txn_count: row.txn_count } } },
    });
    expect(await sink.stop()).toBe(0);
  });

  it('features get names the key that is not a hash, with a redis-cli line that works on a cluster', async () => {
    const id = uniqueName('blocked');
    const client = new Cluster([{ host: '127.0.0.1', port: cluster.ports[0]! }]);
    try {
      await client.set(featureKey('card', id), 'not a hash');
    } finally {
      client.disconnect();
    }
    const get = await runCli(['features', 'get', 'card', id], env);
    expect(get.code).not.toBe(0);
    expect(get.stderr).toContain(
      `key ${featureKey('card', id)} at ${cluster.url} holds a string, not a feature hash`,
    );
    expect(get.stderr).toContain(
      `'redis-cli -c -h 127.0.0.1 -p ${cluster.ports[0]} DEL ${featureKey('card', id)}'`,
    );
  });

  it('consume: click events -> the consumer runtime -> Redis Cluster equals replay', async () => {
    const file = await generateEvents(join(dir, 'consume.ndjson'), {
      job: 'clickstream',
      events: 3000,
      seed: 72,
      entities: 150,
    });
    const topic = uniqueName('click.events.cluster');
    await createTopics(stack.kafkaBrokers, [topic, `${topic}.late`, `${topic}.dlq`]);
    const consumer = startCli(
      ['consume', '--job', 'clickstream', '--topic', topic, '--group', uniqueName('consume')],
      env,
    );
    const produced = await runCli(
      ['produce', '--job', 'clickstream', '--input', file, '--topic', topic],
      env,
    );
    expect(produced.code, produced.stderr).toBe(0);
    await flushWatermarks(
      stack.kafkaBrokers,
      topic,
      'clickstream',
      lastEventTime(file) + 20 * 60_000,
    );
    const expected = newestWindowPerEntity(
      (await replayRows('clickstream', file, `${file}.replay`)).values(),
    );
    expected.delete(SENTINEL_ENTITY);
    await expectRedisHoldsNewestWindows(cluster.url, 'user', expected, CLICKSTREAM_FEATURE_NAMES);
    expect(await consumer.stop()).toBe(0);
  });

  it('a master restarted mid-stream: the sink retries and ends equal to replay, nothing lost', async () => {
    await flushCluster();
    const rows = await transactionRows('restart', 3000, 73);
    const [first, second, third] = splitEvenly(rows, 3);
    const { topic, sink } = await sinkInto('restart');
    await produceRows(topic, first!);
    await expectRedisHoldsNewestWindows(
      cluster.url,
      'card',
      newestWindowPerEntity(first!),
      TRANSACTION_FEATURE_NAMES,
    );
    await cluster.restartNode(1, async () => {
      // While the master is down, its slots cannot be written: these windows must wait.
      await produceRows(topic, second!);
      await waitFor('the sink to retry against the stopped master', 60_000, () =>
        /windows wait for Redis \(attempt \d+/.test(sink.output()) ? true : undefined,
      );
    });
    await produceRows(topic, third!);
    await expectRedisHoldsNewestWindows(
      cluster.url,
      'card',
      newestWindowPerEntity(rows),
      TRANSACTION_FEATURE_NAMES,
    );
    expect(sink.child.exitCode).toBeNull();
    expect(await sink.stop()).toBe(0);
  });
});
