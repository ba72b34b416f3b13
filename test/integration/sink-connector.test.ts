// The Redis sink connector (`featureflow sink`) on the real stack: feature rows on a features
// topic end in Redis as the newest window per entity, through a Redis outage, and undecodable
// messages go to the DLQ. Every test has its own topics, group and Redis, and waits by polling.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';

import type { WindowedFeatureRow } from '../../src/core/jobs/job-definition.ts';
import { createFeatureStore } from '../../src/core/sinks/feature-store.ts';
import { createFeatureSink } from '../../src/core/sinks/redis-feature-sink.ts';
import { wireTypeOf } from '../../src/core/utils/avro.ts';
import { SchemaDirectory } from '../../src/core/utils/schema-directory.ts';
import { trackCliProcesses } from '../support/cli-process.ts';
import { generateEvents, splitEvenly } from '../support/generated-events.ts';
import { TRANSACTION_FEATURE_NAMES, TRANSACTIONS } from '../support/job-events.ts';
import { createTopics, readTopic, testKafka, uniqueName, waitFor } from '../support/kafka.ts';
import {
  expectRedisHoldsNewestWindows,
  newestWindowPerEntity,
} from '../support/redis-expectations.ts';
import { findFreePort, startRedisServer } from '../support/redis-server.ts';
import { type FeatureRow, replayRows } from '../support/replay-rows.ts';
import { stackEnv } from '../support/stack-endpoints.ts';

const stack = inject('stack');
const env = stackEnv(stack);
const dir = mkdtempSync(join(tmpdir(), 'featureflow-sink-'));
let nextDatabase = 11;
const featureType = wireTypeOf(new SchemaDirectory(), 'transaction_features.avsc');

/** Every process a test starts; their output is printed when the test fails. */
const startCli = trackCliProcesses(afterEach);

/** A features topic (and its DLQ), a group and a Redis database of the test's own. */
async function scenario(name: string) {
  const topic = uniqueName(`features.transactions.${name}`);
  await createTopics(stack.kafkaBrokers, [topic, `${topic}.dlq`]);
  const redisUrl = `${stack.redisUrl}/${nextDatabase++}`;
  const group = uniqueName(`sink-${name}`);
  const sinkArgs = (redis: string) => [
    'sink',
    '--topics',
    `${topic}=features.transactions`,
    '--group',
    group,
    '--redis',
    redis,
  ];
  return { topic, redisUrl, group, sinkArgs };
}

/** The feature rows `featureflow replay` computes for a generated transactions file. */
async function featureRows(name: string, events: number, seed: number): Promise<FeatureRow[]> {
  const file = await generateEvents(join(dir, `${name}.ndjson`), { events, seed });
  const rows = [...(await replayRows('transactions', file, `${file}.replay`)).values()];
  // In window order, as a windowed job emits them.
  return rows.sort((a, b) => a.window_end - b.window_end || a.entity_id.localeCompare(b.entity_id));
}

type Message = { key: string; value: Buffer };

const encode = (rows: readonly FeatureRow[]): Message[] =>
  rows.map((row) => ({ key: row.entity_id, value: featureType.toBuffer(row) }));

async function produce(topic: string, messages: readonly Message[]): Promise<void> {
  const producer = testKafka(stack.kafkaBrokers).producer();
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: [...messages] });
  } finally {
    await producer.disconnect();
  }
}

