/** Helpers shared by the benchmarks: child-process passes, medians, the machine. */
import { execFile } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./child-measure.ts', import.meta.url));

export interface PassResult {
  mode: string;
  ms: number;
  /** CPU time of the pass, every thread, user and system. */
  cpuMs?: number;
  /** Replay on Linux: its main thread's CPU time, and its window thread's. */
  mainThreadCpuMs?: number;
  windowThreadCpuMs?: number;
  records: number;
  windows: number;
  maxRssBytes: number;
  /** Replay: the SHA-1 of the output file, taken after the pass was timed. */
  outputSha1?: string;
}

/** One pass in a fresh process; `env` is added to this process's environment. */
export async function measurePass(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<PassResult> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', CHILD, ...args], {
    maxBuffer: 1 << 20,
    env: { ...process.env, ...env },
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as PassResult;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function machineLine(): string {
  return `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}`;
}

export const formatRate = (perSecond: number) => Math.round(perSecond).toLocaleString('en-US');
