/**
 * Replay throughput against a JSON.parse-only pass over the same NDJSON file, same run, same
 * machine, on the file as `featureflow generate` writes it (compact) and as Python's json.dumps
 * writes it by default (a space after every comma and colon). Passes alternate (parse, replay,
 * parse, replay...) in fresh processes, so drift on a shared machine hits both; the medians and
 * their ratio are recorded. Target: replay at least 0.5 of the parse-only rate on both files.
 *
 * Each run also replays with each of replay's hand-written fast paths off in turn
 * (src/replay/fast-paths.ts): a fast path's share is the part of replay's rate lost without it,
 * 1 - rate without / rate with all; its CPU share likewise from the CPU time of replay's busier
 * thread (of two: replay goes as fast as the busier one), which a busy machine moves less than
 * the wall time. Every replay of a card count must write the same bytes,
 * whatever the input's form and the paths taken; the run fails otherwise.
 *
 *   npx tsx bench/replay-throughput.ts [--events 1000000] [--entities 10000] [--runs 3]
 *     [--inputs compact,spaced] [--plain all|none|<path>,...] [--no-record]
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { builtInJobRegistry } from '../src/core/jobs/load-definitions.ts';
import { generateFile } from '../src/generate/generate-file.ts';
import { readLineBatches } from '../src/io/line-reader.ts';
import {
  PLAIN_PATHS_VARIABLE,
  plainPathsOf,
  REPLAY_FAST_PATHS,
  type ReplayFastPath,
} from '../src/replay/fast-paths.ts';
import {
  formatRate,
  machineLine,
  measurePass,
  median,
  type PassResult,
} from './support/measure.ts';
import { recordResult } from './support/results-table.ts';

const { values: flags } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    entities: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '3' },
    inputs: { type: 'string', default: 'compact,spaced' },
    plain: { type: 'string', default: 'all' },
    'no-record': { type: 'boolean', default: false },
  },
});
const events = Number(flags.events);
const runs = Number(flags.runs);
type InputForm = 'compact' | 'spaced';
const INPUT_FORMS: Record<InputForm, string> = {
  compact: 'compact (featureflow generate)',
  spaced: "spaced (Python's json.dumps default)",
};
const inputs = flags.inputs.split(',').map((form) => {
  if (!(form in INPUT_FORMS)) throw new Error(`--inputs: unknown input ${form} (compact, spaced)`);
  return form as InputForm;
});
const plainPaths: readonly ReplayFastPath[] =
  flags.plain === 'all'
    ? REPLAY_FAST_PATHS
    : flags.plain === 'none'
      ? []
      : [...plainPathsOf(flags.plain)];
const dataDir = new URL('./data/', import.meta.url).pathname;
await mkdir(dataDir, { recursive: true });

interface Case {
  entities: number;
  input: InputForm;
  windows: number;
  parseRate: number;
  replayRate: number;
  ratio: number;
  /** The CPU time of replay's busier thread, median. */
  replayCpuMs: number;
  /** Per fast path turned off: replay's rate without it. */
  rateWithout: Map<ReplayFastPath, number>;
  /** Per fast path turned off: the CPU time of replay's busier thread without it, median. */
  cpuMsWithout: Map<ReplayFastPath, number>;
}