describe('featureflow sink', () => {
  it('retries while Redis is down and ends with the newest window of every card', async () => {
    const s = await scenario('redis-down');
    const rows = await featureRows('redis-down', 3000, 31);
    const [first, second, third] = splitEvenly(rows, 3);
    // A Redis of this test's own, persistent, so that a restart keeps what was acknowledged.
    const port = await findFreePort();
    const redisDir = mkdtempSync(join(tmpdir(), 'featureflow-sink-redis-down-'));
    const persistent = ['--dir', redisDir, '--appendonly', 'yes', '--appendfsync', 'always'];
    let redis = await startRedisServer({ port, extraArgs: persistent });
    const sink = startCli(s.sinkArgs(redis.url), env);
    try {
      await produce(s.topic, encode(first!));
      const store = createFeatureStore({ redisUrl: redis.url });
      try {
        await waitFor('windows in Redis before the outage', 60_000, async () => {
          for (const row of first!) {
            const stored = await store.get('card', row.entity_id);
            if (stored?.labels['5m'] !== undefined) return true;
          }
          return undefined;
        });
      } finally {
        await store.close();
      }
      await redis.stop();
      await produce(s.topic, encode(second!));
      await waitFor('the sink to retry against the stopped Redis', 60_000, () =>
        /\d+ of \d+ windows wait for Redis \(attempt \d+.*retrying in \d+ ms/.test(sink.output())
          ? true
          : undefined,
      );
      redis = await startRedisServer({ port, extraArgs: persistent });
      // What arrived during the outage was retried, not skipped: before part 3 exists, Redis
      // holds the newest window of parts 1 and 2.
      await expectRedisHoldsNewestWindows(
        redis.url,
        'card',
        newestWindowPerEntity([...first!, ...second!]),
        TRANSACTION_FEATURE_NAMES,
      );
      await produce(s.topic, encode(third!));
      await expectRedisHoldsNewestWindows(
        redis.url,
        'card',
        newestWindowPerEntity(rows),
        TRANSACTION_FEATURE_NAMES,
      );
      expect(sink.child.exitCode).toBeNull();
      expect(sink.child.signalCode).toBeNull();
    } finally {
      await sink.stop();
      await redis.stop();
    }
  });

  it('sends undecodable messages to the DLQ with a reason and writes every good row', async () => {
    const s = await scenario('poison');
    const rows = await featureRows('poison', 600, 32);
    const poison = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03]);
    const good = encode(rows);
    const half = Math.floor(good.length / 2);
    await produce(s.topic, [
      ...good.slice(0, half),
      { key: 'poison', value: poison },
      ...good.slice(half),
    ]);
    const sink = startCli(s.sinkArgs(s.redisUrl), env);
    try {
      await expectRedisHoldsNewestWindows(
        s.redisUrl,
        'card',
        newestWindowPerEntity(rows),
        TRANSACTION_FEATURE_NAMES,
      );
      const dead = await readTopic(
        stack.kafkaBrokers,
        `${s.topic}.dlq`,
        (m) => m.length >= 1,
        60_000,
      );
      expect(dead).toHaveLength(1);
      expect(dead[0]!.key?.toString()).toBe('poison');
      expect(dead[0]!.value!.toString('hex')).toBe(poison.toString('hex'));
      expect(dead[0]!.headers?.['featureflow.error.reason']?.toString() ?? '').toMatch(/\w+/);
      expect(sink.child.exitCode).toBeNull();
    } finally {
      expect(await sink.stop()).toBe(0);
    }
  });

  it('waits out an out-of-memory Redis without committing, dead-letters WRONGTYPE rows, and ends equal to the no-fault run', async () => {
    const s = await scenario('oom');
    const rows = await featureRows('oom', 3000, 33);
    const [first, second, third] = splitEvenly(rows, 3);
    // One card's key holds a string in both Redis: its rows can never be written.
    const blocked = first![0]!.entity_id;
    const blockedKey = `features:card:${blocked}`;
    const oom = await startRedisServer({ extraArgs: ['--maxmemory-policy', 'noeviction'] });
    const reference = await startRedisServer();
    const oomAdmin = new Redis(oom.url);
    const referenceAdmin = new Redis(reference.url);
    const sink = startCli(s.sinkArgs(oom.url), env);
    try {
      for (const client of [oomAdmin, referenceAdmin]) await client.set(blockedKey, 'not a hash');
      // The run without the fault: the same rows, in the same order, through the same sink code.
      const referenceSink = createFeatureSink({ redisUrl: reference.url });
      await referenceSink
        .writeFeatures(rows as unknown as WindowedFeatureRow[], TRANSACTIONS)
        .finally(() => referenceSink.close());

      await produce(s.topic, encode(first!));
      const withoutBlocked = (part: readonly FeatureRow[]) =>
        new Map([...newestWindowPerEntity(part)].filter(([id]) => id !== blocked));
      await expectRedisHoldsNewestWindows(
        oom.url,
        'card',
        withoutBlocked(first!),
        TRANSACTION_FEATURE_NAMES,
      );
      // Out of memory mid-stream: what arrives now cannot be written.
      await oomAdmin.config('SET', 'maxmemory', '1mb');
      await produce(s.topic, encode(second!));
      await waitFor('the sink to report the OOM and wait', 60_000, () =>
        /\d+ of \d+ windows wait for Redis \(attempt 1\): Redis at \S+ cannot take writes now: OOM command not allowed/.test(
          sink.output(),
        )
          ? true
          : undefined,
      );
      expect(sink.output()).not.toMatch(/not written: .*OOM/);
      await oomAdmin.config('SET', 'maxmemory', '0');
      // The rows refused during the OOM were retried, not skipped: before part 3 exists, Redis
      // holds the newest window of parts 1 and 2.
      await expectRedisHoldsNewestWindows(
        oom.url,
        'card',
        withoutBlocked([...first!, ...second!]),
        TRANSACTION_FEATURE_NAMES,
        60_000,
      );
      await produce(s.topic, encode(third!));
      await expectRedisHoldsNewestWindows(
        oom.url,
        'card',
        withoutBlocked(rows),
        TRANSACTION_FEATURE_NAMES,
      );
      const keys = async (client: Redis) => {
        const all: Record<string, unknown> = {};
        for (const key of (await client.keys('*')).sort()) {
          all[key] = key === blockedKey ? await client.get(key) : await client.hgetall(key);
        }
        return all;
      };
      expect(await keys(oomAdmin)).toEqual(await keys(referenceAdmin));

      const dead = await readTopic(
        stack.kafkaBrokers,
        `${s.topic}.dlq`,
        (m) => m.length >= 1,
        60_000,
      );
      expect(new Set(dead.map((m) => m.key?.toString()))).toEqual(new Set([blocked]));
      for (const message of dead) {
        expect(message.headers?.['featureflow.error.code']?.toString()).toBe('redis_refused');
        expect(message.headers?.['featureflow.error.reason']?.toString()).toBe(
          `Redis refused the write to ${blockedKey}: WRONGTYPE Operation against a key holding the wrong kind of value (the key must be a feature hash; delete or rename what is there)`,
        );
        expect(featureType.fromBuffer(message.value!)).toMatchObject({ entity_id: blocked });
      }
      expect(sink.child.exitCode).toBeNull();
    } finally {
      await sink.stop();
      oomAdmin.disconnect();
      referenceAdmin.disconnect();
      await oom.stop();
      await reference.stop();
    }
  });
});
