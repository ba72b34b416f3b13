// bench/RESULTS.md is one table with one current row per benchmark of bench/catalog.ts; each
// benchmark replaces its own row through one helper; `npm run bench` lists and runs them.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BENCHMARKS } from '../../bench/catalog.ts';
import { type ResultRow, recordResult, withRow } from '../../bench/support/results-table.ts';

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const results = () => readFileSync(join(ROOT, 'bench', 'RESULTS.md'), 'utf8');
const tableRows = (markdown: string) =>
  markdown
    .split('\n')
    .filter(
      (line) =>
        line.startsWith('| ') && !line.startsWith('| benchmark |') && !line.startsWith('| ---'),
    );
const nameOf = (line: string) => line.split('|')[1]!.trim();

const row = (overrides: Partial<ResultRow>): ResultRow => ({
  benchmark: 'replay-memory',
  figure: '272 MiB',
  baseline: '257 MiB',
  ratio: '1.06',
  target: '< 1.5',
  met: true,
  date: '2026-11-27',
  commit: 'abc1234',
  command: 'npx tsx bench/replay-memory.ts',
  ...overrides,
});

describe('withRow', () => {
  it('starts the table in an empty file, then replaces a row in place', () => {
    const first = withRow('', row({}));
    expect(tableRows(first)).toEqual([
      '| replay-memory | 272 MiB | 257 MiB | 1.06 | < 1.5 | yes | 2026-11-27 | abc1234 | `npx tsx bench/replay-memory.ts` |',
    ]);
    const second = withRow(first, row({ figure: '300 MiB', ratio: '1.60', met: false }));
    expect(tableRows(second)).toEqual([
      '| replay-memory | 300 MiB | 257 MiB | 1.60 | < 1.5 | NO | 2026-11-27 | abc1234 | `npx tsx bench/replay-memory.ts` |',
    ]);
    expect(second.split('| benchmark |')[0]).toBe(first.split('| benchmark |')[0]);
  });

  it('adds a benchmark in catalog order, and a cell cannot break the table', () => {
    let text = withRow('', row({ benchmark: 'freshness', met: undefined }));
    text = withRow(text, row({ benchmark: 'replay-throughput', figure: 'a | b\nc' }));
    expect(tableRows(text).map(nameOf)).toEqual(['replay-throughput', 'freshness']);
    expect(tableRows(text)[0]).toContain('| a \\| b c |');
    expect(tableRows(text)[1]).toContain('| < 1.5 | - |');
  });

  it('refuses a file that is not the results table, saying how to fix it', () => {
    expect(() => withRow('# Benchmark results\n\n## Sink throughput\n', row({}))).toThrow(
      'bench/RESULTS.md has no results table: expected the header line "| benchmark | figure | baseline | ratio | target | met | date | commit | command |" (restore the file from git)',
    );
  });
});

describe('recordResult', () => {
  it('stamps the row with the date, the commit and the command line', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bench-results-')), 'RESULTS.md');
    await recordResult(
      'udf-encoding',
      { figure: '1 us', baseline: '0.3 us', ratio: '3.3 x', target: '-', met: undefined },
      file,
    );
    const [line] = tableRows(readFileSync(file, 'utf8'));
    const cells = line!.split(' | ');
    expect(cells[6]).toBe(new Date().toISOString().slice(0, 10));
    expect(cells[7]).toMatch(/^[0-9a-f]{7,}( \+ uncommitted changes)?$/);
    expect(cells[8]).toMatch(/^`npx tsx .+` \|$/);
  });
});

describe('bench/RESULTS.md and the catalog', () => {
  it('holds one current row per benchmark, in catalog order, and no log sections', () => {
    const text = results();
    expect(tableRows(text).map(nameOf)).toEqual(BENCHMARKS.map((b) => b.name));
    expect(text).not.toMatch(/^## /m);
    for (const line of tableRows(text)) {
      expect(line.split(' | ')).toHaveLength(9);
      expect(line).toMatch(/ \| 20\d\d-\d\d-\d\d \| [0-9a-f]{7,} \| `npx tsx bench\/[a-z-]+\.ts/);
    }
  });

  it('lists every benchmark file once, and each records its own row through the helper', () => {
    const files = readdirSync(join(ROOT, 'bench'))
      .filter((name) => name.endsWith('.ts') && name !== 'catalog.ts' && name !== 'run-all.ts')
      .map((name) => `bench/${name}`)
      .sort();
    expect(BENCHMARKS.map((b) => b.file).sort()).toEqual(files);
    expect(new Set(BENCHMARKS.map((b) => b.name)).size).toBe(BENCHMARKS.length);
    for (const benchmark of BENCHMARKS) {
      const source = readFileSync(join(ROOT, benchmark.file), 'utf8');
      expect(source, benchmark.file).toContain(`recordResult('${benchmark.name}', {`);
      expect(source, benchmark.file).not.toMatch(/appendFile|RESULTS_FILE/);
    }
  });
});

describe('npm run bench', () => {
  const bench = (...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'run-all.ts'), ...args], {
      cwd: ROOT,
    });

  it('lists every benchmark with its command', async () => {
    const { stdout } = await bench();
    for (const benchmark of BENCHMARKS) {
      expect(stdout).toContain(
        `npm run bench -- ${benchmark.name}   (= npx tsx ${benchmark.file})`,
      );
    }
  });

  it('refuses an unknown benchmark with exit 2, naming the ones there are', async () => {
    const failure = (await bench('nope').catch((error: unknown) => error)) as {
      code: number;
      stderr: string;
    };
    expect(failure.code).toBe(2);
    expect(failure.stderr.trim()).toBe(
      `featureflow bench: no benchmark named 'nope' (one of: ${BENCHMARKS.map((b) => b.name).join(', ')})`,
    );
  });

  it('is what package.json runs', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.scripts.bench).toBe('tsx bench/run-all.ts');
  });
});
