/**
 * The feature columns of DESIGN section 6 (everything after the window bounds), in schema
 * order, apart from the zod models (./features.ts) so that replay's window thread can use them
 * without loading zod. features.spec.ts holds them to the models' keys.
 */
import type { ClickstreamFeatures, TransactionFeatures } from './features.ts';

export const TRANSACTION_FEATURE_NAMES = Object.freeze([
  'txn_count',
  'amount_sum',
  'amount_avg',
  'amount_max',
  'amount_min',
  'amount_std',
  'distinct_merchants',
  'distinct_countries',
  'high_amount_count',
  'velocity_score',
] as const) satisfies readonly (keyof TransactionFeatures)[];

export const CLICKSTREAM_FEATURE_NAMES = Object.freeze([
  'event_count',
  'page_view_count',
  'click_count',
  'add_to_cart_count',
  'purchase_count',
  'distinct_pages',
  'distinct_sessions',
  'conversion_rate',
  'avg_gap_seconds',
] as const) satisfies readonly (keyof ClickstreamFeatures)[];

/** What every feature row has, whatever its job. */
export interface WindowedFeatureRow {
  entity_id: string;
  window_start: number;
  window_end: number;
  [feature: string]: string | number;
}
