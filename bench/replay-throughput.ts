/**
 * Replay throughput against a JSON.parse-only pass over the same NDJSON file, same run, same
 * machine. Passes alternate (parse, replay, parse, replay...) in fresh processes, so drift on
 * a shared machine hits both; the medians and their ratio are recorded. Target: replay at
 * least 0.5 of the parse-only rate.
 *
 *   npx tsx bench/replay-throughput.ts [--events 1000000] [--entities 1000,10000] [--runs 3] [--no-record]
 */
import { mkdir, rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { builtInJobRegistry } from '../src/core/jobs/load-definitions.ts';
import { generateFile } from '../src/generate/generate-file.ts';
import { formatRate, machineLine, measurePass, median } from './support/measure.ts';
import { recordResult } from './support/results-table.ts';

const { values: flags } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    entities: { type: 'string', default: '1000,10000' },
    runs: { type: 'string', default: '3' },
    'no-record': { type: 'boolean', default: false },
  },
});
const events = Number(flags.events);
const runs = Number(flags.runs);
const dataDir = new URL('./data/', import.meta.url).pathname;
await mkdir(dataDir, { recursive: true });

// Other work on a shared machine moves both rates; the load average says how much there was.
const loadAtStart = loadavg()[0]!;
const lines: string[] = [];
const cases: { entities: number; parseRate: number; replayRate: number; ratio: number }[] = [];
for (const entities of flags.entities.split(',').map(Number)) {
  const input = join(dataDir, `txn-${events}-${entities}.ndjson`);
  await generateFile(input, {
    job: builtInJobRegistry().get('transactions'),
    events,
    seed: 42,
    entities,
    startMs: Date.parse('2024-01-01T00:00:00Z'),
    meanGapMs: 20,
    maxDisorderMs: 4000,
    lateFraction: 0.001,
    invalidFraction: 0.001,
    windowSizeMs: 300_000,
    maxOutOfOrdernessMs: 5000,
  });
  const parseMs: number[] = [];
  const replayMs: number[] = [];
  let windows = 0;
  for (let i = 0; i < runs; i++) {
    parseMs.push((await measurePass(['parse-only', input])).ms);
    const replay = await measurePass([
      'replay',
      input,
      'transactions',
      join(dataDir, 'replay.out'),
    ]);
    replayMs.push(replay.ms);
    windows = replay.windows;
  }
  const parseRate = events / (median(parseMs) / 1000);
  const replayRate = events / (median(replayMs) / 1000);
  const ratio = replayRate / parseRate;
  const line =
    `| ${formatRate(events)} | ${formatRate(entities)} | ${(windows / events).toFixed(2)} | ` +
    `${formatRate(parseRate)} | ${formatRate(replayRate)} | ${ratio.toFixed(2)} | ${ratio >= 0.5 ? 'met' : 'NOT met'} |`;
  console.log(
    line,
    `(parse ms ${parseMs.map(Math.round).join(', ')}; replay ms ${replayMs.map(Math.round).join(', ')})`,
  );
  lines.push(line);
  cases.push({ entities, parseRate, replayRate, ratio });
  await rm(input);
}
await rm(join(dataDir, 'replay.out'), { force: true });

console.log(`
## Replay throughput vs JSON.parse-only (${new Date().toISOString().slice(0, 10)})
Command: \`npx tsx bench/replay-throughput.ts --events ${events} --entities ${flags.entities} --runs ${runs}\`
Machine: ${machineLine()}, load average (1 min) ${loadAtStart.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end. Medians of ${runs} alternating runs, each pass in a fresh process.
Input: generated transactions (seed 42, 20 ms mean gap, 0.1% late, 0.1% invalid); replay writes every row to disk,
on two threads (read + parse + validate + row formatting and writing | windows + features); parse-only is one thread.

| events | cards | rows per event | parse-only events/s | replay events/s | ratio | target 0.5 |
| --- | --- | --- | --- | --- | --- | --- |
${lines.join('\n')}
`);

// The row names each card count's figure; the target must hold for every one.
const perCase = (describe: (c: (typeof cases)[number]) => string) =>
  cases.map((c) => `${describe(c)} (${formatRate(c.entities)} cards)`).join('; ');
if (!flags['no-record']) {
  await recordResult('replay-throughput', {
    figure: perCase((c) => `${formatRate(c.replayRate)} events/s`),
    baseline: perCase((c) => `JSON.parse-only ${formatRate(c.parseRate)} events/s`),
    ratio: perCase((c) => c.ratio.toFixed(2)),
    target: '>= 0.5',
    met: cases.every((c) => c.ratio >= 0.5),
  });
}
