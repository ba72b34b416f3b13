/**
 * The UDF service under load: a real `featureflow udf-server` (its defaults, with the Docker
 * image's malloc setting, as it is deployed), sent batches as
 * the Flink bridge sends them (transaction_features, --batch windows of --events events a
 * call: the bridge's batch.max-rows is half of the jobs' 4096 async operations). First its peak
 * throughput: closed loop, --in-flight calls always outstanding (two per bridge subtask), for
 * --seconds. Then an open loop at --load (0.8) of that peak for --seconds: a batch sent on a
 * fixed schedule whether or not the earlier ones were answered, each call's latency counted from
 * its scheduled time (a late send counts as waiting, not as a lighter load). Recorded: Invoke
 * p50 and p99 of the open loop, the server's RSS idle before, at peak over both phases, and idle
 * after (settled). Requests are encoded beforehand and answers are not decoded, so this
 * process's work per call is gRPC's alone (on a 2-core machine the sender shares the CPU).
 *
 *   npx tsx bench/udf-latency.ts [--batch 2048] [--events 5] [--in-flight 4] [--load 0.8]
 *                                [--seconds 20] [--no-record]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createUdfClient, type UdfClient } from '../src/udf/client.ts';
import { encodeInvokeRequest } from '../src/udf/codec/invoke-request.ts';
import { featureFunctions } from '../src/udf/feature-functions.ts';
import { toInvokeRequest } from '../src/udf/window-batch.ts';
import { startUdfServerProcess } from '../test/support/udf-server-process.ts';
import { generateWindows } from '../test/support/udf-windows.ts';
import { withImageEnvironment } from './support/image-environment.ts';
import { formatRate, machineLine } from './support/measure.ts';
import { memoryOf, resetPeak, settledRss } from './support/process-memory.ts';
import { recordResult } from './support/results-table.ts';

const { values: flags } = parseArgs({
  options: {
    batch: { type: 'string', default: '2048' },
    events: { type: 'string', default: '5' },
    'in-flight': { type: 'string', default: '4' },
    load: { type: 'string', default: '0.8' },
    seconds: { type: 'string', default: '20' },
    'no-record': { type: 'boolean', default: false },
  },
});
const BATCH = Number(flags.batch);
const IN_FLIGHT = Number(flags['in-flight']);
const LOAD = Number(flags.load);
const SECONDS = Number(flags.seconds);
const MIB = 1024 * 1024;
/** Calls before each phase's clock starts: the server's JIT and the connection warm up. */
const WARMUP_CALLS = 50;
/**
 * The target: p99 at most this. A window's result is on its way to Redis after the Flink job's
 * watermark delay (seconds); the bridge already holds a window up to its batch.max-wait (5 ms)
 * to fill a batch. 100 ms keeps the service a small part of a feature's freshness.
 */
const P99_TARGET_MS = 100;
/** RSS idle after the load at most this above idle before (the same bound as udf-abuse). */
const IDLE_GROWTH_TARGET = 100 * MIB;

// Distinct requests, so that the server does not see one batch over and over.
const eventFields = featureFunctions()[0]!.eventFields.map((f) => ({
  name: f.name,
  column: f.column,
}));
const requests = Array.from({ length: 16 }, (_, i) =>
  encodeInvokeRequest(
    toInvokeRequest(
      'transaction_features',
      eventFields,
      generateWindows('transaction_features', BATCH, 100 + i, 2 * Number(flags.events) - 1),
    ),
  ),
);
let sent = 0;
const nextRequest = () => requests[sent++ % requests.length]!;

async function call(client: UdfClient): Promise<void> {
  await client.invokeBytes(nextRequest(), { timeoutMs: 60_000 });
}

