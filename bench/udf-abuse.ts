/**
 * The UDF service under abusive loads, with its limits off and with the defaults, in the same
 * run: a real `featureflow udf-server` per setting, each load sent by this process, health asked
 * every 100 ms by a separate process from the load's start until the server is idle again. Per
 * load: the server's idle RSS before, its peak RSS, its idle RSS after (once RSS has settled, at
 * most 30 s after the load), calls served and refused (and failed otherwise), the
 * slowest health answer, and the server's longest event-loop block (its own /metrics: what the
 * server makes health wait for, apart from CPU it does not get on a busy machine), with its V8
 * heap and external memory after (also from /metrics) to tell which part an RSS that stays holds.
 *
 *   npx tsx bench/udf-abuse.ts [--scale 1] [--only 'limits off'|defaults|'defaults, image malloc']
 *
 * Settings: the limits off; the defaults; the defaults with the malloc setting of the Docker
 * image (MALLOC_MMAP_THRESHOLD_=32768: glibc keeps the freed memory of a fragmented heap, which
 * a burst of calls leaves behind; allocations from 32 kB up are then mapped apart and go back to
 * the system when freed).
 *
 * Loads (the issue's; --scale multiplies the window counts and calls):
 *   shared-100k-id  1,000 empty windows sharing a 100 kB entity id, one call
 *   shared-1m-id    5,000 empty windows sharing a 1 MB entity id, one call; with the limits off
 *                   500 (a 5 GB response is past gRPC's 2 GB message limit and a shared
 *                   machine's memory; 500 already shows the growth, 500 MB)
 *   crowd           200 concurrent calls of about 3.6 MB of ordinary windows each
 */
import { type ChildProcess, spawn } from 'node:child_process';
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
import { withImageEnvironment } from './support/image-environment.ts';
import { machineLine } from './support/measure.ts';
import { memoryOf, resetPeak, settledRss } from './support/process-memory.ts';
import { recordResult } from './support/results-table.ts';

const { values: flags } = parseArgs({
  options: { scale: { type: 'string', default: '1' }, only: { type: 'string' } },
});
const scale = Number(flags.scale);

const PROBER = fileURLToPath(new URL('./support/health-prober.ts', import.meta.url));
const MIB = 1024 * 1024;
/** The targets: health within 1 s; idle RSS after each load at most this above idle before. */
const HEALTH_TARGET_MS = 1_000;
const IDLE_GROWTH_TARGET = 100 * MIB;
const IMAGE = 'defaults, image malloc';
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
  readonly requests: (setting: string) => readonly Buffer[];
}

/** Ordinary windows (5 to 6 events each) until a request is about 3.6 MB. */
const crowdRequest = encode(generateWindows('transaction_features', 27_000, 17, 11));
const loads: Load[] = [
  {
    name: 'shared-100k-id',
    requests: () => [encode(sharedIdWindows(Math.round(1000 * scale), 100_000))],
  },
  {
    name: 'shared-1m-id',
    requests: (setting) => [
      encode(sharedIdWindows(Math.round((setting === 'limits off' ? 500 : 5000) * scale), MIB)),
    ],
  },
  {
    name: 'crowd',
    requests: () => Array.from({ length: Math.round(200 * scale) }, () => crowdRequest),
  },
];

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

/** The server's own figures from its /metrics: the longest event-loop delay since the previous
 * scrape (prom-client resets it), its V8 heap and its memory outside the heap. */
