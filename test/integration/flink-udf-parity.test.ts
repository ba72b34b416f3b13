// End to end on the real stack, through the TypeScript bridge: a generated file with bounded
// disorder and no late events is produced to Kafka, Flink SQL collects each HOP window's events
// with ARRAY_AGG and calls the job's function in a real `featureflow udf-server` (through the
// flink-bridge module), and every row the exactly-once sink writes to the features topic equals
// `featureflow replay` on the same file: same keys, every column within 1e-9 relative. None of
// those events is routed late; an event behind the watermark reaches `<events topic>.late`; the
// Redis sink holds each entity's newest window. The built-in jobs, and the logins example: a
// user's definitions (FEATUREFLOW_DEFINITIONS) with a boolean field in ARRAY_AGG(ROW(...)).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { loadJobRegistry } from '../../src/core/jobs/load-definitions.ts';
import { wireTypeOfSchema } from '../../src/core/utils/avro.ts';
import { startCli } from '../support/cli-process.ts';
import { generateEvents, lastEventTime as lastEventTimeOf } from '../support/generated-events.ts';
import { createTopics, readTopic, uniqueName } from '../support/kafka.ts';
import { loginLines } from '../support/login-events.ts';
import {
  expectRedisHoldsNewestWindows,
  newestWindowPerEntity,
} from '../support/redis-expectations.ts';
import { expectRowsClose, type FeatureRow, replayRows, rowKey } from '../support/replay-rows.ts';
import { runCli } from '../support/run-cli.ts';
import { stackEnv } from '../support/stack-endpoints.ts';
import { startUdfServerProcess, type UdfServerProcess } from '../support/udf-server-process.ts';
import { LOGINS_EXAMPLE } from '../support/user-definitions.ts';
import { flushWatermarks, SENTINEL_ENTITY } from '../support/watermark-flush.ts';

const stack = inject('stack');
const env = stackEnv(stack);
const dir = mkdtempSync(join(tmpdir(), 'featureflow-flink-udf-'));
const startedJobs: string[] = [];
let udfServer: UdfServerProcess | undefined;

const jobs = await loadJobRegistry(LOGINS_EXAMPLE);

interface Job {
  job: string;
  sqlFile: string;
  eventsTopicVar: string;
  lateTopicVar: string;
  idField: string;
  featuresTopicVar: string;
  /** The Redis database the sink writes this job's rows to. */
  redisDb: number;
  /** The environment of the CLI for this job (the definitions of a user's job). */
  cliEnv: NodeJS.ProcessEnv;
  /** Writes 4000 events (bounded disorder, none late, none invalid) to the file. */
  writeEvents: (file: string) => Promise<unknown>;
}

const JOBS: readonly Job[] = [
  {
    job: 'transactions',
    sqlFile: 'flink-sql/03_transaction_features_udf.sql',
    eventsTopicVar: 'TXN_EVENTS_TOPIC',
    lateTopicVar: 'TXN_EVENTS_LATE_TOPIC',
    idField: 'transaction_id',
    featuresTopicVar: 'FEATURES_TRANSACTIONS_TOPIC',
    redisDb: 14,
    cliEnv: env,
    writeEvents: (file) =>
      generateEvents(file, {
        job: 'transactions',
        events: 4000,
        entities: ENTITIES,
        seed: 23,
        meanGap: '100ms',
      }),
  },
  {
    job: 'clickstream',
    sqlFile: 'flink-sql/04_clickstream_features_udf.sql',
    eventsTopicVar: 'CLICK_EVENTS_TOPIC',
    lateTopicVar: 'CLICK_EVENTS_LATE_TOPIC',
    idField: 'event_id',
    featuresTopicVar: 'FEATURES_CLICKSTREAM_TOPIC',
    redisDb: 15,
    cliEnv: env,
    writeEvents: (file) =>
      generateEvents(file, {
        job: 'clickstream',
        events: 4000,
        entities: ENTITIES,
        seed: 23,
        meanGap: '100ms',
      }),
  },
  {
    job: 'logins',
    sqlFile: 'examples/logins/logins.sql',
    eventsTopicVar: 'LOGIN_EVENTS_TOPIC',
    lateTopicVar: 'LOGIN_EVENTS_LATE_TOPIC',
    idField: 'event_id',
    featuresTopicVar: 'FEATURES_LOGINS_TOPIC',
    redisDb: 13,
    cliEnv: { ...env, FEATUREFLOW_DEFINITIONS: LOGINS_EXAMPLE },
    writeEvents: async (file) =>
      writeFileSync(
        file,
        `${loginLines(4000, 23, { users: ENTITIES, lateFraction: 0, invalidFraction: 0 }).join('\n')}\n`,
      ),
  },
];

const ENTITIES = 40;

