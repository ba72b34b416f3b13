/**
 * Writes feature rows until each one is settled: written, stale, or refused for good (then it
 * is in `failures` for the caller's dead letter). Rows Redis cannot take for now (a lost
 * connection, OOM, READONLY, LOADING, BUSY...: redis-reply-errors.ts) are re-sent with capped
 * exponential backoff, and only those: rows already written are not sent again. The caller
 * commits its offsets after this resolves, so no offset moves past a row still waiting.
 */
import { describeError } from '../errors.ts';
import type { WindowedFeatureRow } from '../jobs/job-definition.ts';
import {
  emptyWriteResult,
  type FeatureSink,
  type FeatureWriteResult,
} from './redis-feature-sink.ts';
import type { FeatureTarget } from './window-batch.ts';

export interface WriteUntilDoneOptions {
  /** Where the waiting is reported: the first retry, then at most once per `logIntervalMs`. */
  log: (line: string) => void;
  /** Called before each wait, e.g. to keep a consumer group session alive. */
  onRetry?: () => Promise<void> | void;
  /** Give up (rethrow the pending error) once this says so, e.g. on shutdown. Default: never. */
  shouldStop?: () => boolean;
  initialDelayMs?: number;
  maxDelayMs?: number;
  logIntervalMs?: number;
}

export const WRITE_RETRY_DEFAULTS = Object.freeze({
  initialDelayMs: 200,
  maxDelayMs: 5_000,
  logIntervalMs: 10_000,
});

export async function writeFeaturesUntilDone(
  sink: FeatureSink,
  rows: readonly WindowedFeatureRow[],
  target: FeatureTarget,
  options: WriteUntilDoneOptions,
): Promise<FeatureWriteResult> {
  const maxDelayMs = options.maxDelayMs ?? WRITE_RETRY_DEFAULTS.maxDelayMs;
  const logIntervalMs = options.logIntervalMs ?? WRITE_RETRY_DEFAULTS.logIntervalMs;
  let delayMs = options.initialDelayMs ?? WRITE_RETRY_DEFAULTS.initialDelayMs;
  const total = emptyWriteResult();
  let pending: readonly WindowedFeatureRow[] = rows;
  let lastLogMs = Number.NEGATIVE_INFINITY;
  let unreported = 0;
  for (let attempt = 1; ; attempt++) {
    const { result, pending: left, pendingError } = await sink.writeOnce(pending, target);
    add(total, result);
    if (pendingError === undefined) {
      if (attempt > 1) {
        options.log(
          `Redis took the ${pending.length} waiting windows on attempt ${attempt} (${rows.length} in this write)`,
        );
      }
      return total;
    }
    if (options.shouldStop?.()) throw pendingError;
    pending = left;
    unreported++;
    const now = Date.now();
    if (now - lastLogMs >= logIntervalMs) {
      const quiet = unreported > 1 ? `, ${unreported - 1} retries since the last report` : '';
      options.log(
        `${pending.length} of ${rows.length} windows wait for Redis (attempt ${attempt}${quiet}): ${describeError(pendingError)}; retrying in ${delayMs} ms, offsets stay uncommitted until they are written`,
      );
      lastLogMs = now;
      unreported = 0;
    }
    await options.onRetry?.();
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    delayMs = Math.min(maxDelayMs, delayMs * 2);
  }
}

function add(total: FeatureWriteResult, result: FeatureWriteResult): void {
  total.written += result.written;
  total.stale += result.stale;
  total.failed += result.failed;
  for (const failure of result.failures) total.failures.push(failure);
  total.repaired += result.repaired;
  for (const repair of result.repairs) if (total.repairs.length < 10) total.repairs.push(repair);
}
