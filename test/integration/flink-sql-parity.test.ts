// End to end on the real stack: a generated file with bounded disorder and no late events is
// produced to Kafka, the pure-SQL Flink job computes the windows, and every row it writes to
// the features topic equals `featureflow replay` on the same file. Out-of-range amounts (over
// the transactions job's |amount| <= 1e15), written to the topic past `produce`'s validation,
// are left out by the SQL job as replay dead-letters them. Then late events reach the late
// topic through the routing job.
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AvroSerializer, wireTypeOf, wireTypeOfSchema } from '../../src/core/utils/avro.ts';
import { SchemaDirectory } from '../../src/core/utils/schema-directory.ts';
import { generateEvents, lastEventTime as lastEventTimeOf } from '../support/generated-events.ts';
import { TRANSACTIONS } from '../support/job-events.ts';
import {
  createTopics,
  readTopic,
  testKafka,
  topicSize,
  uniqueName,
  waitFor,
} from '../support/kafka.ts';
import { expectRowsClose, type FeatureRow, replayRows, rowKey } from '../support/replay-rows.ts';
import { runCli } from '../support/run-cli.ts';
import { stackEnv } from '../support/stack-endpoints.ts';
import { flushWatermarks, SENTINEL_ENTITY } from '../support/watermark-flush.ts';

const stack = inject('stack');
const env = stackEnv(stack);
const dir = mkdtempSync(join(tmpdir(), 'featureflow-flink-sql-'));
const startedJobs: string[] = [];

