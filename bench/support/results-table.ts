/**
 * bench/RESULTS.md is one table: one current row per benchmark (figure, baseline, ratio,
 * target, met, date, commit, command). A benchmark replaces its own row; the history is in git.
 * The file is replaced whole (a temporary file renamed over it), so a failed run never leaves
 * it half written.
 */
import { execFileSync } from 'node:child_process';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCHMARKS, type BenchmarkName } from '../catalog.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RESULTS_FILE = join(ROOT, 'bench', 'RESULTS.md');

/** What a benchmark measured; `met` is undefined where it has no target. */
export interface MeasuredResult {
  readonly figure: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly target: string;
  readonly met: boolean | undefined;
}

export interface ResultRow extends MeasuredResult {
  readonly benchmark: BenchmarkName;
  /** YYYY-MM-DD, UTC. */
  readonly date: string;
  readonly commit: string;
  readonly command: string;
}

const COLUMNS = [
  'benchmark',
  'figure',
  'baseline',
  'ratio',
  'target',
  'met',
  'date',
  'commit',
  'command',
] as const;
const HEADER = `| ${COLUMNS.join(' | ')} |`;
const SEPARATOR = `| ${COLUMNS.map(() => '---').join(' | ')} |`;

const PREAMBLE = `# Benchmark results

One row per benchmark: its latest figure, the baseline measured in the same run, their ratio,
the target and whether it was met, when, at which commit, and the command that measured it.
\`npm run bench\` lists the benchmarks; \`npm run bench -- <name>\` runs one and replaces its
row. Earlier figures are in git: \`git log -p bench/RESULTS.md\`. Each run prints its details
(per-run figures, machine, load) on stdout.
`;

/** Records `result` as `benchmark`'s row, stamped with today's date, HEAD and the command line. */
export async function recordResult(
  benchmark: BenchmarkName,
  result: MeasuredResult,
  file: string = RESULTS_FILE,
): Promise<void> {
  const row: ResultRow = {
    benchmark,
    ...result,
    date: new Date().toISOString().slice(0, 10),
    commit: currentCommit(),
    command: commandLine(),
  };
  const existing = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, withRow(existing, row));
  await rename(temporary, file);
  console.log(`bench/RESULTS.md: ${benchmark} row updated`);
}

/** `markdown` with `row` in place of its benchmark's row, or added in catalog order. */
export function withRow(markdown: string, row: ResultRow): string {
  const lines = (markdown.trim() === '' ? `${PREAMBLE}\n${HEADER}\n${SEPARATOR}\n` : markdown)
    .replace(/\n*$/, '\n')
    .split('\n');
  const headerAt = lines.indexOf(HEADER);
  if (headerAt < 0 || lines[headerAt + 1] !== SEPARATOR) {
    throw new Error(
      `bench/RESULTS.md has no results table: expected the header line "${HEADER}" (restore the file from git)`,
    );
  }
  let end = headerAt + 2;
  while (end < lines.length && lines[end]!.startsWith('|')) end++;
  const rows = lines.slice(headerAt + 2, end).filter((line) => benchmarkOf(line) !== row.benchmark);
  rows.push(formatRow(row));
  rows.sort((a, b) => catalogIndex(benchmarkOf(a)) - catalogIndex(benchmarkOf(b)));
  return [...lines.slice(0, headerAt + 2), ...rows, ...lines.slice(end)].join('\n');
}

function formatRow(row: ResultRow): string {
  const met = row.met === undefined ? '-' : row.met ? 'yes' : 'NO';
  const cells = [
    row.benchmark,
    row.figure,
    row.baseline,
    row.ratio,
    row.target,
    met,
    row.date,
    row.commit,
    `\`${row.command}\``,
  ];
  return `| ${cells.map((cell) => cell.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ')).join(' | ')} |`;
}

function benchmarkOf(line: string): string {
  return line.split('|')[1]?.trim() ?? '';
}

function catalogIndex(name: string): number {
  const index = BENCHMARKS.findIndex((benchmark) => benchmark.name === name);
  return index < 0 ? BENCHMARKS.length : index;
}

/** HEAD's short hash, marked when the tracked files differ from it (bench/RESULTS.md aside). */
function currentCommit(): string {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  try {
    const head = git('rev-parse', '--short', 'HEAD');
    const changed = git(
      'status',
      '--porcelain',
      '--untracked-files=no',
      '--',
      '.',
      ':!bench/RESULTS.md',
    );
    return changed === '' ? head : `${head} + uncommitted changes`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

/** The command as typed: the benchmark's file relative to the repository and its flags. */
function commandLine(): string {
  const script = relative(ROOT, process.argv[1] ?? '');
  return ['npx tsx', script, ...process.argv.slice(2)].join(' ');
}
