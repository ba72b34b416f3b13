/**
 * Sink throughput (windows/s) against its ceiling, measured in the same run on the same
 * redis-server (which this bench starts itself):
 *
 *   sink:            FeatureSink.writeFeatures over a workload of --windows windows
 *   redis-benchmark: the SAME Lua script via EVALSHA with the same arguments, pipelined,
 *                    on random keys of the same keyspace size (`-r`)
 *
 * Both send `--windows-per-call` windows per EVALSHA (the sink's default, 100), so both are
 * counted in windows/s. Runs alternate (sink, redis-benchmark, sink, ...) so drift on a shared
 * machine hits both; the medians and their ratio become the benchmark's row of bench/RESULTS.md,
 * and the details printed include the load average, since the sink and Redis share the cores.
 *
 *   npx tsx bench/sink-throughput.ts [--windows 200000] [--entities 20000] [--runs 7]
 *     [--windows-per-call 100] [--batch-size 1000] [--in-flight 4]
 *     [--pipeline 10] [--clients 4] [--no-record]
 */
import { execFile } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { parseArgs, promisify } from 'node:util';
import { Redis } from 'ioredis';
import type { WindowedFeatureRow } from '../src/core/jobs/job-definition.ts';

import { createFeatureSink } from '../src/core/sinks/redis-feature-sink.ts';
import { BatchPlanner } from '../src/core/sinks/window-batch.ts';
import { writeWindowCallArgs } from '../src/core/sinks/write-window-call.ts';
import {
  WRITE_WINDOW_SCRIPT,
  WRITE_WINDOW_SCRIPT_SHA,
} from '../src/core/sinks/write-window-script.ts';
import { TRANSACTIONS as TRANSACTIONS_JOB } from '../test/support/job-events.ts';
import { startRedisServer } from '../test/support/redis-server.ts';
import { recordResult } from './support/results-table.ts';

const run = promisify(execFile);
const REDIS_BENCHMARK = process.env.REDIS_BENCHMARK_BIN ?? '/usr/bin/redis-benchmark';
const TARGET_RATIO = 0.6;
const WINDOW_SIZE_MS = 5 * 60_000;
const SLIDE_MS = 60_000;

const { values: flags } = parseArgs({
  options: {
    windows: { type: 'string', default: '200000' },
    entities: { type: 'string', default: '20000' },
    runs: { type: 'string', default: '7' },
    'batch-size': { type: 'string', default: '1000' },
    'windows-per-call': { type: 'string', default: '100' },
    'in-flight': { type: 'string', default: '4' },
    // Enough calls in flight (4 x 10 x 100 windows) that Redis never waits for this client:
    // the ceiling is the server's, not one connection's round trips.
    pipeline: { type: 'string', default: '10' },
    clients: { type: 'string', default: '4' },
    'no-record': { type: 'boolean', default: false },
  },
});
const windows = Number(flags.windows);
const entities = Number(flags.entities);
const runs = Number(flags.runs);
const batchSize = Number(flags['batch-size']);
const windowsPerCall = Number(flags['windows-per-call']);
const maxBatchesInFlight = Number(flags['in-flight']);
const pipeline = Number(flags.pipeline);
const clients = Number(flags.clients);

/**
 * What the engine emits: windows in (window_end, entity) order, each entity's windows sliding
 * by a minute, so a batch holds distinct (entity, label) pairs and every window is written
 * (none is skipped as stale, which would flatter the sink).
 */
function workload(prefix: string, count = windows): WindowedFeatureRow[] {
  const rows: WindowedFeatureRow[] = new Array(count);
  const base = Date.UTC(2024, 0, 1);
  for (let i = 0; i < count; i++) {
    const entity = i % entities;
    const step = Math.floor(i / entities);
    const end = base + WINDOW_SIZE_MS + step * SLIDE_MS;
    const n = 1 + ((i * 7) % 13);
    const sum = n * 123.45 + (i % 100) / 7;
    rows[i] = {
      entity_id: `${prefix}${String(entity).padStart(12, '0')}`,
      window_start: end - WINDOW_SIZE_MS,
      window_end: end,
      txn_count: n,
      amount_sum: sum,
      amount_avg: sum / n,
      amount_max: sum / n + 50.25,
      amount_min: sum / n - 20.5,
      amount_std: 17.320508075688775,
      distinct_merchants: Math.min(n, 3),
      distinct_countries: 1 + (n % 2),
      high_amount_count: n % 3,
      velocity_score: Math.min(1, n / 10),
    };
  }
  return rows;
}

