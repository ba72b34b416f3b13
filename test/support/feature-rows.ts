/** Feature rows for sink and store tests, and unique ids so tests can share one Redis. */
import { randomBytes } from 'node:crypto';
import type { WindowedFeatureRow } from '../../src/core/jobs/job-definition.ts';

type TransactionFeatures = WindowedFeatureRow;

export const FIVE_MINUTES_MS = 5 * 60_000;
export const ONE_HOUR_MS = 60 * 60_000;

/** A prefix no other test (or earlier run) uses: tests never flush the shared Redis. */
export function uniqueId(what = 'e'): string {
  return `${what}-${randomBytes(6).toString('hex')}`;
}

/** A transaction feature row of `entity_id` for the window ending at `window_end`. */
export function txnRow(
  entity_id: string,
  window_end: number,
  overrides: Partial<TransactionFeatures> = {},
  sizeMs = FIVE_MINUTES_MS,
): TransactionFeatures {
  return {
    entity_id,
    window_start: window_end - sizeMs,
    window_end,
    txn_count: 2,
    amount_sum: 40,
    amount_avg: 20,
    amount_max: 30,
    amount_min: 10,
    amount_std: 10,
    distinct_merchants: 2,
    distinct_countries: 1,
    high_amount_count: 0,
    velocity_score: 0.2,
    ...overrides,
  };
}
