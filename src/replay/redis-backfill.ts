/**
 * `featureflow replay --redis <url>`: the replay's feature rows -> newest window per (entity,
 * label) -> FeatureSink, the same script the live sink runs. The script keeps the newer of the
 * stored and the written window, so a backfill fills entities Redis lacks or holds older
 * windows of, and never puts an older window over a newer live one.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { FeatureflowError } from '../core/errors.ts';
import type { JobDefinition, WindowedFeatureRow } from '../core/jobs/job-definition.ts';
import { createFeatureSink, type FeatureWriteResult } from '../core/sinks/redis-feature-sink.ts';
import { logRowOutcomes } from '../core/sinks/row-outcomes-log.ts';
import { writeFeaturesUntilDone } from '../core/sinks/write-until-done.ts';

export interface RedisBackfillOptions {
  /** The replay's NDJSON output: one feature row per line. */
  rowsPath: string;
  job: JobDefinition;
  redisUrl: string;
  log: (line: string) => void;
  /** How long to keep retrying while Redis cannot take writes before giving up. */
  maxWaitMs?: number;
}

export interface RedisBackfillSummary {
  /** Rows in the file; only the newest per entity and label is sent. */
  rows: number;
  sent: number;
  result: FeatureWriteResult;
  redisUrl: string;
}

const DEFAULT_MAX_WAIT_MS = 60_000;

export async function backfillRedis(options: RedisBackfillOptions): Promise<RedisBackfillSummary> {
  const { rows, newest } = await newestWindows(options.rowsPath);
  const sink = createFeatureSink({ redisUrl: options.redisUrl });
  const giveUpAt = Date.now() + (options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS);
  try {
    const result = await writeFeaturesUntilDone(sink, newest, options.job, {
      log: options.log,
      shouldStop: () => Date.now() >= giveUpAt,
    });
    logRowOutcomes(result, options.log);
    return { rows, sent: newest.length, result, redisUrl: sink.displayUrl };
  } finally {
    await sink.close();
  }
}

/** The newest row per (label, entity) of the file, in the order first seen. */
async function newestWindows(
  path: string,
): Promise<{ rows: number; newest: WindowedFeatureRow[] }> {
  const newest = new Map<string, WindowedFeatureRow>();
  let rows = 0;
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    rows++;
    let row: WindowedFeatureRow;
    try {
      row = JSON.parse(line) as WindowedFeatureRow;
    } catch (error) {
      throw new FeatureflowError(
        'io_failed',
        `feature row ${rows} of ${path} is not JSON: ${String(error)} (the replay output was changed or cut short; run the replay again)`,
        { cause: error, context: { path } },
      );
    }
    const key = `${row.window_end - row.window_start}\u0000${row.entity_id}`;
    const current = newest.get(key);
    if (current === undefined || row.window_end >= current.window_end) newest.set(key, row);
  }
  return { rows, newest: [...newest.values()] };
}
