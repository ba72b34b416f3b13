// End to end on the real stack: a generated file with bounded disorder and no late events is
// produced to Kafka, the pure-SQL Flink job computes the windows, and every row it writes to
// the features topic equals `featureflow replay` on the same file. Then late events reach the
// late topic through the routing job.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { wireTypeOf } from '../../src/core/utils/avro.ts';
import { SchemaDirectory } from '../../src/core/utils/schema-directory.ts';
import { generateEvents, lastEventTime as lastEventTimeOf } from '../support/generated-events.ts';
import { createTopics, readTopic, uniqueName } from '../support/kafka.ts';
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

  beforeAll(async () => {
    await createTopics(stack.kafkaBrokers, [eventsTopic, `${eventsTopic}.dlq`, featuresTopic]);
    await generateEvents(input, { events: 4000, entities: 40, seed: 11, meanGap: '100ms' });
    lastEventTime = lastEventTimeOf(input);
    expected = await replayRows('transactions', input, join(dir, 'replay.ndjson'));
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
    // Flink emits watermarks periodically: give the sentinels time to move the watermark on.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    writeFileSync(input, `${event('late-1', base + 30_000)}\n`);
    expect(
      (
        await runCli(
          ['produce', '--job', 'transactions', '--input', input, '--topic', eventsTopic],
          env,
        )
      ).code,
    ).toBe(0);

    const type = wireTypeOf(new SchemaDirectory(), 'transaction_event.avsc');
    const messages = await readTopic(stack.kafkaBrokers, lateTopic, (m) => m.length >= 1, 120_000);
    const late = messages.map((m) => type.fromBuffer(m.value!) as { transaction_id: string });
    expect(late.map((e) => e.transaction_id)).toEqual(['late-1']);
  });
});
