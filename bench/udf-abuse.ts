/**
 * The UDF service under abusive loads, with its limits off and with the defaults, in the same
 * run: a real `featureflow udf-server` per setting, each load sent by this process, health asked
 * every 100 ms by a separate process. Per load: the server's peak RSS, calls served and refused
 * (and failed otherwise), the slowest health answer, and the server's longest event-loop block
 * (its own /metrics: what the server makes health wait for, apart from CPU it does not get on a
 * busy machine); per setting: RSS idle before and 5 s after.
 *
 *   npx tsx bench/udf-abuse.ts [--scale 1] [--only 'limits off'|defaults]
 *
 * Loads (the issue's, the second made smaller so that the limits-off run stays within a shared
 * machine's memory; --scale multiplies the window counts and calls):
 *   shared-100k-id  1,000 empty windows sharing a 100 kB entity id, one call
 *   shared-1m-id    500 empty windows sharing a 1 MB entity id, one call
 *   crowd           200 concurrent calls of about 3.6 MB of ordinary windows each
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createUdfClient } from '../src/udf/client.ts';
import { encodeInvokeRequest } from '../src/udf/codec/invoke-request.ts';
import { featureFunctions } from '../src/udf/feature-functions.ts';
import { toInvokeRequest, type WindowInput } from '../src/udf/window-batch.ts';
import {
  startUdfServerProcess,
  type UdfServerProcess,
} from '../test/support/udf-server-process.ts';
import { generateWindows } from '../test/support/udf-windows.ts';
import { machineLine } from './support/measure.ts';
import { recordResult } from './support/results-table.ts';

const { values: flags } = parseArgs({
  options: { scale: { type: 'string', default: '1' }, only: { type: 'string' } },
});
const scale = Number(flags.scale);

const PROBER = fileURLToPath(new URL('./support/health-prober.ts', import.meta.url));
const MIB = 1024 * 1024;
const LIMITS_OFF = [
  '--max-concurrent-calls',
  'off',
  '--max-bytes-in-flight',
  'off',
  '--max-response-bytes',
  'off',
  '--max-entity-id-bytes',
  'off',
];

const eventFields = featureFunctions()[0]!.eventFields.map((f) => ({
  name: f.name,
  column: f.column,
}));
const encode = (windows: readonly WindowInput[]) =>
  encodeInvokeRequest(toInvokeRequest('transaction_features', eventFields, windows));

function sharedIdWindows(count: number, idBytes: number): WindowInput[] {
  const entityId = `card-${'x'.repeat(idBytes - 5)}`;
  return Array.from({ length: count }, (_, i) => ({
    entityId,
    windowStart: i * 60_000,
    windowEnd: i * 60_000 + 300_000,
    events: [],
  }));
}

interface Load {
  readonly name: string;
  readonly requests: readonly Buffer[];
}

/** Ordinary windows (5 to 6 events each) until a request is about 3.6 MB. */
const crowdRequest = encode(generateWindows('transaction_features', 27_000, 17, 11));
const loads: Load[] = [
  {
    name: 'shared-100k-id',
    requests: [encode(sharedIdWindows(Math.round(1000 * scale), 100_000))],
  },
  { name: 'shared-1m-id', requests: [encode(sharedIdWindows(Math.round(500 * scale), MIB))] },
  {
    name: 'crowd',
    requests: Array.from({ length: Math.round(200 * scale) }, () => crowdRequest),
  },
];

function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') * 1024, peak: kb('VmHWM') * 1024 };
}

/** Resets the process's peak RSS (VmHWM) to its current RSS. */
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

function startProber(address: string): { child: ChildProcess; result: Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', PROBER, address], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const result = new Promise<string>((resolve) => child.once('exit', () => resolve(out)));
  return { child, result };
}

/** The server's longest event-loop delay since the previous scrape (prom-client resets it). */
async function longestBlockMs(server: UdfServerProcess): Promise<number> {
  if (!alive(server)) return Number.NaN;
  const text = await (await fetch(server.metricsUrl!)).text();
  return Number(/^featureflow_nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text)?.[1]) * 1000;
}

interface LoadResult {
  setting: string;
  load: string;
  peakRss: number;
  longestBlockMs: number;
  served: number;
  refused: number;
  failed: string;
  slowestHealthMs: number;
  seconds: number;
}

const alive = (server: UdfServerProcess) =>
  server.child.exitCode === null && server.child.signalCode === null;