/** Closed loop: `inFlight` calls outstanding for `seconds`; windows per second. */
async function peakThroughput(client: UdfClient, inFlight: number, seconds: number) {
  for (let i = 0; i < WARMUP_CALLS; i++) await call(client);
  const endAt = performance.now() + seconds * 1000;
  let calls = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < endAt) {
        await call(client);
        calls++;
      }
    }),
  );
  return (calls * BATCH) / ((performance.now() - started) / 1000);
}

/** Open loop: a batch every BATCH / rate seconds for `seconds`; each call's latency in ms. */
async function openLoop(client: UdfClient, windowsPerSecond: number, seconds: number) {
  for (let i = 0; i < WARMUP_CALLS; i++) await call(client);
  const intervalMs = (BATCH / windowsPerSecond) * 1000;
  const total = Math.floor((seconds * 1000) / intervalMs);
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const started = performance.now();
  let failures = 0;
  for (let i = 0; i < total; i++) {
    const dueAt = started + i * intervalMs;
    const wait = dueAt - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(
      call(client).then(
        () => {
          latencies.push(performance.now() - dueAt);
        },
        () => {
          failures++;
        },
      ),
    );
  }
  await Promise.all(pending);
  const achieved = (latencies.length * BATCH) / ((performance.now() - started) / 1000);
  return { latencies: latencies.sort((a, b) => a - b), failures, achieved };
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

const server = await startUdfServerProcess([], { env: withImageEnvironment(process.env) });
const pid = server.child.pid!;
const alive = () => server.child.exitCode === null && server.child.signalCode === null;
const client = createUdfClient({ address: server.address });
try {
  const idleBefore = (await settledRss(pid, alive)).rss;
  resetPeak(pid);
  const peak = await peakThroughput(client, IN_FLIGHT, SECONDS);
  const rate = peak * LOAD;
  const open = await openLoop(client, rate, SECONDS);
  const peakRss = memoryOf(pid).peak;
  const after = await settledRss(pid, alive);
  const p50 = percentile(open.latencies, 50);
  const p99 = percentile(open.latencies, 99);
  const mb = (bytes: number) => `${Math.round(bytes / MIB)} MB`;

  console.log(
    `\nUDF service latency (${machineLine()}, load average ${loadavg()[0]!.toFixed(1)}): ${BATCH}-window batches of up to ${2 * Number(flags.events) - 1} events`,
  );
  console.log(
    '| phase | windows/s | calls | p50 | p99 | max | failures |\n|---|---|---|---|---|---|---|',
  );
  console.log(`| peak, ${IN_FLIGHT} in flight | ${formatRate(peak)} | | | | | |`);
  console.log(
    `| open loop at ${LOAD} x peak (${formatRate(rate)}) | ${formatRate(open.achieved)} | ${open.latencies.length} | ${p50.toFixed(1)} ms | ${p99.toFixed(1)} ms | ${open.latencies.at(-1)!.toFixed(1)} ms | ${open.failures} |`,
  );
  console.log(
    `RSS: idle before ${mb(idleBefore)}, peak ${mb(peakRss)}, idle after ${mb(after.rss)} (settled in ${after.seconds.toFixed(0)} s)`,
  );

  if (!flags['no-record']) {
    await recordResult('udf-latency', {
      figure: `Invoke p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms at ${formatRate(open.achieved)} windows/s (${BATCH}-window batches); RSS idle before ${mb(idleBefore)}, peak ${mb(peakRss)}, idle after ${mb(after.rss)}`,
      baseline: `peak ${formatRate(peak)} windows/s (${IN_FLIGHT} calls in flight)`,
      ratio: (open.achieved / peak).toFixed(2),
      target: `p99 <= ${P99_TARGET_MS} ms at ${LOAD} x peak; idle RSS after <= before + ${IDLE_GROWTH_TARGET / MIB} MB`,
      met:
        open.failures === 0 && p99 <= P99_TARGET_MS && after.rss - idleBefore <= IDLE_GROWTH_TARGET,
    });
  }
} finally {
  client.close();
  await server.stop();
}
