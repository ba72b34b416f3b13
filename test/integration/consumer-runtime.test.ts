// The consumer runtime on the real stack: parity with replay, kill -9 and restart, two
// consumers with a rebalance, poison messages, an idle partition. Every test has its own
// topics, group and Redis database, and waits by polling.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';

import { AvroSerializer } from '../../src/core/utils/avro.ts';
import { trackCliProcesses } from '../support/cli-process.ts';
import { generateEvents, lastEventTime, splitEvenly } from '../support/generated-events.ts';
import { TRANSACTION_FEATURE_NAMES } from '../support/job-events.ts';
import { createTopics, readTopic, testKafka, uniqueName, waitFor } from '../support/kafka.ts';
import {
  expectRedisHoldsNewestWindows,
  newestWindowPerEntity,
} from '../support/redis-expectations.ts';
import { findFreePort, startRedisServer } from '../support/redis-server.ts';
import { replayRows } from '../support/replay-rows.ts';
import { runCli } from '../support/run-cli.ts';
import { stackEnv } from '../support/stack-endpoints.ts';
import { flushWatermarks, SENTINEL_ENTITY } from '../support/watermark-flush.ts';

const stack = inject('stack');
const env = stackEnv(stack);
const dir = mkdtempSync(join(tmpdir(), 'featureflow-consume-'));
let nextDatabase = 1;

/** Every process a test starts; their output is printed when the test fails. */
const startCli = trackCliProcesses(afterEach);

/** Topics, group and a Redis database of the test's own. */
async function scenario(name: string) {
  const topic = uniqueName(`txn.events.${name}`);
  await createTopics(stack.kafkaBrokers, [topic, `${topic}.late`, `${topic}.dlq`]);
  const redisUrl = `${stack.redisUrl}/${nextDatabase++}`;
  const group = uniqueName(`consume-${name}`);
  const consumeArgs = [
    'consume',
    '--job',
    'transactions',
    '--topic',
    topic,
    '--group',
    group,
    '--redis',
    redisUrl,
    '--status-interval',
    '2',
    '--idle-timeout',
    '5s',
  ];
  return { topic, redisUrl, group, consumeArgs };
}

const generate = (name: string, events: number, seed: number, extra: string[] = []) =>
  generateEvents(join(dir, `${name}.ndjson`), { events, seed, extra });

/** The file's lines in `parts` consecutive files. */
function splitFile(file: string, parts: number): string[] {
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
  return splitEvenly(lines, parts).map((slice, i) => {
    const part = `${file}.part${i}`;
    writeFileSync(part, `${slice.join('\n')}\n`);
    return part;
  });
}

async function produce(file: string, topic: string): Promise<void> {
  const result = await runCli(
    ['produce', '--job', 'transactions', '--input', file, '--topic', topic],
    env,
  );
  expect(result.code, result.stderr).toBe(0);
}

/**
 * Ends the stream (watermarks past its last event, as replay's end of input), then checks that
 * Redis holds replay's newest window of every card.
 */
async function endStreamAndExpectFinalState(
  file: string,
  topic: string,
  redisUrl: string,
): Promise<void> {
  await flushWatermarks(
    stack.kafkaBrokers,
    topic,
    'transactions',
    lastEventTime(file) + 20 * 60_000,
  );
  const expected = newestWindowPerEntity(
    (await replayRows('transactions', file, `${file}.replay`)).values(),
  );
  expected.delete(SENTINEL_ENTITY);
  await expectRedisHoldsNewestWindows(redisUrl, 'card', expected, TRANSACTION_FEATURE_NAMES);
}

/** One command on a fresh connection (the test's own admin of a private Redis). */
async function runRedis(url: string, command: readonly string[]): Promise<void> {
  const client = new Redis(url);
  try {
    await client.call(command[0]!, ...command.slice(1));
  } finally {
    client.disconnect();
  }
}

