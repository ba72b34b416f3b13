/**
 * Freshness end to end at a steady rate: from a window's end (event time, which here follows
 * the wall clock) to its features landing in Redis, p50 / p90 / p99.
 *
 * Live transactions (event time = now, bounded disorder) go to one topic at --rate events/s.
 * Two pipelines read it in the same run:
 *  - flink: flink-sql/03 (Flink SQL, HOP windows, the TypeScript function through the bridge
 *    and `featureflow udf-server`, exactly-once sink committed on 5 s checkpoints) then
 *    `featureflow sink` into Redis database 1;
 *  - consume: `featureflow consume` (the same windows and function, no Flink) into database 2,
 *    the baseline.
 * Redis itself reports each write (keyspace notifications, `hset` events); the bench reads the
 * key's window_end_5m at that moment. No runtime can beat the max out-of-orderness D (5 s): a
 * window fires only when an event D past its end arrives. Needs the local stack (`featureflow up`).
 *
 *   npx tsx bench/freshness.ts [--rate 1000] [--seconds 240] [--entities 2000] [--no-record]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { resolveServiceEndpoints } from '../src/config/environment.ts';
import { streamLiveEvents } from './support/live-events.ts';
import { CONSUME_DB, FLINK_DB, startLivePipelines } from './support/live-pipelines.ts';
import { machineLine } from './support/measure.ts';
import { recordResult } from './support/results-table.ts';

const { values: flags } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '240' },
    entities: { type: 'string', default: '2000' },
    'no-record': { type: 'boolean', default: false },
  },
});
const rate = Number(flags.rate);
const seconds = Number(flags.seconds);
const entities = Number(flags.entities);
const MAX_OUT_OF_ORDERNESS_MS = 5_000;
const MAX_DISORDER_MS = 2_000;
// Windows that end in the first two minutes are warm-up (JIT, Flink's first checkpoint).
const WARMUP_MS = 120_000;
const PIPELINES = [
  { name: 'flink', db: FLINK_DB },
  { name: 'consume', db: CONSUME_DB },
] as const;

const endpoints = resolveServiceEndpoints();
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const loadBefore = load();
// Redis reports every HSET (the sink's Lua script writes one per window) on a channel per db.
const redisAdmin = new Redis(endpoints.redisUrl);
const previousNotify = ((await redisAdmin.config('GET', 'notify-keyspace-events')) as string[])[1];
await redisAdmin.config('SET', 'notify-keyspace-events', 'Eh');
const subscriber = new Redis(endpoints.redisUrl);
const readers = new Map<number, Redis>(
  PIPELINES.map((p) => [p.db, new Redis(`${endpoints.redisUrl}/${p.db}`)]),
);
const freshnessMs = new Map<number, number[]>(PIPELINES.map((p) => [p.db, []]));
let measureFromWindowEnd = Number.POSITIVE_INFINITY;
subscriber.on('message', (channel: string, key: string) => {
  const landedAt = Date.now();
  const db = Number(/^__keyevent@(\d+)__:hset$/.exec(channel)?.[1]);
  readers
    .get(db)
    ?.hget(key, 'window_end_5m')
    .then((end) => {
      const windowEnd = Number(end);
      if (windowEnd >= measureFromWindowEnd) freshnessMs.get(db)!.push(landedAt - windowEnd);
    });
});
await subscriber.subscribe(...PIPELINES.map((p) => `__keyevent@${p.db}__:hset`));
for (const reader of readers.values()) await reader.flushdb();

const pipelines = await startLivePipelines('bench-fresh');
const startMs = Date.now();
measureFromWindowEnd = startMs + WARMUP_MS;
const produced = await streamLiveEvents({
  producer: pipelines.producer,
  topic: pipelines.eventsTopic,
  ratePerSecond: rate,
  durationMs: seconds * 1000,
  entities,
  maxDisorderMs: MAX_DISORDER_MS,
  maxOutOfOrdernessMs: MAX_OUT_OF_ORDERNESS_MS,
  startMs,
});
// Let the windows that the last events closed land, then stop everything.
await new Promise((resolve) => setTimeout(resolve, 15_000));

await pipelines.stop();
await subscriber.quit();
await redisAdmin.config('SET', 'notify-keyspace-events', previousNotify ?? '');
await redisAdmin.quit();
for (const reader of readers.values()) await reader.quit();

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const percentiles = new Map<string, { p50: number; p99: number }>();
const rows = PIPELINES.map(({ name, db }) => {
  const sorted = [...freshnessMs.get(db)!].sort((a, b) => a - b);
  if (sorted.length === 0) throw new Error(`${name}: no window reached Redis after the warm-up`);
  percentiles.set(name, { p50: percentile(sorted, 50), p99: percentile(sorted, 99) });
  const s = (ms: number) => (ms / 1000).toFixed(2);
  return `| ${name} | ${sorted.length.toLocaleString('en-US')} | ${s(percentile(sorted, 50))} | ${s(percentile(sorted, 90))} | ${s(percentile(sorted, 99))} | ${s(sorted.at(-1)!)} |`;
});
const section = `## Freshness: window end to Redis at a steady rate (${new Date().toISOString().slice(0, 10)})
Command: \`npx tsx bench/freshness.ts --rate ${rate} --seconds ${seconds} --entities ${entities}\` (local stack up)
Machine: ${machineLine()}; load average ${loadBefore} before, ${load()} after (shared machine).
Live transactions at ${rate.toLocaleString('en-US')} events/s (${produced.toLocaleString('en-US')} events, ${entities.toLocaleString('en-US')} cards, disorder up to ${MAX_DISORDER_MS / 1000} s, 3 partitions), event time = wall clock. Both pipelines read the same topic at the same time. Freshness = when Redis reported the window's HSET (keyspace notification) minus the window's end; windows ending in the first ${WARMUP_MS / 1000} s left out. Floor for any runtime: D = ${MAX_OUT_OF_ORDERNESS_MS / 1000} s (a window fires once an event D past its end arrives).
flink = flink-sql/03 through the bridge into \`featureflow udf-server\`, exactly-once Kafka sink (5 s checkpoints, read_committed), \`featureflow sink\`; consume = \`featureflow consume\` (no Flink), the baseline.

| pipeline | windows | p50 s | p90 s | p99 s | max s |
| --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
console.log(section);
if (!flags['no-record']) {
  const flink = percentiles.get('flink')!;
  const consume = percentiles.get('consume')!;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  await recordResult('freshness', {
    figure: `Flink: p50 ${seconds(flink.p50)}, p99 ${seconds(flink.p99)} at ${rate.toLocaleString('en-US')} events/s`,
    baseline: `featureflow consume: p50 ${seconds(consume.p50)}, p99 ${seconds(consume.p99)}`,
    ratio: `p50 ${(flink.p50 / consume.p50).toFixed(2)}, p99 ${(flink.p99 / consume.p99).toFixed(2)}`,
    target: '-',
    met: undefined,
  });
}