/** Windows per second of wall time, and this process's CPU time per window (what the sink
 * itself costs, whatever else the machine is doing). */
async function sinkRun(url: string, runIndex: number): Promise<{ rate: number; cpuUs: number }> {
  const rows = workload(`s${runIndex}:`);
  const sink = createFeatureSink({
    redisUrl: url,
    batchSize,
    windowsPerCall,
    maxBatchesInFlight,
  });
  try {
    // Connect and load outside the timed part, as a long-running sink would be.
    await sink.writeFeatures(rows.slice(0, 1), TRANSACTIONS_JOB);
    const cpuBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    const result = await sink.writeFeatures(rows, TRANSACTIONS_JOB);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuBefore);
    if (result.written !== windows || result.failed !== 0) {
      throw new Error(
        `sink run ${runIndex} wrote ${JSON.stringify(result)}, expected ${windows} written`,
      );
    }
    return { rate: windows / seconds, cpuUs: (cpu.user + cpu.system) / windows };
  } finally {
    await sink.close();
  }
}

/**
 * The exact EVALSHA arguments the sink sends for one call of `windowsPerCall` windows of the
 * workload, with each key replaced by a random one of the same keyspace size.
 */
function redisBenchmarkArgs(port: number, runIndex: number): string[] {
  const rows = workload(`b${runIndex}:`, windowsPerCall);
  const planner = new BatchPlanner(TRANSACTIONS_JOB, { ttlMs: 24 * 3_600_000, windowsPerCall });
  const args = writeWindowCallArgs(planner.plan(rows, 0, rows.length).calls[0]!, 'EVALSHA');
  for (let k = 0; k < windowsPerCall; k++) args[2 + k] = `features:card:b${runIndex}:__rand_int__`;
  return [
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-n',
    String(Math.ceil(windows / windowsPerCall)),
    '-r',
    String(entities),
    '-P',
    String(pipeline),
    '-c',
    String(clients),
    '--csv',
    'EVALSHA',
    ...args,
  ];
}

