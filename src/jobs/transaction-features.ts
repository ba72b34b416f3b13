/**
 * The transaction features of one card window, exactly as docs/features.md defines them. The
 * transactions job's `compute` runs this computer; `computeTransactionFeaturesFromWindow` is
 * the same arithmetic for a caller holding a list of events.
 */
import type { FeatureNamesOf, FeatureValues } from '../core/jobs/define-job.ts';
import { countDistinct } from '../core/processors/distinct-count.ts';
import type { WindowContext } from '../core/processors/window-context.ts';
import { type ProcessorConfig, resolveProcessorConfig } from './processor-config.ts';
import type { TransactionEvent } from './transactions.ts';
import { windowOfEvents } from './window-of-events.ts';

/** One feature row of the transactions job (`schemas/transaction_features.avsc`). */
export interface TransactionFeatures {
  entity_id: string;
  window_start: number;
  window_end: number;
  txn_count: number;
  amount_sum: number;
  amount_avg: number;
  amount_max: number;
  amount_min: number;
  amount_std: number;
  distinct_merchants: number;
  distinct_countries: number;
  high_amount_count: number;
  velocity_score: number;
}

export type TransactionFeatureName = FeatureNamesOf<TransactionFeatures>;

const MS_PER_MINUTE = 60_000;
const merchantOf = (event: TransactionEvent) => event.merchant_id;
const countryOf = (event: TransactionEvent) => event.country;

export class TransactionFeatureComputer {
  readonly config: ProcessorConfig;

  constructor(config: Partial<ProcessorConfig> = {}) {
    this.config = resolveProcessorConfig(config);
  }

  /** The features of a window of `windowMinutes` holding `events` (at least one), into `row`. */
  featuresInto(
    events: readonly TransactionEvent[],
    windowMinutes: number,
    row: FeatureValues<TransactionFeatureName>,
  ): void {
    const n = events.length;
    const highAmount = this.config.highAmountThreshold;
    let sum = 0;
    let max = Number.NEGATIVE_INFINITY;
    let min = Number.POSITIVE_INFINITY;
    let highAmountCount = 0;
    for (const event of events) {
      const amount = event.amount;
      sum += amount;
      if (amount > max) max = amount;
      if (amount < min) min = amount;
      if (amount >= highAmount) highAmountCount++;
    }
    const mean = sum / n;
    // Two passes, not sum-of-squares, which cancels badly for large similar amounts. Equal
    // amounts give exactly 0 rather than the rounding residue of sum / n.
    let std = 0;
    if (max !== min) {
      let squares = 0;
      for (const event of events) {
        const deviation = event.amount - mean;
        squares += deviation * deviation;
      }
      std = Math.sqrt(squares / n);
    }
    row.txn_count = n;
    row.amount_sum = sum;
    row.amount_avg = mean;
    row.amount_max = max;
    row.amount_min = min;
    row.amount_std = std;
    row.distinct_merchants = countDistinct(events, merchantOf);
    row.distinct_countries = countDistinct(events, countryOf);
    row.high_amount_count = highAmountCount;
    row.velocity_score = Math.min(1, n / (windowMinutes * this.config.velocityThresholdPerMinute));
  }

  /** The row of `window` holding `events` (at least one). */
  compute(events: readonly TransactionEvent[], window: WindowContext): TransactionFeatures {
    const row = {
      entity_id: window.entityId,
      window_start: window.windowStart,
      window_end: window.windowEnd,
    } as TransactionFeatures;
    this.featuresInto(events, (window.windowEnd - window.windowStart) / MS_PER_MINUTE, row);
    return row;
  }
}

/**
 * The features of one card's events as a window of `config.windowSizeMinutes` starting at the
 * earliest event (see ./window-of-events.ts): one 100.0 transaction in 5 minutes gives
 * txn_count 1, amount_sum 100, velocity_score 0.1.
 */
export function computeTransactionFeaturesFromWindow(
  events: readonly TransactionEvent[],
  config: Partial<ProcessorConfig> = {},
): TransactionFeatures {
  const computer = new TransactionFeatureComputer(config);
  const window = windowOfEvents(
    events,
    (event) => event.card_id,
    computer.config.windowSizeMinutes * MS_PER_MINUTE,
    'card_id',
  );
  return computer.compute(events, window);
}
