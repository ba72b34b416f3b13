/**
 * Soak: both pipelines (Flink + bridge + `udf-server` + `sink`, and `consume`) on one live topic
 * at a steady rate for a long time, sampling the resident memory of the TypeScript processes.
 * A leak shows as a slope: the least-squares fit over time of each minute's smallest RSS sample
 * after the warm-up, in MiB per 10 minutes (target under 1 for each process;
 * support/rss-trend.ts says why the floors and not every sample). The baseline is each
 * process's first floor after the warm-up, in the same run. Needs the local stack
 * (`featureflow up`; KAFKA_BROKERS, REDIS_URL and FLINK_SQL_GATEWAY point at another one).
 *
 *   npx tsx bench/soak.ts [--minutes 30] [--warmup-minutes 10] [--rate 1000] [--no-record]
 */
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { resolveServiceEndpoints } from '../src/config/environment.ts';
import { streamLiveEvents } from './support/live-events.ts';
import { CONSUME_DB, FLINK_DB, startLivePipelines } from './support/live-pipelines.ts';
import { machineLine } from './support/measure.ts';
import { recordResult } from './support/results-table.ts';
import { floorsPerPeriod, leastSquaresSlope } from './support/rss-trend.ts';

const { values: flags } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    // Twice the jobs' 5-minute window: the consumer's window state fills for a window's length,
    // and only then do V8's heap and the allocator settle at their working size.
    'warmup-minutes': { type: 'string', default: '10' },
    rate: { type: 'string', default: '1000' },
    entities: { type: 'string', default: '2000' },
    'sample-seconds': { type: 'string', default: '5' },
    'no-record': { type: 'boolean', default: false },
  },
});
const minutes = Number(flags.minutes);
const warmupMs = Number(flags['warmup-minutes']) * 60_000;
const rate = Number(flags.rate);
const sampleMs = Number(flags['sample-seconds']) * 1000;
const TARGET_MIB_PER_10_MIN = 1;
/** The windows of both pipelines slide every minute: the load's period, and the floors'. */
const WINDOW_SLIDE_MS = 60_000;
const MIB = 1024 * 1024;

async function rssBytes(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
    return kib === undefined ? undefined : Number(kib) * 1024;
  } catch {
    // The process is gone: the soak reports it below instead of a slope.
    return undefined;
  }
}

const endpoints = resolveServiceEndpoints();
for (const db of [FLINK_DB, CONSUME_DB]) {
  const redis = new Redis(`${endpoints.redisUrl}/${db}`);
  await redis.flushdb();
  await redis.quit();
}
const pipelines = await startLivePipelines('bench-soak');
const processes = [
  { name: 'udf-server', pid: pipelines.udfServer.child.pid! },
  { name: 'sink', pid: pipelines.sink.child.pid! },
  { name: 'consume', pid: pipelines.consumer.child.pid! },
];
const samples = new Map<string, [number, number][]>(processes.map((p) => [p.name, []]));
const startMs = Date.now();
const sampler = setInterval(async () => {
  for (const { name, pid } of processes) {
    const bytes = await rssBytes(pid);
    if (bytes !== undefined) samples.get(name)!.push([Date.now() - startMs, bytes]);
  }
}, sampleMs);

let produced = 0;
try {
  produced = await streamLiveEvents({
    producer: pipelines.producer,
    topic: pipelines.eventsTopic,
    ratePerSecond: rate,
    durationMs: minutes * 60_000,
    entities: Number(flags.entities),
    maxDisorderMs: 2_000,
    maxOutOfOrdernessMs: 5_000,
    startMs,
  });
} finally {
  clearInterval(sampler);
}
const alive = await Promise.all(processes.map(async (p) => (await rssBytes(p.pid)) !== undefined));
const keys: number[] = [];
for (const db of [FLINK_DB, CONSUME_DB]) {
  const redis = new Redis(`${endpoints.redisUrl}/${db}`);
  keys.push(await redis.dbsize());
  await redis.quit();
}
await pipelines.stop();

const results = processes.map(({ name }, i) => {
  const floors = floorsPerPeriod(samples.get(name)!, WINDOW_SLIDE_MS, warmupMs);
  if (!alive[i] || floors.length < 2) {
    throw new Error(
      `${name} ${alive[i] ? `has ${floors.length} minutes of samples after the warm-up (run at least 2 minutes longer than --warmup-minutes)` : 'died during the soak'}`,
    );
  }
  return {
    name,
    floors,
    warmRss: floors[0]![1],
    endRss: floors.at(-1)![1],
    mibPer10Min: (leastSquaresSlope(floors) * 600_000) / MIB,
  };
});
const mib = (bytes: number) => (bytes / MIB).toFixed(0);
const load = loadavg()
  .map((l) => l.toFixed(1))
  .join(' ');
console.log(`Soak: ${minutes} min at ${rate} events/s (${produced.toLocaleString('en-US')} events), ${machineLine()}, load average at the end ${load}
Redis keys: flink path ${keys[0]}, consume ${keys[1]}
${results.map((r) => `${r.name}: RSS floor ${mib(r.warmRss)} MiB after the warm-up, ${mib(r.endRss)} MiB in the last minute, slope ${r.mibPer10Min.toFixed(2)} MiB / 10 min; floors per minute (MiB): ${r.floors.map(([, bytes]) => mib(bytes)).join(' ')}`).join('\n')}`);
if (!flags['no-record']) {
  await recordResult('soak', {
    figure: `RSS slope (per-minute floors) after ${flags['warmup-minutes']} min warm-up, ${minutes} min at ${rate.toLocaleString('en-US')} events/s: ${results.map((r) => `${r.name} ${r.mibPer10Min.toFixed(2)}`).join(', ')} MiB / 10 min`,
    baseline: `RSS floor after warm-up: ${results.map((r) => `${r.name} ${mib(r.warmRss)} MiB`).join(', ')}`,
    ratio: `last / first floor: ${results.map((r) => `${r.name} ${(r.endRss / r.warmRss).toFixed(2)}`).join(', ')}`,
    target: `slope < ${TARGET_MIB_PER_10_MIN} MiB / 10 min each`,
    met: results.every((r) => r.mibPer10Min < TARGET_MIB_PER_10_MIN),
  });
}