/** The `ok` windows the UDF service computed for one function, from its /metrics. */
async function windowsComputed(functionName: string): Promise<number> {
  const metrics = await (await fetch(udfServer!.metricsUrl!)).text();
  const line = metrics
    .split('\n')
    .find(
      (l) =>
        l.startsWith('featureflow_udf_calls_total{') &&
        l.includes(`function="${functionName}"`) &&
        l.includes('status="ok"'),
    );
  // No line before the first call: prom-client shows a labelled counter once it was counted.
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

beforeAll(async () => {
  udfServer = await startUdfServerProcess(['--definitions', LOGINS_EXAMPLE]);
});

afterAll(async () => {
  for (const job of startedJobs) await runCli(['cancel', job], env);
  await udfServer?.stop();
});

describe.each(JOBS)('the $job job calling its function against replay', (spec) => {
  const job = jobs.get(spec.job);
  const columns = ['entity_id', 'window_start', 'window_end', ...job.featureNames];
  const eventsTopic = uniqueName(job.topics.events);
  const featuresTopic = uniqueName(job.topics.features);
  const lateTopic = `${eventsTopic}.late`;
  const input = join(dir, `${spec.job}.ndjson`);
  let expected: Map<string, FeatureRow>;
  let lastEventTime = 0;

  beforeAll(async () => {
    await createTopics(stack.kafkaBrokers, [
      eventsTopic,
      `${eventsTopic}.dlq`,
      lateTopic,
      featuresTopic,
    ]);
    await spec.writeEvents(input);
    lastEventTime = lastEventTimeOf(input);
    expected = await replayRows(
      spec.job,
      input,
      join(dir, `${spec.job}.replay.ndjson`),
      spec.cliEnv,
    );
    expect(expected.size).toBeGreaterThan(100);
  });

  it('writes every window replay writes, with the same values, each once', async () => {
    // The job first, then the events (see flink-sql-parity.test.ts: a job started on a backlog
    // reads one partition ahead of the others and drops their early events as late).
    const computedBefore = await windowsComputed(job.functionName);
    const submitted = await runCli(
      [
        'submit',
        spec.sqlFile,
        ...Object.entries({
          UDF_ADDRESS: udfServer!.address,
          [spec.eventsTopicVar]: eventsTopic,
          [spec.featuresTopicVar]: featuresTopic,
          [spec.lateTopicVar]: lateTopic,
          GROUP_ID: uniqueName(`flink-udf-${spec.job}`),
          TRANSACTIONAL_ID_PREFIX: uniqueName(`flink-udf-${spec.job}-tx`),
        }).flatMap(([k, v]) => ['--var', `${k}=${v}`]),
      ],
      spec.cliEnv,
    );
    const jobs = [...submitted.stdout.matchAll(/-> job ([0-9a-f]{32})/g)].map((m) => m[1]!);
    startedJobs.push(...jobs);
    expect(submitted.code, submitted.stderr + submitted.stdout).toBe(0);
    expect(jobs).toHaveLength(1);

    const produced = await runCli(
      ['produce', '--job', spec.job, '--input', input, '--topic', eventsTopic],
      spec.cliEnv,
    );
    expect(produced.code, produced.stderr).toBe(0);
    expect(produced.stderr).toContain('4,000 produced');
    await flushWatermarks(stack.kafkaBrokers, eventsTopic, job, lastEventTime + 20 * 60_000);

    const type = wireTypeOfSchema(job.featureSchema);
    const messages = await readTopic(
      stack.kafkaBrokers,
      featuresTopic,
      (m) =>
        m.filter((message) => message.key?.toString() !== SENTINEL_ENTITY).length >= expected.size,
      240_000,
    );
    const rows = messages.map((m) => {
      const row = { ...(type.fromBuffer(m.value!) as FeatureRow) };
      expect(m.key?.toString()).toBe(row.entity_id);
      return row;
    });
    const real = rows.filter((r) => r.entity_id !== SENTINEL_ENTITY);
    const actual = new Map(real.map((r) => [rowKey(r), r]));
    // Exactly once: no window twice.
    expect(actual.size).toBe(real.length);
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, row] of expected) expectRowsClose(actual.get(key)!, row, columns);

    // The ROW result is spread into its columns by one call per window, not one per column: the
    // service computed each window once (sentinel windows may be computed but not committed yet).
    const computed = (await windowsComputed(job.functionName)) - computedBefore;
    expect(computed).toBeGreaterThanOrEqual(actual.size);
    expect(computed).toBeLessThan(actual.size + 2 * ENTITIES);
  });

  it('routes an event behind the watermark to the late topic, and none of the others', async () => {
    // The first test saw every window fire, so the watermark is past the file's last event: a
    // copy of its first event (new id) has no open window left.
    const first = JSON.parse(readFileSync(input, 'utf8').split('\n')[0]!) as Record<
      string,
      unknown
    >;
    const late = { ...first, [spec.idField]: 'late-1' };
    const lateInput = join(dir, `${spec.job}.late.ndjson`);
    writeFileSync(lateInput, `${JSON.stringify(late)}\n`);
    const produced = await runCli(
      ['produce', '--job', spec.job, '--input', lateInput, '--topic', eventsTopic],
      spec.cliEnv,
    );
    expect(produced.code, produced.stderr).toBe(0);

    // Events routed late by mistake were produced earlier, so they would be read first.
    const type = wireTypeOfSchema(job.eventSchema);
    const messages = await readTopic(stack.kafkaBrokers, lateTopic, (m) => m.length >= 1, 120_000);
    expect(messages.map((m) => type.fromBuffer(m.value!))).toEqual([late]);
    expect(messages[0]!.key?.toString()).toBe(late[job.entityField]);
  });

  it('reaches Redis through the sink: every entity holds its newest window', async () => {
    const redisUrl = `${stack.redisUrl}/${spec.redisDb}`;
    const sink = startCli(
      [
        'sink',
        '--topics',
        `${featuresTopic}=${job.topics.features}`,
        '--group',
        uniqueName('sink'),
        '--redis',
        redisUrl,
      ],
      spec.cliEnv,
    );
    try {
      await expectRedisHoldsNewestWindows(
        redisUrl,
        job.entityType,
        newestWindowPerEntity(expected.values()),
        job.featureNames,
        undefined,
        job.name,
      );
    } catch (error) {
      throw new Error(`${String(error)}\n--- featureflow sink:\n${sink.output()}`);
    } finally {
      expect(await sink.stop()).toBe(0);
    }
  });
});
