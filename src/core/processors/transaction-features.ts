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
  return {
    entity_id: window.entityId,
    window_start: window.windowStart,
    window_end: window.windowEnd,
    txn_count: n,
    amount_sum: sum,
    amount_avg: mean,
    amount_max: max,
    amount_min: min,
    amount_std: std,
    distinct_merchants: countDistinct(events, merchantOf),
    distinct_countries: countDistinct(events, countryOf),
    high_amount_count: highAmountCount,
    velocity_score: Math.min(1, n / (windowMinutes * config.velocityThresholdPerMinute)),
  };
}

/** The seed's class form: a computer bound to one config. */
export class TransactionFeatureComputer {
  constructor(readonly config: ProcessorConfig) {}

  compute(events: readonly TransactionWindowEvent[], window: WindowContext): TransactionFeatures {
    return computeTransactionFeaturesFromWindow(events, this.config, window);
  }
}
