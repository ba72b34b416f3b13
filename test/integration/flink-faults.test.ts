// Faults mid-stream on the Flink path (test/support/fault-run.ts draws the pipeline): a
// TaskManager killed -9 and a new one started by `featureflow up`, the UDF service down 20 s,
// the sink killed -9, the Kafka broker killed -9 and restarted by `featureflow up`. After each,
// with no manual step on the job, the features topic read with read_committed holds every
// window of replay exactly once and Redis holds replay's newest windows. Each prints how long
// recovery took (docs/exactly-once.md).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { builtInJobRegistry } from '../../src/core/jobs/load-definitions.ts';
import { findFreePort } from '../../src/stack/ports.ts';
import { trackCliProcesses } from '../support/cli-process.ts';
import { type Fault, type FaultRunInputs, runWithFault } from '../support/fault-run.ts';
import {
  killService,
  killTaskManager,
  taskManagersOfJob,
  upMissing,
} from '../support/flink-cluster.ts';
import { generateEvents, lastEventTime, splitEvenly } from '../support/generated-events.ts';
import { type FeatureRow, replayRows } from '../support/replay-rows.ts';
import { stackEnv } from '../support/stack-endpoints.ts';
import { startUdfServerProcess, type UdfServerProcess } from '../support/udf-server-process.ts';

const stack = inject('stack');
const env = stackEnv(stack);
const dir = mkdtempSync(join(tmpdir(), 'featureflow-flink-faults-'));
const job = builtInJobRegistry().get('transactions');
const startCli = trackCliProcesses(afterEach);

/** How long the UDF service stays down in its fault. */
const UDF_OUTAGE_MS = 20_000;

let udfPort = 0;
let udfServer: UdfServerProcess | undefined;
let inputs: FaultRunInputs;

const startUdfServer = () => startUdfServerProcess(['--udf-address', `127.0.0.1:${udfPort}`]);

beforeAll(async () => {
  udfPort = await findFreePort();
  udfServer = await startUdfServer();
  const input = join(dir, 'events.ndjson');
  await generateEvents(input, { events: 1200, entities: 30, seed: 61, meanGap: '150ms' });
  const lines = readFileSync(input, 'utf8').split('\n').filter(Boolean);
  const halves = splitEvenly(lines, 2).map((half, i) => {
    const file = join(dir, `half-${i}.ndjson`);
    writeFileSync(file, `${half.join('\n')}\n`);
    return file;
  }) as [string, string];
  const expected: Map<string, FeatureRow> = await replayRows(
    'transactions',
    input,
    join(dir, 'replay.ndjson'),
    env,
  );
  expect(expected.size).toBeGreaterThan(100);
  inputs = {
    stack,
    job,
    sqlFile: 'flink-sql/03_transaction_features_udf.sql',
    topicVars: {
      events: 'TXN_EVENTS_TOPIC',
      features: 'FEATURES_TRANSACTIONS_TOPIC',
      late: 'TXN_EVENTS_LATE_TOPIC',
    },
    udfAddress: `127.0.0.1:${udfPort}`,
    halves,
    expected,
    lastEventTime: lastEventTime(input),
    redisDb: 9,
    startCli,
  };
});

afterAll(async () => {
  await udfServer?.stop();
});

const FAULTS: readonly { name: string; fault: Fault }[] = [
  {
    name: 'a TaskManager running the job killed -9, a new one started by featureflow up',
    fault: {
      inject: async ({ stack, jobId }) => {
        const [victim] = [...(await taskManagersOfJob(stack, jobId))];
        return killTaskManager(stack, victim!);
      },
      produceDuringFault: true,
      repair: async ({ stack }) => {
        await upMissing(stack);
        return Date.now();
      },
      restartsJob: true,
    },
  },
  {
    name: 'the sink killed -9 and started again',
    fault: {
      inject: async (context) => {
        await context.sink.stop('SIGKILL');
        return Date.now();
      },
      produceDuringFault: true,
      repair: async (context) => {
        context.sink = context.startSink();
        return Date.now();
      },
      restartsJob: false,
    },
  },
  {
    name: 'the UDF service down 20 s',
    fault: {
      inject: async () => {
        await udfServer!.stop();
        return Date.now();
      },
      produceDuringFault: true,
      repair: async () => {
        // The outage itself: the service is gone for this long, whatever the job does.
        await sleep(UDF_OUTAGE_MS);
        udfServer = await startUdfServer();
        return Date.now();
      },
      restartsJob: false,
    },
  },
  {
    name: 'the Kafka broker killed -9, started again by featureflow up',
    fault: {
      inject: async ({ stack }) => killService(stack, 'kafka'),
      produceDuringFault: false,
      repair: async ({ stack }) => {
        await upMissing(stack);
        return Date.now();
      },
      // Flink's Kafka clients may ride out a short outage with retries, without a restart.
      restartsJob: false,
    },
  },
];

describe('the transactions job at parallelism 2 over 2 TaskManagers', () => {
  it.each(FAULTS)(
    'recovers from $name: each window once on the features topic, Redis equal to replay',
    async ({ name, fault }) => {
      const timings = await runWithFault(inputs, fault);
      const s = (ms: number | undefined) =>
        ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`;
      console.log(
        `fault: ${name}: job running again ${s(timings.faultToJobRunningMs)} after the fault; first committed row ${s(timings.repairToFirstRowMs)} after the repair (${s(timings.jobRunningToFirstRowMs)} after the job ran again); Redis complete ${s(timings.repairToRedisCompleteMs)} after the repair; ${timings.jobRestarts} job restart(s)`,
      );
      if (fault.restartsJob) {
        // docs/exactly-once.md: a recovered job's rows reach read_committed readers within 30 s.
        expect(timings.jobRunningToFirstRowMs).toBeLessThan(30_000);
      }
    },
    360_000,
  );
});
