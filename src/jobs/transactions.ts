/**
 * The transactions job: card transactions -> per-card windows of counts, amount statistics,
 * distinct merchants and countries, and velocity. Written with the public `defineJob` API only,
 * exactly as a job of your own is.
 */
import { defineJob, type SampleRandom } from '../core/jobs/define-job.ts';
import { TransactionFeatureComputer } from './transaction-features.ts';

export interface TransactionEvent {
  transaction_id: string;
  card_id: string;
  user_id: string;
  merchant_id: string;
  merchant_category: string;
  amount: number;
  currency: string;
  country: string;
  channel: 'online' | 'pos' | 'atm';
  timestamp: number;
}

/**
 * The largest amount magnitude a valid transaction has. Far above any real payment, and far
 * enough below Number.MAX_VALUE that no sum, mean or deviation over a window can overflow to
 * Infinity: every runtime (replay, the consumer, the UDF service, the pure-SQL Flink jobs) then
 * computes the same finite features, and a larger amount is invalid (`out_of_range`) everywhere.
 */
export const MAX_ABS_AMOUNT = 1e15;

const MS_PER_MINUTE = 60_000;
/** The default thresholds (docs/features.md): high amount 1000.0, velocity 2.0 per minute. */
const TRANSACTION_FEATURES = new TransactionFeatureComputer();

export const transactions = defineJob<TransactionEvent>({
  name: 'transactions',
  doc: 'Transaction features of one card window: counts, amount statistics, distinct merchants and countries, velocity.',
  entity: { kind: 'card', field: 'card_id' },
  eventSchema: '../../schemas/transaction_event.avsc',
  featureSchema: '../../schemas/transaction_features.avsc',
  reads: ['amount', 'merchant_id', 'country', 'timestamp'],
  features: [
    { name: 'txn_count', type: 'long' },
    { name: 'amount_sum', type: 'double' },
    { name: 'amount_avg', type: 'double' },
    { name: 'amount_max', type: 'double' },
    { name: 'amount_min', type: 'double' },
    { name: 'amount_std', type: 'double' },
    { name: 'distinct_merchants', type: 'long' },
    { name: 'distinct_countries', type: 'long' },
    { name: 'high_amount_count', type: 'long' },
    { name: 'velocity_score', type: 'double' },
  ],
  rules: {
    currency: { length: 3, reason: 'bad_currency', hint: 'ISO 4217, e.g. "EUR"' },
    amount: {
      maxAbs: MAX_ABS_AMOUNT,
      reason: 'out_of_range',
      hint: 'a payment amount; larger ones would overflow window sums',
    },
  },
  topics: { events: 'txn.events', features: 'features.transactions' },
  functionName: 'transaction_features',
  // velocity_score reads the window's size, which every window of a run shares, not its bounds.
  dependsOnWindowBounds: false,
  compute(events, window, row) {
    const windowMinutes = (window.windowEnd - window.windowStart) / MS_PER_MINUTE;
    TRANSACTION_FEATURES.featuresInto(events, windowMinutes, row);
  },
  sample: () => transactionSample,
});

const COUNTRIES = ['DE', 'FR', 'GB', 'US', 'NL', 'ES', 'IT', 'PL', 'SE', 'BR'] as const;
const CURRENCY_OF: Record<string, string> = {
  GB: 'GBP',
  US: 'USD',
  PL: 'PLN',
  SE: 'SEK',
  BR: 'BRL',
};
const CATEGORIES = [
  'grocery',
  'fuel',
  'restaurants',
  'travel',
  'electronics',
  'fashion',
  'pharmacy',
  'gaming',
] as const;
const CHANNEL_WEIGHTS = [0.55, 0.4, 0.05];

/**
 * One realistic transaction of card `cardIndex`. The card's traits (home country, currency,
 * favourite merchants) are derived from its index, so they stay stable across a file.
 */
function transactionSample(
  random: SampleRandom,
  cardIndex: number,
  sequence: number,
  timestamp: number,
): TransactionEvent {
  const home = COUNTRIES[cardIndex % COUNTRIES.length]!;
  // Mostly at home; sometimes abroad, which fraud features look for.
  const country = random.chance(0.05) ? random.pick(COUNTRIES) : home;
  const merchant = random.chance(0.7)
    ? `m-${(cardIndex * 7 + random.int(5)) % 5000}`
    : `m-${random.int(5000)}`;
  return {
    transaction_id: `tx-${sequence}`,
    card_id: `card-${cardIndex}`,
    user_id: `user-${Math.floor(cardIndex / 2)}`,
    merchant_id: merchant,
    merchant_category: CATEGORIES[(cardIndex + random.int(3)) % CATEGORIES.length]!,
    amount: Math.round(random.logNormal(35, 1.2) * 100) / 100,
    currency: CURRENCY_OF[home] ?? 'EUR',
    country,
    channel: random.weighted(['pos', 'online', 'atm'] as const, CHANNEL_WEIGHTS),
    timestamp,
  };
}