async function submit(file: string, vars: Record<string, string>): Promise<string[]> {
  const args = [
    'submit',
    file,
    ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}=${v}`]),
  ];
  const result = await runCli(args, env);
  expect(result.code, result.stderr + result.stdout).toBe(0);
  const jobs = [...result.stdout.matchAll(/-> job ([0-9a-f]{32})/g)].map((m) => m[1]!);
  startedJobs.push(...jobs);
  return jobs;
}

afterAll(async () => {
  for (const job of startedJobs) await runCli(['cancel', job], env);
});

describe('the pure-SQL transaction job against replay', () => {
  const eventsTopic = uniqueName('txn.events');
  const featuresTopic = uniqueName('features.transactions');
  const input = join(dir, 'events.ndjson');
  let expected: Map<string, FeatureRow>;
  let lastEventTime = 0;
  let outOfRange: Record<string, unknown>[] = [];

  beforeAll(async () => {
    await createTopics(stack.kafkaBrokers, [eventsTopic, `${eventsTopic}.dlq`, featuresTopic]);
    await generateEvents(input, { events: 4000, entities: 40, seed: 11, meanGap: '100ms' });
    lastEventTime = lastEventTimeOf(input);
    // Two amounts past the bound on the newest event's card, in windows still open at its time.
    const newest = readFileSync(input, 'utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((event) => event.timestamp === lastEventTime)!;
    outOfRange = [1e308, -(1e15 + 0.125)].map((amount, i) => ({
      ...newest,
      transaction_id: `out-of-range-${i}`,
      amount,
    }));
    const replayInput = join(dir, 'replay-input.ndjson');
    copyFileSync(input, replayInput);
    appendFileSync(replayInput, outOfRange.map((e) => `${JSON.stringify(e)}\n`).join(''));
    expected = await replayRows('transactions', replayInput, join(dir, 'replay.ndjson'));
  });

  it('writes every window replay writes, with the same values', async () => {
    // The job first, then the events: started on a backlog, Flink reads one partition ahead of
    // the others before their per-partition watermarks exist, and drops their early events as
    // late (measured: 78 of 448 windows short). A running job sees them arrive as they would.
    await submit('flink-sql/01_transaction_features_sql.sql', {
      TXN_EVENTS_TOPIC: eventsTopic,
      FEATURES_TRANSACTIONS_TOPIC: featuresTopic,
      GROUP_ID: uniqueName('flink-sql'),
    });
    const produced = await runCli(
      ['produce', '--job', 'transactions', '--input', input, '--topic', eventsTopic],
      env,
    );
    expect(produced.code, produced.stderr).toBe(0);
    expect(produced.stderr).toContain('4,000 produced');
    // Past `produce` (which dead-letters them): as a producer of another stack would write them.
    const serializer = new AvroSerializer<Record<string, unknown>>(
      wireTypeOfSchema(TRANSACTIONS.eventSchema),
    );
    const producer = testKafka(stack.kafkaBrokers).producer();
    await producer.connect();
    await producer.send({
      topic: eventsTopic,
      acks: -1,
      messages: outOfRange.map((event) => ({
        key: String(event.card_id),
        value: serializer.serialize(event),
      })),
    });
    await producer.disconnect();
    await flushWatermarks(
      stack.kafkaBrokers,
      eventsTopic,
      'transactions',
      lastEventTime + 20 * 60_000,
    );

    const type = wireTypeOf(new SchemaDirectory(), 'transaction_features.avsc');
    const messages = await readTopic(
      stack.kafkaBrokers,
      featuresTopic,
      (m) => m.length >= expected.size,
      240_000,
    );
    const rows = messages.map((m) => {
      const row = { ...(type.fromBuffer(m.value!) as FeatureRow) };
      expect(m.key?.toString()).toBe(row.entity_id);
      return row;
    });
    const actual = new Map(
      rows.filter((r) => r.entity_id !== SENTINEL_ENTITY).map((r) => [rowKey(r), r]),
    );
    expect(actual.size).toBe(rows.length);
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, row] of expected) {
      expectRowsClose(actual.get(key)!, row, [
        'entity_id',
        'window_start',
        'window_end',
        'txn_count',
        'amount_sum',
        'amount_avg',
        'amount_max',
        'amount_min',
        'distinct_merchants',
        'distinct_countries',
        'high_amount_count',
        'velocity_score',
      ]);
      // Flink's STDDEV_POP works from a sum of squares, replay from deviations: agree to 1e-6.
      expect(
        Math.abs((actual.get(key)!.amount_std as number) - (row.amount_std as number)),
      ).toBeLessThan(1e-6);
    }
  });
});

describe('late events', () => {
  it('reach the late topic through the routing job', async () => {
    const eventsTopic = uniqueName('txn.events');
    const lateTopic = `${eventsTopic}.late`;
    await createTopics(stack.kafkaBrokers, [eventsTopic, `${eventsTopic}.dlq`, lateTopic]);
    const input = join(dir, 'late.ndjson');
    // In order on one card, then one event 20 minutes behind: behind the watermark of every
    // partition once the sentinels have moved them on.
    const base = Date.parse('2024-03-01T10:00:00Z');
    const event = (id: string, timestamp: number) =>
      JSON.stringify({
        transaction_id: id,
        card_id: 'card-late',
        user_id: 'u',
        merchant_id: 'm',
        merchant_category: 'fuel',
        amount: 12.5,
        currency: 'EUR',
        country: 'DE',
        channel: 'pos',
        timestamp,
      });
    const { writeFileSync } = await import('node:fs');
    await submit('flink-sql/02_transaction_late_events.sql', {
      TXN_EVENTS_TOPIC: eventsTopic,
      TXN_EVENTS_LATE_TOPIC: lateTopic,
      GROUP_ID: uniqueName('late'),
    });
    writeFileSync(
      input,
      `${[event('on-time-1', base), event('on-time-2', base + 60_000)].join('\n')}\n`,
    );
    expect(
      (
        await runCli(
          ['produce', '--job', 'transactions', '--input', input, '--topic', eventsTopic],
          env,
        )
      ).code,
    ).toBe(0);
    await flushWatermarks(stack.kafkaBrokers, eventsTopic, 'transactions', base + 60 * 60_000);
    // Flink moves its watermark on at its next periodic emission after reading the sentinels:
    // send late events until the first reaches the late topic, rather than guess how long that takes.
    let sent = 0;
    await waitFor('the routing job to call the events late', 120_000, async () => {
      sent += 1;
      writeFileSync(input, `${event(`late-${sent}`, base + 30_000)}\n`);
      const produced = await runCli(
        ['produce', '--job', 'transactions', '--input', input, '--topic', eventsTopic],
        env,
      );
      expect(produced.code, produced.stderr).toBe(0);
      return (await topicSize(stack.kafkaBrokers, lateTopic)) > 0 ? true : undefined;
    });

    const type = wireTypeOf(new SchemaDirectory(), 'transaction_event.avsc');
    const messages = await readTopic(stack.kafkaBrokers, lateTopic, (m) => m.length >= 1, 120_000);
    const late = messages.map(
      (m) => (type.fromBuffer(m.value!) as { transaction_id: string }).transaction_id,
    );
    // Only late events, never the on-time ones; and once one probe was late, every later one is.
    const first = Number(late[0]!.slice('late-'.length));
    expect(late).toEqual(Array.from({ length: sent - first + 1 }, (_, i) => `late-${first + i}`));
  });
});
