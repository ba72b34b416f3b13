/**
 * The log lines of a feature write's exceptions: rows refused for good (each also goes to the
 * dead letter, so the log shows a few and the count) and windows written over an unreadable
 * stored window_end (repaired, counted). Bounded, so one bad batch cannot flood the log.
 */
import type { FeatureWriteResult } from './redis-feature-sink.ts';

const MAX_LINES = 5;

export function logRowOutcomes(result: FeatureWriteResult, log: (line: string) => void): void {
  const shown = result.failures.slice(0, MAX_LINES);
  for (const failure of shown) {
    log(`window ${failure.entity_id}@${failure.window_end} not written: ${failure.reason}`);
  }
  if (result.failures.length > shown.length) {
    log(
      `... and ${result.failures.length - shown.length} more windows not written (every one is in the dead letter with its reason)`,
    );
  }
  for (const repair of result.repairs.slice(0, MAX_LINES)) {
    log(`window ${repair.entity_id}@${repair.window_end} repaired: ${repair.reason}`);
  }
  if (result.repaired > Math.min(result.repairs.length, MAX_LINES)) {
    log(`${result.repaired} windows in all were written over an unreadable stored window_end`);
  }
}
