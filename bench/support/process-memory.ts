/**
 * Another process's memory, from /proc (Linux): its RSS, its peak RSS since the last reset, and
 * its idle RSS once it has settled after a load.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const MIB = 1024 * 1024;
/** Longest wait after a load for RSS to settle. */
const SETTLE_MAX_MS = 30_000;
/** RSS has settled when it moved less than SETTLE_BYTES over the last SETTLE_SAMPLES seconds. */
const SETTLE_BYTES = 2 * MIB;
const SETTLE_SAMPLES = 5;

export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') * 1024, peak: kb('VmHWM') * 1024 };
}

/** Resets the process's peak RSS (VmHWM) to its current RSS. */
export function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/**
 * Polls RSS every second until it stops moving (or SETTLE_MAX_MS pass): the last sample, and how
 * long settling took. `alive` stops the polling of a process that died.
 */
export async function settledRss(
  pid: number,
  alive: () => boolean,
): Promise<{ rss: number; seconds: number }> {
  const started = performance.now();
  const samples: number[] = [];
  while (alive()) {
    samples.push(memoryOf(pid).rss);
    const recent = samples.slice(-SETTLE_SAMPLES);
    const settled =
      recent.length === SETTLE_SAMPLES && Math.max(...recent) - Math.min(...recent) < SETTLE_BYTES;
    if (settled || performance.now() - started >= SETTLE_MAX_MS) break;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  return { rss: samples.at(-1) ?? Number.NaN, seconds: (performance.now() - started) / 1000 };
}