// Other work on a shared machine moves both rates; the load average says how much there was.
const loadAtStart = loadavg()[0]!;
const cases: Case[] = [];
for (const entities of flags.entities.split(',').map(Number)) {
  const compact = join(dataDir, `txn-${events}-${entities}.ndjson`);
  const spaced = join(dataDir, `txn-${events}-${entities}-spaced.ndjson`);
  await generateFile(compact, {
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
  if (inputs.includes('spaced')) await writeSpaced(compact, spaced);
  // Every replay of these events writes the same rows, whatever the input's form or the paths.
  let expectedSha1: string | undefined;
  const replay = async (input: string, plain: ReplayFastPath | undefined) => {
    const pass = await measurePass(
      ['replay', input, 'transactions', join(dataDir, 'replay.out')],
      plain === undefined ? {} : { [PLAIN_PATHS_VARIABLE]: plain },
    );
    expectedSha1 ??= pass.outputSha1;
    if (pass.outputSha1 !== expectedSha1) {
      throw new Error(
        `replay of ${input} with ${plain ?? 'every fast path'} wrote other rows than the first replay (SHA-1 ${pass.outputSha1} against ${expectedSha1}): a fast path and its plain counterpart disagree`,
      );
    }
    return pass;
  };
  for (const form of inputs) {
    const input = form === 'compact' ? compact : spaced;
    const parseMs: number[] = [];
    const replayMs: number[] = [];
    const replayCpuMs: number[] = [];
    const withoutMs = new Map<ReplayFastPath, number[]>(plainPaths.map((path) => [path, []]));
    const withoutCpuMs = new Map<ReplayFastPath, number[]>(plainPaths.map((path) => [path, []]));
    let windows = 0;
    for (let i = 0; i < runs; i++) {
      parseMs.push((await measurePass(['parse-only', input])).ms);
      const pass = await replay(input, undefined);
      replayMs.push(pass.ms);
      replayCpuMs.push(busierThreadMs(pass));
      windows = pass.windows;
      for (const path of plainPaths) {
        const without = await replay(input, path);
        withoutMs.get(path)!.push(without.ms);
        withoutCpuMs.get(path)!.push(busierThreadMs(without));
      }
    }
    const rateOf = (ms: readonly number[]) => events / (median(ms) / 1000);
    const parseRate = rateOf(parseMs);
    const replayRate = rateOf(replayMs);
    const found: Case = {
      entities,
      input: form,
      windows,
      parseRate,
      replayRate,
      ratio: replayRate / parseRate,
      replayCpuMs: median(replayCpuMs),
      rateWithout: new Map(plainPaths.map((path) => [path, rateOf(withoutMs.get(path)!)])),
      cpuMsWithout: new Map(plainPaths.map((path) => [path, median(withoutCpuMs.get(path)!)])),
    };
    cases.push(found);
    const round = (ms: readonly number[]) => ms.map(Math.round).join(', ');
    console.log(
      `${formatRate(entities)} cards, ${INPUT_FORMS[form]}: ratio ${found.ratio.toFixed(2)} ` +
        `(parse ms ${round(parseMs)}; replay ms ${round(replayMs)}, busier thread CPU ms ${round(replayCpuMs)}` +
        plainPaths
          .map(
            (path) =>
              `; without ${path} ms ${round(withoutMs.get(path)!)}, CPU ms ${round(withoutCpuMs.get(path)!)}`,
          )
          .join('') +
        ')',
    );
  }
  await rm(compact);
  await rm(spaced, { force: true });
}
await rm(join(dataDir, 'replay.out'), { force: true });

const shareOf = (c: Case, path: ReplayFastPath) => 1 - c.rateWithout.get(path)! / c.replayRate;
const cpuShareOf = (c: Case, path: ReplayFastPath) => 1 - c.replayCpuMs / c.cpuMsWithout.get(path)!;
const percent = (share: number) => `${Math.round(share * 100)}%`;
console.log(`
## Replay throughput vs JSON.parse-only (${new Date().toISOString().slice(0, 10)})
Command: \`npx tsx bench/replay-throughput.ts --events ${events} --entities ${flags.entities} --runs ${runs} --inputs ${flags.inputs} --plain ${flags.plain}\`
Machine: ${machineLine()}, load average (1 min) ${loadAtStart.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end. Medians of ${runs} alternating runs, each pass in a fresh process.
Input: generated transactions (seed 42, 20 ms mean gap, 0.1% late, 0.1% invalid); replay writes every row to disk,
on two threads (read + parse + validate + row formatting and writing | windows + features); parse-only is one thread.

| events | cards | input | rows per event | parse-only events/s | replay events/s | ratio | target 0.5 |
| --- | --- | --- | --- | --- | --- | --- | --- |
${cases
  .map(
    (c) =>
      `| ${formatRate(events)} | ${formatRate(c.entities)} | ${INPUT_FORMS[c.input]} | ${(c.windows / events).toFixed(2)} | ` +
      `${formatRate(c.parseRate)} | ${formatRate(c.replayRate)} | ${c.ratio.toFixed(2)} | ${c.ratio >= 0.5 ? 'met' : 'NOT met'} |`,
  )
  .join('\n')}
`);
if (plainPaths.length > 0) {
  console.log(`Fast paths (src/replay/fast-paths.ts): replay's rate with each one off, its share
of replay's rate (1 - rate without / rate with all; under 10% it does not pay) and of the CPU
time of replay's busier thread.

| fast path | ${cases.map((c) => `${formatRate(c.entities)} cards, ${c.input}: events/s without, share, CPU share`).join(' | ')} |
| --- | ${cases.map(() => '---').join(' | ')} |
${plainPaths
  .map(
    (path) =>
      `| ${path} | ${cases.map((c) => `${formatRate(c.rateWithout.get(path)!)}, ${percent(shareOf(c, path))}, ${percent(cpuShareOf(c, path))}`).join(' | ')} |`,
  )
  .join('\n')}
`);
}

// The row names each case's figure; the target must hold for every one.
const perCase = (describe: (c: Case) => string) =>
  cases.map((c) => `${describe(c)} (${c.input}, ${formatRate(c.entities)} cards)`).join('; ');
const shares =
  plainPaths.length === 0
    ? ''
    : `; fast paths' shares (${cases.map((c) => c.input).join(' / ')}): ${plainPaths
        .map((path) => `${path} ${cases.map((c) => percent(shareOf(c, path))).join(' / ')}`)
        .join(', ')}`;
if (!flags['no-record']) {
  await recordResult('replay-throughput', {
    figure: perCase((c) => `${formatRate(c.replayRate)} events/s`) + shares,
    baseline: perCase((c) => `JSON.parse-only ${formatRate(c.parseRate)} events/s`),
    ratio: perCase((c) => c.ratio.toFixed(2)),
    target: '>= 0.5',
    met: cases.every((c) => c.ratio >= 0.5),
  });
}

/** The CPU time of the busier of replay's two threads; all threads' where /proc is not there. */
function busierThreadMs(pass: PassResult): number {
  return pass.mainThreadCpuMs === undefined
    ? pass.cpuMs!
    : Math.max(pass.mainThreadCpuMs, pass.windowThreadCpuMs!);
}

/** `from` as Python's json.dumps writes each line by default: ', ' and ': ' between tokens. */
async function writeSpaced(from: string, to: string): Promise<void> {
  const out = createWriteStream(to);
  for await (const batch of readLineBatches(from)) {
    const text = batch.lines.map(spacedLine).join('\n');
    if (!out.write(`${text}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** A line that is not JSON (the generator writes some) stays as it is. */
function spacedLine(line: string): string {
  try {
    return spacedJson(JSON.parse(line));
  } catch {
    return line;
  }
}

function spacedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(spacedJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).map(
      ([key, member]) => `${JSON.stringify(key)}: ${spacedJson(member)}`,
    );
    return `{${members.join(', ')}}`;
  }
  return JSON.stringify(value);
}
