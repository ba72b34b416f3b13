/**
 * The numbers of a feature row as replay packs them (./packed-rows.ts): window_start,
 * window_end, then the features in schema order, read by name, one function per job.
 *
 * Why by name: a double field read through a computed key (`row[key]` in a loop over the keys)
 * comes back boxed, a new heap number for each of the 8 doubles of a transaction row; with 2M
 * rows that was about 320 MB of garbage, a third of the window thread's. Read by name, the
 * optimizing compiler loads the double itself. packed-rows.spec.ts holds these to the keys.
 */
import type { JobName } from '../core/models/config.ts';
import type { ClickstreamFeatures, TransactionFeatures } from '../core/models/features.ts';

/** Writes the row's numbers into `into` from `at`; false (nothing reliable written) if one is not a number. */
export type FeatureRowNumbers = (row: object, into: Float64Array, at: number) => boolean;

type Fields<T> = { readonly [K in keyof T]?: unknown };

function transactionRowNumbers(row: object, into: Float64Array, at: number): boolean {
  const {
    window_start,
    window_end,
    txn_count,
    amount_sum,
    amount_avg,
    amount_max,
    amount_min,
    amount_std,
    distinct_merchants,
    distinct_countries,
    high_amount_count,
    velocity_score,
  } = row as Fields<TransactionFeatures>;
  if (
    typeof window_start !== 'number' ||
    typeof window_end !== 'number' ||
    typeof txn_count !== 'number' ||
    typeof amount_sum !== 'number' ||
    typeof amount_avg !== 'number' ||
    typeof amount_max !== 'number' ||
    typeof amount_min !== 'number' ||
    typeof amount_std !== 'number' ||
    typeof distinct_merchants !== 'number' ||
    typeof distinct_countries !== 'number' ||
    typeof high_amount_count !== 'number' ||
    typeof velocity_score !== 'number'
  ) {
    return false;
  }
  into[at] = window_start;
  into[at + 1] = window_end;
  into[at + 2] = txn_count;
  into[at + 3] = amount_sum;
  into[at + 4] = amount_avg;
  into[at + 5] = amount_max;
  into[at + 6] = amount_min;
  into[at + 7] = amount_std;
  into[at + 8] = distinct_merchants;
  into[at + 9] = distinct_countries;
  into[at + 10] = high_amount_count;
  into[at + 11] = velocity_score;
  return true;
}

function clickstreamRowNumbers(row: object, into: Float64Array, at: number): boolean {
  const {
    window_start,
    window_end,
    event_count,
    page_view_count,
    click_count,
    add_to_cart_count,
    purchase_count,
    distinct_pages,
    distinct_sessions,
    conversion_rate,
    avg_gap_seconds,
  } = row as Fields<ClickstreamFeatures>;
  if (
    typeof window_start !== 'number' ||
    typeof window_end !== 'number' ||
    typeof event_count !== 'number' ||
    typeof page_view_count !== 'number' ||
    typeof click_count !== 'number' ||
    typeof add_to_cart_count !== 'number' ||
    typeof purchase_count !== 'number' ||
    typeof distinct_pages !== 'number' ||
    typeof distinct_sessions !== 'number' ||
    typeof conversion_rate !== 'number' ||
    typeof avg_gap_seconds !== 'number'
  ) {
    return false;
  }
  into[at] = window_start;
  into[at + 1] = window_end;
  into[at + 2] = event_count;
  into[at + 3] = page_view_count;
  into[at + 4] = click_count;
  into[at + 5] = add_to_cart_count;
  into[at + 6] = purchase_count;
  into[at + 7] = distinct_pages;
  into[at + 8] = distinct_sessions;
  into[at + 9] = conversion_rate;
  into[at + 10] = avg_gap_seconds;
  return true;
}

export const FEATURE_ROW_NUMBERS: Readonly<Record<JobName, FeatureRowNumbers>> = Object.freeze({
  transactions: transactionRowNumbers,
  clickstream: clickstreamRowNumbers,
});
