/**
 * One fault injected into a running Flink pipeline (events -> Flink job at parallelism 2 over
 * the stack's 2 TaskManagers -> features topic -> `featureflow sink` -> Redis), mid-stream:
 * half the events, the fault, the other half during the outage, recovery with no manual step
 * on the job, then the checks every fault shares: the features topic (read_committed) holds
 * each window of replay exactly once with replay's values, and Redis holds replay's newest
 * window per entity. What recovery took is returned for the test to print.
 */
import { expect } from 'vitest';
import type { JobDefinition } from '../../src/core/jobs/job-definition.ts';
import { wireTypeOfSchema } from '../../src/core/utils/avro.ts';
import type { CliProcess } from './cli-process.ts';
import { allTasksRunning, jobRestarts } from './flink-cluster.ts';
import { collectTopic, createTopics, type TopicCollector, uniqueName, waitFor } from './kafka.ts';
import { expectRedisHoldsNewestWindows, newestWindowPerEntity } from './redis-expectations.ts';
import { expectRowsClose, type FeatureRow, rowKey } from './replay-rows.ts';
import { runCli } from './run-cli.ts';
import type { StackEndpoints } from './stack-endpoints.ts';
import { stackEnv } from './stack-endpoints.ts';
import { flushWatermarks, SENTINEL_ENTITY } from './watermark-flush.ts';

export const FAULT_PARALLELISM = 2;

export interface FaultContext {
  readonly stack: StackEndpoints;
  readonly jobId: string;
  readonly featuresTopic: string;
  /** The sink writing the features topic to Redis; a fault may replace it. */
  sink: CliProcess;
  startSink(): CliProcess;
}

export interface Fault {
  /** Breaks something; resolves with when the fault began. */
  inject(context: FaultContext): Promise<number>;
  /** Whether the second half of the events can be produced while the fault lasts. */
  produceDuringFault: boolean;
  /** Undoes the fault the way an operator would (restart what died); resolves with when. */
  repair(context: FaultContext): Promise<number>;
  /** Whether the fault makes the Flink job restart (it then must, by itself). */
  restartsJob: boolean;
}

export interface FaultRunInputs {
  stack: StackEndpoints;
  job: JobDefinition;
  sqlFile: string;
  topicVars: { events: string; features: string; late: string };
  udfAddress: string;
  /** The events, NDJSON, split in two halves (files). */
  halves: readonly [string, string];
  expected: Map<string, FeatureRow>;
  lastEventTime: number;
  redisDb: number;
  startCli: (args: readonly string[], env: NodeJS.ProcessEnv) => CliProcess;
}

export interface FaultTimings {
  /** From the fault to every subtask of the job running again after a restart. */
  faultToJobRunningMs: number | undefined;
  /** From the repair (the service back) to the next row a read_committed reader received. */
  repairToFirstRowMs: number;
  /** From the job running again to the first row a read_committed reader received. */
  jobRunningToFirstRowMs: number | undefined;
  /** From the repair to Redis holding every entity's newest window. */
  repairToRedisCompleteMs: number;
  jobRestarts: number;
}