async function scrape(
  server: UdfServerProcess,
): Promise<{ longestBlockMs: number; heap: number; external: number }> {
  if (!alive(server)) return { longestBlockMs: Number.NaN, heap: Number.NaN, external: Number.NaN };
  const text = await (await fetch(server.metricsUrl!)).text();
  const metric = (name: string) =>
    Number(new RegExp(`^featureflow_${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1]);
  return {
    longestBlockMs: metric('nodejs_eventloop_lag_max_seconds') * 1000,
    heap: metric('nodejs_heap_size_total_bytes'),
    external: metric('nodejs_external_memory_bytes'),
  };
}

interface LoadResult {
  setting: string;
  load: string;
  idleBefore: number;
  peakRss: number;
  idleAfter: number;
  settleSeconds: number;
  heapAfter: number;
  externalAfter: number;
  longestBlockMs: number;
  served: number;
  refused: number;
  failed: string;
  slowestHealthMs: number;
  healthFailures: number;
  seconds: number;
}

const alive = (server: UdfServerProcess) =>
  server.child.exitCode === null && server.child.signalCode === null;

async function runLoad(setting: string, server: UdfServerProcess, load: Load) {
  const pid = server.child.pid!;
  const requests = load.requests(setting);
  const idleBefore = memoryOf(pid).rss;
  resetPeak(pid);
  let peak = memoryOf(pid).peak;
  const sampler = setInterval(() => {
    if (alive(server)) peak = Math.max(peak, memoryOf(pid).peak);
  }, 50);
  const prober = startProber(server.address);
  await new Promise((resolve) => setTimeout(resolve, 500));
  await scrape(server);
  const client = createUdfClient({ address: server.address, maxResponseBytes: 2 ** 31 - 1 });
  const started = performance.now();
  const outcomes = await Promise.all(
    requests.map((request) =>
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
  const longestBlockMs = (await scrape(server)).longestBlockMs;
  const settled = await settledRss(server.child.pid!, () => alive(server));
  clearInterval(sampler);
  if (alive(server)) peak = Math.max(peak, memoryOf(pid).peak);
  const after = await scrape(server);
  prober.child.stdin!.end();
  const health = JSON.parse((await prober.result) || '{"slowestMs":-1,"failures":-1}') as {
    slowestMs: number;
    failures: number;
  };
  const failed = outcomes.filter((o) => o !== 'served' && o !== 'refused');
  const result: LoadResult = {
    setting,
    load: load.name,
    idleBefore,
    peakRss: peak,
    idleAfter: settled.rss,
    settleSeconds: settled.seconds,
    heapAfter: after.heap,
    externalAfter: after.external,
    longestBlockMs,
    served: outcomes.filter((o) => o === 'served').length,
    refused: outcomes.filter((o) => o === 'refused').length,
    failed: failed.length === 0 ? '0' : `${failed.length} (${[...new Set(failed)].join(', ')})`,
    slowestHealthMs: health.slowestMs,
    healthFailures: health.failures,
    seconds,
  };
  if (!alive(server)) result.failed += ', server died';
  return result;
}

/** glibc's malloc of every setting but the image's: none of its variables. */
const { MALLOC_MMAP_THRESHOLD_: _, ...plainEnv } = process.env;
const SETTINGS = [
  { name: 'limits off', args: LIMITS_OFF, env: plainEnv },
  { name: 'defaults', args: [], env: plainEnv },
  // As the Docker image runs it (see Dockerfile).
  { name: IMAGE, args: [], env: withImageEnvironment(plainEnv) },
] as const;

const results: LoadResult[] = [];
for (const { name: setting, args, env } of SETTINGS) {
  if (flags.only !== undefined && flags.only !== setting) continue;
  const start = async () => {
    const started = await startUdfServerProcess(args, { env });
    await settledRss(started.child.pid!, () => alive(started));
    return started;
  };
  let server = await start();
  for (const load of loads) {
    console.error(`${setting}: ${load.name}...`);
    results.push(await runLoad(setting, server, load));
    if (!alive(server)) {
      // Measure the next load on a fresh server, as a supervisor would restart it.
      await server.stop();
      server = await start();
    }
  }
  await server.stop();
}

const mb = (bytes: number) => `${Math.round(bytes / MIB)} MB`;
console.log(
  `\nUDF service under abuse (${machineLine()}, load average ${loadavg()[0]!.toFixed(1)}), scale ${scale}`,
);
console.log(
  '| setting | load | idle RSS before | peak RSS | idle RSS after (settled in) | heap / external after | served | refused | failed | slowest health (failures) | longest event-loop block | seconds |\n|---|---|---|---|---|---|---|---|---|---|---|---|',
);
for (const r of results) {
  console.log(
    `| ${r.setting} | ${r.load} | ${mb(r.idleBefore)} | ${mb(r.peakRss)} | ${mb(r.idleAfter)} (${r.settleSeconds.toFixed(0)} s) | ${mb(r.heapAfter)} / ${mb(r.externalAfter)} | ${r.served} | ${r.refused} | ${r.failed} | ${Math.round(r.slowestHealthMs)} ms (${r.healthFailures}) | ${Math.round(r.longestBlockMs)} ms | ${r.seconds.toFixed(1)} |`,
  );
}

const ofSetting = (setting: string) => results.filter((r) => r.setting === setting);
const limited = ofSetting(IMAGE);
const plain = ofSetting('defaults');
const unlimited = ofSetting('limits off');
if ([limited, plain, unlimited].every((rows) => rows.length === loads.length)) {
  const perLoad = limited
    .map(
      (r) =>
        `${r.load}: peak ${mb(r.peakRss)}, idle after ${mb(r.idleAfter)}, health ${Math.round(r.slowestHealthMs)} ms` +
        (r.refused > 0 ? ` (${r.served} served, ${r.refused} refused)` : ''),
    )
    .join('; ');
  const healthOk = [...limited, ...plain].every(
    (r) => r.slowestHealthMs < HEALTH_TARGET_MS && r.healthFailures === 0,
  );
  const idleOk = limited.every((r) => r.idleAfter - r.idleBefore <= IDLE_GROWTH_TARGET);
  const worst = (rows: LoadResult[]) => Math.max(...rows.map((r) => r.peakRss));
  const plainLoads = plain
    .map(
      (r) =>
        `${r.load} peak ${mb(r.peakRss)}, idle after ${mb(r.idleAfter)}, health ${Math.round(r.slowestHealthMs)} ms`,
    )
    .join('; ');
  await recordResult('udf-abuse', {
    figure: `defaults as the image runs them (malloc mmap threshold 32 kB), idle before ${mb(limited[0]!.idleBefore)}: ${perLoad}. Plain glibc malloc, idle before ${mb(plain[0]!.idleBefore)}: ${plainLoads}`,
    baseline: `limits off (shared-1m-id with 500 windows): ${unlimited
      .map((r) => `${r.load}: peak ${mb(r.peakRss)}, idle after ${mb(r.idleAfter)}`)
      .join('; ')}`,
    ratio: `peak ${(worst(limited) / worst(unlimited)).toFixed(2)}`,
    target: `health < 1 s throughout (both defaults); image: idle RSS after each load <= idle before it + ${IDLE_GROWTH_TARGET / MIB} MB`,
    met: healthOk && idleOk && [...limited, ...plain].every((r) => r.failed === '0'),
  });
}
