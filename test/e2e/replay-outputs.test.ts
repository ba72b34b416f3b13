// replay never writes over its input or another of its outputs, and a failed run leaves the
// files it would have written as they were.
import {
  linkSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from '../support/cli-process.ts';
import { txn } from '../support/events.ts';
import { generateEvents } from '../support/generated-events.ts';
import { runCli } from '../support/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'featureflow-outputs-'));
const at = (name: string) => join(dir, name);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const INPUT = `${[1, 2, 3].map((i) => JSON.stringify(txn({ card_id: `c${i}`, timestamp: i * 1000 }))).join('\n')}\n`;

function replay(...flags: string[]) {
  return runCli(['replay', '--job', 'transactions', ...flags]);
}

describe('replay refuses an output that is its input or another output', () => {
  beforeAll(() => {
    writeFileSync(at('a.ndjson'), INPUT);
    symlinkSync(at('a.ndjson'), at('a-symlink.ndjson'));
    linkSync(at('a.ndjson'), at('a-hardlink.ndjson'));
  });

  it.each([
    ['--output naming the input', ['--output', 'a.ndjson'], '--output', 'a.ndjson'],
    [
      '--dead-letter naming the input',
      ['--output', 'r', '--dead-letter', 'a.ndjson'],
      '--dead-letter',
      'a.ndjson',
    ],
    [
      '--late-output as a symlink to it',
      ['--output', 'r', '--late-output', 'a-symlink.ndjson'],
      '--late-output',
      'a-symlink.ndjson',
    ],
    [
      '--output as a hard link to it',
      ['--output', 'a-hardlink.ndjson'],
      '--output',
      'a-hardlink.ndjson',
    ],
  ])('%s: exit 2, the input untouched', async (_name, flags, flag, name) => {
    const result = await replay(
      '--input',
      at('a.ndjson'),
      ...flags.map((f) => (f.startsWith('--') ? f : at(f))),
    );
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(
      `featureflow: ${flag} is the same file as --input: ${at(name)} and ${at('a.ndjson')} (after resolving links)`,
    );
    expect(readFileSync(at('a.ndjson'), 'utf8')).toBe(INPUT);
  });

  it('refuses --late-output naming --output: exit 2', async () => {
    const result = await replay(
      '--input',
      at('a.ndjson'),
      '--output',
      at('same.rows'),
      '--late-output',
      `${dir}/./same.rows`,
    );
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('--late-output is the same file as --output');
  });
});

describe('a failed replay leaves existing outputs untouched', () => {
  it('keeps the rows, late and dead-letter files of an earlier run when the input is missing', async () => {
    for (const name of ['keep.rows', 'keep.late', 'keep.dead'])
      writeFileSync(at(name), `old ${name}\n`);
    const before = readdirSync(dir).sort();
    const result = await replay(
      '--input',
      at('missing.ndjson'),
      '--output',
      at('keep.rows'),
      '--late-output',
      at('keep.late'),
      '--dead-letter',
      at('keep.dead'),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`cannot read --input ${at('missing.ndjson')}`);
    for (const name of ['keep.rows', 'keep.late', 'keep.dead']) {
      expect(readFileSync(at(name), 'utf8')).toBe(`old ${name}\n`);
    }
    // No temporary file is left behind.
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('replaces them when the run succeeds', async () => {
    writeFileSync(at('input.ndjson'), INPUT);
    writeFileSync(at('done.rows'), 'old rows\n');
    const result = await replay('--input', at('input.ndjson'), '--output', at('done.rows'));
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(at('done.rows'), 'utf8')).toContain('"entity_id":"c1"');
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('removes its temporary files and keeps the old ones when stopped by SIGINT', async () => {
    const input = await generateEvents(at('big.ndjson'), { events: 400_000, seed: 3 });
    writeFileSync(at('stopped.rows'), 'old rows\n');
    const before = readdirSync(dir).sort();
    const run = startCli(
      ['replay', '--job', 'transactions', '--input', input, '--output', at('stopped.rows')],
      {},
    );
    // Stopped while it writes: once its temporary file is there.
    const deadline = Date.now() + 20_000;
    while (!readdirSync(dir).some((name) => name.endsWith('.tmp')) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(readdirSync(dir).some((name) => name.endsWith('.tmp'))).toBe(true);
    expect(await run.stop('SIGINT')).toBe('SIGINT');
    expect(readFileSync(at('stopped.rows'), 'utf8')).toBe('old rows\n');
    expect(readdirSync(dir).sort()).toEqual(before);
  }, 60_000);
});