export async function runWithFault(inputs: FaultRunInputs, fault: Fault): Promise<FaultTimings> {
  const { stack, job } = inputs;
  const env = stackEnv(stack);
  const eventsTopic = uniqueName(job.topics.events);
  const featuresTopic = uniqueName(job.topics.features);
  await createTopics(
    stack.kafkaBrokers,
    [eventsTopic, `${eventsTopic}.late`, featuresTopic],
    FAULT_PARALLELISM,
  );
  const redisUrl = `${stack.redisUrl}/${inputs.redisDb}`;
  const sinkGroup = uniqueName('fault-sink');
  const startSink = () =>
    inputs.startCli(
      ['sink', '--topics', `${featuresTopic}=${job.topics.features}`, '--group', sinkGroup],
      { ...env, REDIS_URL: redisUrl },
    );
  const collector = await collectTopic(stack.kafkaBrokers, featuresTopic);
  let jobId: string | undefined;
  try {
    const submitted = await runCli(
      [
        'submit',
        inputs.sqlFile,
        ...Object.entries({
          PARALLELISM: String(FAULT_PARALLELISM),
          UDF_ADDRESS: inputs.udfAddress,
          [inputs.topicVars.events]: eventsTopic,
          [inputs.topicVars.features]: featuresTopic,
          [inputs.topicVars.late]: `${eventsTopic}.late`,
          GROUP_ID: uniqueName('fault-job'),
          TRANSACTIONAL_ID_PREFIX: uniqueName('fault-tx'),
        }).flatMap(([k, v]) => ['--var', `${k}=${v}`]),
      ],
      env,
    );
    expect(submitted.code, submitted.stderr + submitted.stdout).toBe(0);
    jobId = /-> job ([0-9a-f]{32})/.exec(submitted.stdout)![1]!;
    const context: FaultContext = { stack, jobId, featuresTopic, sink: startSink(), startSink };

    await produce(inputs, eventsTopic, inputs.halves[0]);
    // Mid-stream: committed rows are flowing before the fault.
    await waitFor('the first committed rows before the fault', 120_000, () =>
      collector.received.length >= 5 ? true : undefined,
    );
    const restartsBefore = await jobRestarts(stack, jobId);
    const faultAt = await fault.inject(context);
    // Watched from the fault on, so that a restart finished before the repair counts as such.
    const jobRunningAgain = fault.restartsJob
      ? waitFor('the job to restart and run every subtask', 180_000, async () =>
          (await jobRestarts(stack, jobId!).catch(() => restartsBefore)) > restartsBefore &&
          (await allTasksRunning(stack, jobId!))
            ? Date.now()
            : undefined,
        )
      : Promise.resolve(undefined);
    if (fault.produceDuringFault) await produce(inputs, eventsTopic, inputs.halves[1]);
    const repairedAt = await fault.repair(context);
    if (!fault.produceDuringFault) await produce(inputs, eventsTopic, inputs.halves[1]);
    const runningAt = await jobRunningAgain;
    const firstRowAfter = (moment: number) =>
      waitFor('a row committed after the fault was repaired', 120_000, () =>
        collector.received.find((r) => r.at > moment),
      );
    // Flushed before waiting for a row: a job that recovered on spare slots before the repair
    // may already have committed every window the events alone can fire, and only the flush
    // fires the rest (the last windows of each entity).
    await flushWatermarks(stack.kafkaBrokers, eventsTopic, job, inputs.lastEventTime + 20 * 60_000);
    const firstAfterRepair = await firstRowAfter(Math.max(repairedAt, faultAt));
    const firstAfterRunning = runningAt === undefined ? undefined : await firstRowAfter(runningAt);
    await expectExactlyOnce(collector, job, inputs.expected);
    await expectRedisHoldsNewestWindows(
      redisUrl,
      job.entityType,
      newestWindowPerEntity(inputs.expected.values()),
      job.featureNames,
      180_000,
    );
    const redisCompleteAt = Date.now();
    await context.sink.stop();
    return {
      faultToJobRunningMs: runningAt === undefined ? undefined : runningAt - faultAt,
      repairToFirstRowMs: firstAfterRepair.at - repairedAt,
      jobRunningToFirstRowMs:
        runningAt === undefined ? undefined : firstAfterRunning!.at - runningAt,
      repairToRedisCompleteMs: redisCompleteAt - repairedAt,
      jobRestarts: (await jobRestarts(stack, jobId)) - restartsBefore,
    };
  } finally {
    await collector.stop();
    if (jobId) await runCli(['cancel', jobId], env);
  }
}

async function produce(inputs: FaultRunInputs, topic: string, file: string): Promise<void> {
  const produced = await runCli(
    ['produce', '--job', inputs.job.name, '--input', file, '--topic', topic],
    stackEnv(inputs.stack),
  );
  expect(produced.code, produced.stderr).toBe(0);
}

/** Every window of replay, once, with replay's values, and nothing else (sentinel aside). */
async function expectExactlyOnce(
  collector: TopicCollector,
  job: JobDefinition,
  expected: Map<string, FeatureRow>,
): Promise<void> {
  const type = wireTypeOfSchema(job.featureSchema);
  const realRows = () =>
    collector.received
      .map((r) => ({ ...(type.fromBuffer(r.message.value!) as FeatureRow) }))
      .filter((row) => row.entity_id !== SENTINEL_ENTITY);
  await waitFor(`all ${expected.size} windows on the features topic`, 180_000, () =>
    new Set(realRows().map(rowKey)).size >= expected.size ? true : undefined,
  );
  const rows = realRows();
  const byKey = new Map<string, FeatureRow[]>();
  for (const row of rows) byKey.set(rowKey(row), [...(byKey.get(rowKey(row)) ?? []), row]);
  const twice = [...byKey].filter(([, copies]) => copies.length > 1).map(([key]) => key);
  expect(twice, 'windows committed more than once').toEqual([]);
  expect([...byKey.keys()].sort()).toEqual([...expected.keys()].sort());
  const columns = ['entity_id', 'window_start', 'window_end', ...job.featureNames];
  for (const [key, row] of expected) expectRowsClose(byKey.get(key)![0]!, row, columns);
}