/** Windows per second: calls per second times windows per call. */
async function redisBenchmarkRun(port: number, runIndex: number): Promise<number> {
  const { stdout } = await run(REDIS_BENCHMARK, redisBenchmarkArgs(port, runIndex), {
    maxBuffer: 1 << 20,
  });
  // --csv: a header line, then "<test>","<rps>",...
  const last = stdout.trim().split('\n').at(-1) ?? '';
  const rps = Number(last.split('","')[1]);
  if (!Number.isFinite(rps) || rps <= 0)
    throw new Error(`cannot read redis-benchmark output: ${stdout}`);
  return rps * windowsPerCall;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const formatLoad = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

interface Summary {
  sinkRates: number[];
  sinkCpuUs: number[];
  ceilingRates: number[];
  sinkMedian: number;
  ceilingMedian: number;
  /** The target's measure: median sink rate over median redis-benchmark rate. */
  ratio: number;
  /** Each sink run over the redis-benchmark run right after it, median: less exposed to
   * drift on a shared machine than the ratio of medians. */
  pairedRatio: number;
  verdict: string;
  loadBefore: string;
}

async function main(): Promise<void> {
  const loadBefore = formatLoad();
  const server = await startRedisServer();
  const admin = new Redis(server.url);
  try {
    const sha = await admin.script('LOAD', WRITE_WINDOW_SCRIPT);
    if (sha !== WRITE_WINDOW_SCRIPT_SHA) throw new Error(`script sha mismatch: ${String(sha)}`);
    const { stdout: version } = await run(REDIS_BENCHMARK, ['--version']);
    console.log(
      `sink vs redis-benchmark: ${fmt(windows)} windows, ${fmt(entities)} entities, ${runs} runs, ` +
        `${windowsPerCall} windows per EVALSHA, sink batch ${batchSize} x ${maxBatchesInFlight} in flight, ` +
        `redis-benchmark -P ${pipeline} -c ${clients} (${version.trim()})`,
    );

    // Warm-up of both (JIT, allocator, Redis's dict growth), not counted.
    await sinkRun(server.url, 0);
    await redisBenchmarkRun(server.port, 0);

    const sinkRates: number[] = [];
    const sinkCpuUs: number[] = [];
    const ceilingRates: number[] = [];
    for (let i = 1; i <= runs; i++) {
      const sink = await sinkRun(server.url, i);
      const ceiling = await redisBenchmarkRun(server.port, i);
      sinkRates.push(sink.rate);
      sinkCpuUs.push(sink.cpuUs);
      ceilingRates.push(ceiling);
      console.log(
        `  run ${i}: sink ${fmt(sink.rate)} windows/s (${sink.cpuUs.toFixed(2)} us CPU/window), ` +
          `redis-benchmark ${fmt(ceiling)} windows/s`,
      );
    }
    const sinkMedian = median(sinkRates);
    const ceilingMedian = median(ceilingRates);
    const ratio = sinkMedian / ceilingMedian;
    const summary: Summary = {
      sinkRates,
      sinkCpuUs,
      ceilingRates,
      sinkMedian,
      ceilingMedian,
      ratio,
      pairedRatio: median(sinkRates.map((rate, i) => rate / ceilingRates[i]!)),
      verdict: ratio >= TARGET_RATIO ? 'met' : 'NOT met',
      loadBefore,
    };
    console.log(
      `median: sink ${fmt(sinkMedian)} windows/s (${median(sinkCpuUs).toFixed(2)} us CPU/window), ` +
        `redis-benchmark ${fmt(ceilingMedian)} windows/s, ratio ${percent(ratio)} ` +
        `(target >= ${percent(TARGET_RATIO)}: ${summary.verdict}); median of paired ratios ${percent(summary.pairedRatio)}`,
    );
    if (!flags['no-record']) await record(summary);
  } finally {
    admin.disconnect();
    await server.stop();
  }
}

const percent = (x: number) => `${(x * 100).toFixed(1)}%`;

async function record(r: Summary): Promise<void> {
  const argv = process.argv.slice(2).join(' ');
  const details = [
    '',
    `## Sink throughput (${new Date().toISOString()})`,
    '',
    `- command: \`npx tsx bench/sink-throughput.ts${argv ? ` ${argv}` : ''}\``,
    `- machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ` +
      `redis-server and the client on the same cores; load average ${r.loadBefore} before, ` +
      `${formatLoad()} after (the machine is shared with other work)`,
    `- workload: ${fmt(windows)} transaction windows over ${fmt(entities)} cards; ` +
      `${windowsPerCall} windows per EVALSHA call; sink batch ${batchSize} windows, ` +
      `${maxBatchesInFlight} batches in flight; redis-benchmark runs EVALSHA of the same script ` +
      `with the sink's arguments (random keys), -P ${pipeline} -c ${clients} -r ${entities}`,
    `- sink windows/s per run: ${r.sinkRates.map(fmt).join(', ')}`,
    `- sink CPU per window (us) per run: ${r.sinkCpuUs.map((us) => us.toFixed(2)).join(', ')}`,
    `- redis-benchmark windows/s per run: ${r.ceilingRates.map(fmt).join(', ')}`,
    `- median: sink **${fmt(r.sinkMedian)}**, redis-benchmark **${fmt(r.ceilingMedian)}** windows/s`,
    `- ratio of medians: **${percent(r.ratio)}** (target >= ${percent(TARGET_RATIO)}: ${r.verdict}); ` +
      `median of paired ratios ${percent(r.pairedRatio)}`,
    '',
  ].join('\n');
  console.log(details);
  await recordResult('sink-throughput', {
    figure: `${fmt(r.sinkMedian)} windows/s (${windowsPerCall} per EVALSHA call)`,
    baseline: `redis-benchmark, same Lua script: ${fmt(r.ceilingMedian)} windows/s`,
    ratio: r.ratio.toFixed(2),
    target: `>= ${TARGET_RATIO}`,
    met: r.ratio >= TARGET_RATIO,
  });
}

await main();
