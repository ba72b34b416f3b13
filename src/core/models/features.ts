/**
 * The feature rows of DESIGN section 6: one row per fired window of one entity. Field order is
 * the order of schemas/transaction_features.avsc and schemas/clickstream_features.avsc (a test
 * holds them together), and the order in which rows are written as NDJSON.
 */
import { z } from 'zod';
import {
  CLICKSTREAM_FEATURE_NAMES,
  TRANSACTION_FEATURE_NAMES,
  type WindowedFeatureRow,
} from './feature-names.ts';

const count = z.number().int().nonnegative();
const windowBounds = {
  entity_id: z.string().min(1),
  window_start: z.number().int(),
  window_end: z.number().int(),
};

export const TransactionFeaturesSchema = z.object({
  ...windowBounds,
  txn_count: count,
  amount_sum: z.number(),
  amount_avg: z.number(),
  amount_max: z.number(),
  amount_min: z.number(),
  amount_std: z.number().nonnegative(),
  distinct_merchants: count,
  distinct_countries: count,
  high_amount_count: count,
  velocity_score: z.number().min(0).max(1),
});

export const ClickstreamFeaturesSchema = z.object({
  ...windowBounds,
  event_count: count,
  page_view_count: count,
  click_count: count,
  add_to_cart_count: count,
  purchase_count: count,
  distinct_pages: count,
  distinct_sessions: count,
  conversion_rate: z.number().nonnegative(),
  avg_gap_seconds: z.number().nonnegative(),
});

export type TransactionFeatures = z.infer<typeof TransactionFeaturesSchema>;
export type ClickstreamFeatures = z.infer<typeof ClickstreamFeaturesSchema>;

export { CLICKSTREAM_FEATURE_NAMES, TRANSACTION_FEATURE_NAMES, type WindowedFeatureRow };
