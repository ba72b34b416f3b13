/**
 * Waiting for a started service to become ready: poll its probe until it passes, the process
 * dies, or the time is up. Both failures name the log file and show its last lines.
 */
import { FeatureflowError } from '../core/errors.ts';
import { tailOfFile } from './log-tail.ts';
import type { Probe, ProbeResult } from './probes.ts';

export interface WaitOptions {
  /** What the user calls it: "Kafka", "Flink TaskManager". */
  service: string;
  probe: Probe;
  timeoutMs: number;
  /** Where to look when it fails. */
  logFiles: readonly string[];
  /** Reports the process's exit once it has died (see processes.ts `Launched.exit`). */
  exited?: () => string | undefined;
  intervalMs?: number;
  signal?: AbortSignal;
}

/** Resolves with the passing probe's result; rejects with a FeatureflowError otherwise. */
export async function waitUntilReady(options: WaitOptions): Promise<ProbeResult & { ok: true }> {
  const interval = options.intervalMs ?? 250;
  const deadline = Date.now() + options.timeoutMs;
  let last: ProbeResult = { ok: false, reason: 'not checked yet' };
  for (;;) {
    if (options.signal?.aborted) {
      throw new FeatureflowError(
        'failed_precondition',
        `interrupted while waiting for ${options.service}`,
      );
    }
    last = await options.probe();
    if (last.ok) return last;
    const exit = options.exited?.();
    if (exit !== undefined) {
      throw new FeatureflowError(
        'unavailable',
        `${options.service} stopped during startup (${exit}); see ${describeLogs(options.logFiles)}`,
        { context: { service: options.service, logFiles: options.logFiles } },
      );
    }
    if (Date.now() >= deadline) {
      throw new FeatureflowError(
        'timeout',
        `${options.service} was not ready after ${Math.round(options.timeoutMs / 1000)} s (last check: ${last.reason}); see ${describeLogs(options.logFiles)}\n(a slow machine may need a longer --timeout)`,
        { context: { service: options.service, logFiles: options.logFiles } },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

function describeLogs(files: readonly string[]): string {
  return files.map((file) => `${file}, ending:\n${tailOfFile(file, 12)}`).join('\nand ');
}
