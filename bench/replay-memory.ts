/**
 * Peak memory (max RSS) of replay on N and 10 x N events over the same entity count: memory
 * must follow the open windows, not the input. Target: the larger under 1.5 x the smaller.
 *
 *   npx tsx bench/replay-memory.ts [--events 1000000] [--entities 10000] [--no-record]
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { builtInJobRegistry } from '../src/core/jobs/load-definitions.ts';
import { generateFile } from '../src/generate/generate-file.ts';
import { formatRate, machineLine, measurePass } from './support/measure.ts';
import { recordResult } from './support/results-table.ts';

const { values: flags } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    entities: { type: 'string', default: '10000' },
    'no-record': { type: 'boolean', default: false },
  },
});
const small = Number(flags.events);
const entities = Number(flags.entities);
const dataDir = new URL('./data/', import.meta.url).pathname;
await mkdir(dataDir, { recursive: true });

const results: { events: number; rssMb: number; seconds: number }[] = [];
for (const events of [small, small * 10]) {
  const input = join(dataDir, `mem-${events}.ndjson`);
  await generateFile(input, {
    job: builtInJobRegistry().get('transactions'),
    events,
    seed: 7,
    entities,
    startMs: Date.parse('2024-01-01T00:00:00Z'),
    meanGapMs: 20,
    maxDisorderMs: 4000,
    lateFraction: 0,
    invalidFraction: 0,
    windowSizeMs: 300_000,
    maxOutOfOrdernessMs: 5000,
  });
  const pass = await measurePass(['replay', input, 'transactions', join(dataDir, 'mem.out')]);
  results.push({ events, rssMb: pass.maxRssBytes / 2 ** 20, seconds: pass.ms / 1000 });
  console.log(
    `${formatRate(events)} events: max RSS ${(pass.maxRssBytes / 2 ** 20).toFixed(0)} MiB in ${(pass.ms / 1000).toFixed(1)} s`,
  );
  await rm(input);
  await rm(join(dataDir, 'mem.out'), { force: true });
}
const ratio = results[1]!.rssMb / results[0]!.rssMb;
console.log(`ratio ${ratio.toFixed(2)} (target < 1.5)`);

console.log(`
## Replay peak memory, ${formatRate(small)} vs ${formatRate(small * 10)} events (${new Date().toISOString().slice(0, 10)})
Command: \`npx tsx bench/replay-memory.ts --events ${small} --entities ${entities}\`
Machine: ${machineLine()}. Same ${formatRate(entities)} cards, same generator settings, max RSS of the replay process.

| events | max RSS MiB | seconds |
| --- | --- | --- |
${results.map((r) => `| ${formatRate(r.events)} | ${r.rssMb.toFixed(0)} | ${r.seconds.toFixed(1)} |`).join('\n')}

Ratio ${ratio.toFixed(2)} (target < 1.5): ${ratio < 1.5 ? 'met' : 'NOT met'}.
`);

if (!flags['no-record']) {
  const [smaller, larger] = results as [(typeof results)[0], (typeof results)[0]];
  await recordResult('replay-memory', {
    figure: `${larger.rssMb.toFixed(0)} MiB max RSS (${formatRate(larger.events)} events, ${formatRate(entities)} cards)`,
    baseline: `${smaller.rssMb.toFixed(0)} MiB (${formatRate(smaller.events)} events)`,
    ratio: ratio.toFixed(2),
    target: '< 1.5',
    met: ratio < 1.5,
  });
}
