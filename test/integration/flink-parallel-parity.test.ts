// The built-in jobs at parallelism 4, spread over the shared stack's 2 TaskManagers, reading
// events topics of 4 partitions: every window the exactly-once sink commits to the features
// topic (read with isolation read_committed) equals `featureflow replay` on the same file,
// each exactly once. Only the job's parallelism differs from flink-udf-parity.test.ts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { builtInJobRegistry } from '../../src/core/jobs/load-definitions.ts';
import { wireTypeOfSchema } from '../../src/core/utils/avro.ts';
import { jobDetails, taskManagersOfJob, waitForFreeSlots } from '../support/flink-cluster.ts';
import { generateEvents, lastEventTime as lastEventTimeOf } from '../support/generated-events.ts';
import { createTopics, readTopic, uniqueName } from '../support/kafka.ts';
import { expectRowsClose, type FeatureRow, replayRows, rowKey } from '../support/replay-rows.ts';
import { runCli } from '../support/run-cli.ts';
import { stackEnv } from '../support/stack-endpoints.ts';
import { startUdfServerProcess, type UdfServerProcess } from '../support/udf-server-process.ts';
import { flushWatermarks, SENTINEL_ENTITY } from '../support/watermark-flush.ts';

const stack = inject('stack');
const env = stackEnv(stack);
const dir = mkdtempSync(join(tmpdir(), 'featureflow-flink-parallel-'));
const jobs = builtInJobRegistry();
let udfServer: UdfServerProcess | undefined;

const PARALLELISM = 4;
const PARTITIONS = 4;
const EVENTS = 2000;
const ENTITIES = 40;

const JOBS = [
  {
    job: 'transactions' as const,
    sqlFile: 'flink-sql/03_transaction_features_udf.sql',
    topicVars: ['TXN_EVENTS_TOPIC', 'FEATURES_TRANSACTIONS_TOPIC', 'TXN_EVENTS_LATE_TOPIC'],
  },
  {
    job: 'clickstream' as const,
    sqlFile: 'flink-sql/04_clickstream_features_udf.sql',
    topicVars: ['CLICK_EVENTS_TOPIC', 'FEATURES_CLICKSTREAM_TOPIC', 'CLICK_EVENTS_LATE_TOPIC'],
  },
];

beforeAll(async () => {
  udfServer = await startUdfServerProcess();
});

afterAll(async () => {
  await udfServer?.stop();
});

describe.each(JOBS)('the $job job at parallelism 4 over 2 TaskManagers', (spec) => {
  const job = jobs.get(spec.job);
  const columns = ['entity_id', 'window_start', 'window_end', ...job.featureNames];
  const eventsTopic = uniqueName(job.topics.events);
  const featuresTopic = uniqueName(job.topics.features);
  const lateTopic = `${eventsTopic}.late`;
  const input = join(dir, `${spec.job}.ndjson`);
  let expected: Map<string, FeatureRow>;
  let jobId: string | undefined;

  beforeAll(async () => {
    await createTopics(stack.kafkaBrokers, [eventsTopic, lateTopic], PARTITIONS);
    await createTopics(stack.kafkaBrokers, [featuresTopic], PARTITIONS);
    await generateEvents(input, {
      job: spec.job,
      events: EVENTS,
      entities: ENTITIES,
      seed: 41,
      meanGap: '100ms',
    });
    expected = await replayRows(spec.job, input, join(dir, `${spec.job}.replay.ndjson`), env);
    expect(expected.size).toBeGreaterThan(100);
  });

  afterAll(async () => {
    // The next job needs every slot of the cluster.
    if (jobId) await runCli(['cancel', jobId], env);
  });

  it('commits every window replay writes, with the same values, each once', async () => {
    await waitForFreeSlots(stack, PARALLELISM);
    const [eventsVar, featuresVar, lateVar] = spec.topicVars as [string, string, string];
    const submitted = await runCli(
      [
        'submit',
        spec.sqlFile,
        ...Object.entries({
          PARALLELISM: String(PARALLELISM),
          UDF_ADDRESS: udfServer!.address,
          [eventsVar]: eventsTopic,
          [featuresVar]: featuresTopic,
          [lateVar]: lateTopic,
          GROUP_ID: uniqueName(`flink-parallel-${spec.job}`),
          TRANSACTIONAL_ID_PREFIX: uniqueName(`flink-parallel-${spec.job}-tx`),
        }).flatMap(([k, v]) => ['--var', `${k}=${v}`]),
      ],
      env,
    );
    expect(submitted.code, submitted.stderr + submitted.stdout).toBe(0);
    jobId = /-> job ([0-9a-f]{32})/.exec(submitted.stdout)?.[1];
    expect(jobId).toBeDefined();

    // The job really runs 4 subtasks per operator, on both TaskManagers.
    const details = await jobDetails(stack, jobId!);
    expect(details.vertices.map((v) => v.parallelism)).toEqual(
      details.vertices.map(() => PARALLELISM),
    );
    expect((await taskManagersOfJob(stack, jobId!)).size).toBe(2);

    const produced = await runCli(
      ['produce', '--job', spec.job, '--input', input, '--topic', eventsTopic],
      env,
    );
    expect(produced.code, produced.stderr).toBe(0);
    await flushWatermarks(
      stack.kafkaBrokers,
      eventsTopic,
      job,
      lastEventTimeOf(input) + 20 * 60_000,
    );

    // readTopic reads with isolation read_committed (kafkajs's default): committed rows only.
    const type = wireTypeOfSchema(job.featureSchema);
    const isReal = (entity: string | undefined) => entity !== SENTINEL_ENTITY;
    const messages = await readTopic(
      stack.kafkaBrokers,
      featuresTopic,
      (m) => m.filter((message) => isReal(message.key?.toString())).length >= expected.size,
      240_000,
    );
    const real = messages
      .map((m) => ({ ...(type.fromBuffer(m.value!) as FeatureRow) }))
      .filter((row) => isReal(row.entity_id));
    const actual = new Map(real.map((row) => [rowKey(row), row]));
    // Exactly once: no window twice, none missing, none extra.
    expect(real.length - actual.size, 'windows committed more than once').toBe(0);
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, row] of expected) expectRowsClose(actual.get(key)!, row, columns);
    console.log(
      `${spec.job} at parallelism ${PARALLELISM}, ${PARTITIONS} partitions, 2 TaskManagers: ${actual.size} windows equal replay's ${expected.size}, each once`,
    );
  });
});