async function runLoad(setting: string, server: UdfServerProcess, load: Load) {
  const pid = server.child.pid!;
  resetPeak(pid);
  let peak = memoryOf(pid).peak;
  const sampler = setInterval(() => {
    if (alive(server)) peak = Math.max(peak, memoryOf(pid).peak);
  }, 50);
  const prober = startProber(server.address);
  await new Promise((resolve) => setTimeout(resolve, 500));
  await longestBlockMs(server);
  const client = createUdfClient({ address: server.address, maxResponseBytes: 2 ** 31 - 1 });
  const started = performance.now();
  const outcomes = await Promise.all(
    load.requests.map((request) =>
      client.invokeBytes(request, { timeoutMs: 300_000 }).then(
        () => 'served',
        (error: unknown) => {
          const code = (error as { cause?: { code?: number } }).cause?.code;
          return code === 8 ? 'refused' : `code ${code}`;
        },
      ),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  client.close();
  clearInterval(sampler);
  if (alive(server)) peak = Math.max(peak, memoryOf(pid).peak);
  prober.child.stdin!.end();
  const health = JSON.parse((await prober.result) || '{"slowestMs":-1}') as { slowestMs: number };
  const failed = outcomes.filter((o) => o !== 'served' && o !== 'refused');
  const result: LoadResult = {
    setting,
    load: load.name,
    peakRss: peak,
    longestBlockMs: await longestBlockMs(server),
    served: outcomes.filter((o) => o === 'served').length,
    refused: outcomes.filter((o) => o === 'refused').length,
    failed: failed.length === 0 ? '0' : `${failed.length} (${[...new Set(failed)].join(', ')})`,
    slowestHealthMs: health.slowestMs,
    seconds,
  };
  if (!alive(server)) result.failed += ', server died';
  return result;
}

const results: LoadResult[] = [];
const idle: { setting: string; before: number; after: number }[] = [];
for (const [setting, args] of [
  ['limits off', LIMITS_OFF],
  ['defaults', []],
] as const) {
  if (flags.only !== undefined && flags.only !== setting) continue;
  let server = await startUdfServerProcess(args);
  const before = memoryOf(server.child.pid!).rss;
  for (const load of loads) {
    console.error(`${setting}: ${load.name} (${load.requests.length} calls)...`);
    results.push(await runLoad(setting, server, load));
    if (!alive(server)) {
      // Measure the next load on a fresh server, as a supervisor would restart it.
      await server.stop();
      server = await startUdfServerProcess(args);
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  idle.push({ setting, before, after: memoryOf(server.child.pid!).rss });
  await server.stop();
}

const mb = (bytes: number) => `${Math.round(bytes / MIB)} MB`;
console.log(
  `\nUDF service under abuse (${machineLine()}, load average ${loadavg()[0]!.toFixed(1)}), scale ${scale}`,
);
console.log(
  '| setting | load | peak RSS | served | refused | failed | slowest health | longest event-loop block | seconds |\n|---|---|---|---|---|---|---|---|---|',
);
for (const r of results) {
  console.log(
    `| ${r.setting} | ${r.load} | ${mb(r.peakRss)} | ${r.served} | ${r.refused} | ${r.failed} | ${Math.round(r.slowestHealthMs)} ms | ${Math.round(r.longestBlockMs)} ms | ${r.seconds.toFixed(1)} |`,
  );
}
console.log('\n| setting | idle RSS before | idle RSS 5 s after the loads |\n|---|---|---|');
for (const i of idle) console.log(`| ${i.setting} | ${mb(i.before)} | ${mb(i.after)} |`);

// The row: the crowd of concurrent calls, the load that takes the most memory.
const crowd = (setting: string) =>
  results.filter((r) => r.setting === setting).sort((a, b) => b.peakRss - a.peakRss)[0];
const limited = crowd('defaults');
const unlimited = crowd('limits off');
if (limited !== undefined && unlimited !== undefined) {
  const slowestHealth = Math.max(
    ...results.filter((r) => r.setting === 'defaults').map((r) => r.slowestHealthMs),
  );
  await recordResult('udf-abuse', {
    figure: `defaults: peak RSS ${mb(limited.peakRss)} (${limited.load}: ${limited.served} served, ${limited.refused} refused), slowest health ${Math.round(slowestHealth)} ms`,
    baseline: `limits off: peak RSS ${mb(unlimited.peakRss)}`,
    ratio: (limited.peakRss / unlimited.peakRss).toFixed(2),
    target: 'bounded peak RSS; health < 1 s',
    met: slowestHealth < 1_000,
  });
}