describe('featureflow consume', () => {
  it('writes what replay computes (parity)', async () => {
    const s = await scenario('parity');
    const file = await generate('parity', 3000, 21);
    const consumer = startCli(s.consumeArgs, env);
    try {
      await produce(file, s.topic);
      await endStreamAndExpectFinalState(file, s.topic, s.redisUrl);
      const replayed = (
        await runCli([
          'replay',
          '--job',
          'transactions',
          '--input',
          file,
          '--output',
          `${file}.count`,
        ])
      ).stderr;
      const windows = /([\d,]+) windows/.exec(replayed)![1]!;
      await waitFor('the consumer to report every window', 30_000, () =>
        consumer.output().includes(`windows ${windows},`) ? true : undefined,
      );
    } finally {
      expect(await consumer.stop()).toBe(0);
    }
    expect(consumer.output()).toContain('stopped after 3,003 events');
  });

  it('ends with the same Redis state after kill -9 and a restart', async () => {
    const s = await scenario('crash');
    const file = await generate('crash', 4000, 22);
    const [first, second] = splitFile(file, 2);
    const crashing = startCli(s.consumeArgs, env);
    await produce(first!, s.topic);
    // Mid-stream: some windows are in Redis, some are open, some offsets are committed.
    await waitFor('the first consumer to write windows', 60_000, () =>
      /Redis written [1-9]/.test(crashing.output()) ? true : undefined,
    );
    expect(await crashing.stop('SIGKILL')).toBe('SIGKILL');
    await produce(second!, s.topic);
    const restarted = startCli(s.consumeArgs, env);
    try {
      await endStreamAndExpectFinalState(file, s.topic, s.redisUrl);
      expect(restarted.output()).toMatch(
        /partition \d assigned: from offset \d+, windows fired up to/,
      );
    } finally {
      await restarted.stop();
    }
  });

  it('ends with the same Redis state with two consumers, a rebalance and a crash', async () => {
    const s = await scenario('rebalance');
    const file = await generate('rebalance', 4500, 23);
    const [first, second, third] = splitFile(file, 3);
    const a = startCli(s.consumeArgs, env);
    await produce(first!, s.topic);
    await waitFor('consumer A to write windows', 60_000, () =>
      /Redis written [1-9]/.test(a.output()) ? true : undefined,
    );
    const b = startCli(s.consumeArgs, env);
    try {
      await waitFor('the group to rebalance to A and B', 60_000, () =>
        /partition \d revoked/.test(a.output()) && /partition \d assigned/.test(b.output())
          ? true
          : undefined,
      );
      await produce(second!, s.topic);
      await sleep(1_000);
      expect(await a.stop('SIGKILL')).toBe('SIGKILL');
      await produce(third!, s.topic);
      await endStreamAndExpectFinalState(file, s.topic, s.redisUrl);
    } finally {
      await b.stop();
    }
  });

  it('retries while Redis is down and ends with the same state once it is back', async () => {
    const s = await scenario('redis-down');
    const file = await generate('redis-down', 3000, 25);
    const [first, second, third] = splitFile(file, 3);
    // A Redis of this test's own, persistent, so that a restart keeps what was acknowledged.
    const port = await findFreePort();
    const redisDir = mkdtempSync(join(tmpdir(), 'featureflow-redis-down-'));
    const persistent = ['--dir', redisDir, '--appendonly', 'yes', '--appendfsync', 'always'];
    let redis = await startRedisServer({ port, extraArgs: persistent });
    const args = s.consumeArgs.map((a) => (a === s.redisUrl ? redis.url : a));
    const consumer = startCli(args, env);
    try {
      await produce(first!, s.topic);
      await waitFor('windows in Redis before the outage', 60_000, () =>
        /Redis written [1-9]/.test(consumer.output()) ? true : undefined,
      );
      await redis.stop();
      await produce(second!, s.topic);
      await waitFor('the consumer to retry against the stopped Redis', 60_000, () =>
        /\d+ of \d+ windows wait for Redis \(attempt \d+.*retrying in \d+ ms/.test(
          consumer.output(),
        )
          ? true
          : undefined,
      );
      redis = await startRedisServer({ port, extraArgs: persistent });
      await produce(third!, s.topic);
      await endStreamAndExpectFinalState(file, s.topic, redis.url);
      expect(consumer.child.exitCode).toBeNull();
    } finally {
      await consumer.stop();
      await redis.stop();
    }
  });

  it('waits out an out-of-memory Redis without committing and ends with the same state', async () => {
    const s = await scenario('oom');
    const file = await generate('oom', 3000, 26);
    const [first, second, third] = splitFile(file, 3);
    const redis = await startRedisServer({ extraArgs: ['--maxmemory-policy', 'noeviction'] });
    const args = s.consumeArgs.map((a) => (a === s.redisUrl ? redis.url : a));
    const consumer = startCli(args, env);
    try {
      await produce(first!, s.topic);
      await waitFor('windows in Redis before the OOM', 60_000, () =>
        /Redis written [1-9]/.test(consumer.output()) ? true : undefined,
      );
      // Out of memory mid-stream (maxmemory below what Redis already holds, noeviction).
      await runRedis(redis.url, ['CONFIG', 'SET', 'maxmemory', '1mb']);
      await produce(second!, s.topic);
      await waitFor('the consumer to report the OOM and wait', 60_000, () =>
        /\d+ of \d+ windows wait for Redis \(attempt 1\): Redis at \S+ cannot take writes now: OOM command not allowed/.test(
          consumer.output(),
        )
          ? true
          : undefined,
      );
      await runRedis(redis.url, ['CONFIG', 'SET', 'maxmemory', '0']);
      await produce(third!, s.topic);
      await endStreamAndExpectFinalState(file, s.topic, redis.url);
      expect(consumer.output()).not.toMatch(/not written: .*OOM/);
      expect(consumer.child.exitCode).toBeNull();
    } finally {
      await consumer.stop();
      await redis.stop();
    }
  });

  it('sends poison messages to the DLQ with a reason and processes every good one', async () => {
    const s = await scenario('poison');
    const file = await generate('poison', 1500, 24);
    const good = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0);
    const serializer = AvroSerializer.forTopic<Record<string, unknown>>('txn.events');
    const clickSerializer = AvroSerializer.forTopic<Record<string, unknown>>('click.events');
    const poison = [
      Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x01]),
      serializer.serialize(JSON.parse(good[0]!)).subarray(0, 9),
      clickSerializer.serialize({
        event_id: 'e',
        user_id: 'u',
        session_id: 's',
        page: '/',
        event_type: 'click',
        referrer: null,
        timestamp: 1,
      }),
      serializer.serialize({ ...JSON.parse(good[1]!), currency: 'EURO' }),
    ];
    const producer = testKafka(stack.kafkaBrokers).producer();
    await producer.connect();
    const messages = good.map((line) => {
      const event = JSON.parse(line) as Record<string, unknown>;
      return { key: event.card_id as string, value: serializer.serialize(event) };
    });
    // Every 300th message is followed by a poison one.
    const interleaved = messages.flatMap((m, i) =>
      i % 300 === 0 ? [m, { key: 'poison', value: poison[(i / 300) % poison.length]! }] : [m],
    );
    await producer.send({ topic: s.topic, acks: -1, messages: interleaved });
    await producer.disconnect();
    const consumer = startCli(s.consumeArgs, env);
    try {
      await endStreamAndExpectFinalState(file, s.topic, s.redisUrl);
      const dead = await readTopic(
        stack.kafkaBrokers,
        `${s.topic}.dlq`,
        (m) => m.length >= 5,
        60_000,
      );
      expect(dead).toHaveLength(5);
      const reasons = dead.map((m) => m.headers?.['featureflow.error.reason']?.toString() ?? '');
      for (const reason of reasons) expect(reason).toMatch(/\w+/);
      expect(reasons.some((r) => r.includes('truncated') || r.includes('not a valid'))).toBe(true);
      expect(reasons.some((r) => r.includes('currency must be exactly 3 characters'))).toBe(true);
      expect(dead.map((m) => m.value!.toString('hex')).sort()).toEqual(
        [0, 1, 2, 3, 0].map((i) => poison[i]!.toString('hex')).sort(),
      );
    } finally {
      await consumer.stop();
    }
  });

  it('fires windows when a partition goes idle', async () => {
    const s = await scenario('idle');
    const serializer = AvroSerializer.forTopic<Record<string, unknown>>('txn.events');
    const base = Date.parse('2024-05-01T12:00:00Z');
    const event = (card: string, timestamp: number) =>
      serializer.serialize({
        transaction_id: `${card}-${timestamp}`,
        card_id: card,
        user_id: 'u',
        merchant_id: 'm',
        merchant_category: 'fuel',
        amount: 10,
        currency: 'EUR',
        country: 'DE',
        channel: 'pos',
        timestamp,
      });
    const producer = testKafka(stack.kafkaBrokers).producer();
    await producer.connect();
    // Partition 2 gets one early event and then nothing; partitions 0 and 1 go on, a minute of
    // event time every half second of wall clock, for longer than the idle timeout.
    await producer.send({
      topic: s.topic,
      acks: -1,
      messages: [{ partition: 2, key: 'quiet', value: event('quiet', base) }],
    });
    const consumer = startCli(s.consumeArgs, env);
    try {
      for (let minute = 0; minute < 24; minute++) {
        await producer.send({
          topic: s.topic,
          acks: -1,
          messages: [0, 1].map((partition) => ({
            partition,
            key: `busy-${partition}`,
            value: event(`busy-${partition}`, base + minute * 60_000),
          })),
        });
        await sleep(500);
      }
      await producer.disconnect();
      // Partition 2's watermark stays at base - 5 s; only the idle timeout lets the others fire.
      const { createFeatureStore } = await import('../../src/core/sinks/feature-store.ts');
      const store = createFeatureStore({ redisUrl: s.redisUrl });
      try {
        const end = await waitFor(
          'windows of busy cards to fire past the idle partition',
          60_000,
          async () => {
            const stored = await store.get('card', 'busy-0');
            const windowEnd = stored?.labels['5m']?.window_end;
            return windowEnd !== undefined && windowEnd > base + 10 * 60_000
              ? windowEnd
              : undefined;
          },
        );
        // Never past the busy partitions' own watermark (last event at minute 23, minus 5 s).
        expect(end).toBeLessThanOrEqual(base + 23 * 60_000);
      } finally {
        await store.close();
      }
    } finally {
      await consumer.stop();
    }
  });
});
