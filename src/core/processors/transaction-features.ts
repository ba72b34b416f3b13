/**
 * Transaction features of one window (DESIGN section 6). Pure: the same events, config and
 * window give the same row in replay, in the consumer runtime and behind the UDF service.
 */
import type { ProcessorConfig } from '../models/config.ts';
import type { TransactionEvent } from '../models/events.ts';
import type { TransactionFeatures } from '../models/features.ts';
import { countDistinct } from './distinct-count.ts';
import type { WindowContext } from './window-context.ts';

/** The fields the computation reads; the UDF path passes exactly these. */
export type TransactionWindowEvent = Pick<
  TransactionEvent,
  'amount' | 'merchant_id' | 'country' | 'timestamp'
>;

const MS_PER_MINUTE = 60_000;
const merchantOf = (event: TransactionWindowEvent) => event.merchant_id;
const countryOf = (event: TransactionWindowEvent) => event.country;

export function computeTransactionFeaturesFromWindow(
  events: readonly TransactionWindowEvent[],
  config: ProcessorConfig,
  window: WindowContext,
): TransactionFeatures {
  return computeTransactionFeaturesInto(events, config, window, newTransactionFeatures());
}

/** A row for `computeTransactionFeaturesInto` to fill, its fields in schema order. */
export function newTransactionFeatures(): TransactionFeatures {
  return {
    entity_id: '',
    window_start: 0,
    window_end: 0,
    txn_count: 0,
    amount_sum: 0,
    amount_avg: 0,
    amount_max: 0,
    amount_min: 0,
    amount_std: 0,
    distinct_merchants: 0,
    distinct_countries: 0,
    high_amount_count: 0,
    velocity_score: 0,
  };
}

/**
 * The computation itself, writing every field of `row` and returning it. Replay's window thread
 * fills one row again and again (its numbers are copied out at once): a new row per window was
 * most of that thread's garbage, some 160 bytes for each of 2M windows on a 1M-event file.
 */
export function computeTransactionFeaturesInto(
  events: readonly TransactionWindowEvent[],
  config: ProcessorConfig,
  window: WindowContext,
  row: TransactionFeatures,
): TransactionFeatures {
  const n = events.length;
  if (n === 0) {
    throw new RangeError(
      `computeTransactionFeaturesFromWindow: window [${window.windowStart}, ${window.windowEnd}) of '${window.entityId}' has no events (empty windows emit no row)`,
    );
  }
  let sum = 0;
  let max = Number.NEGATIVE_INFINITY;
  let min = Number.POSITIVE_INFINITY;
  let highAmountCount = 0;
  for (const event of events) {
    const amount = event.amount;
    sum += amount;
    if (amount > max) max = amount;
    if (amount < min) min = amount;
    if (amount >= config.highAmountThreshold) highAmountCount++;
  }
  const mean = sum / n;
  // Two passes, not sum-of-squares, which cancels badly for large similar amounts. Equal amounts
  // give exactly 0 rather than the rounding residue of sum / n.
  let std = 0;
  if (max !== min) {
    let squares = 0;
    for (const event of events) {
      const deviation = event.amount - mean;
      squares += deviation * deviation;
    }
    std = Math.sqrt(squares / n);
  }
  const windowMinutes = (window.windowEnd - window.windowStart) / MS_PER_MINUTE;
  row.entity_id = window.entityId;
  row.window_start = window.windowStart;
  row.window_end = window.windowEnd;
  row.txn_count = n;
  row.amount_sum = sum;
  row.amount_avg = mean;
  row.amount_max = max;
  row.amount_min = min;
  row.amount_std = std;
  row.distinct_merchants = countDistinct(events, merchantOf);
  row.distinct_countries = countDistinct(events, countryOf);
  row.high_amount_count = highAmountCount;
  row.velocity_score = Math.min(1, n / (windowMinutes * config.velocityThresholdPerMinute));
  return row;
}

/** The seed's class form: a computer bound to one config. */
export class TransactionFeatureComputer {
  constructor(readonly config: ProcessorConfig) {}

  compute(events: readonly TransactionWindowEvent[], window: WindowContext): TransactionFeatures {
    return computeTransactionFeaturesFromWindow(events, this.config, window);
  }
}
