/**
 * Clickstream features of one window (DESIGN section 6). Pure, like the transaction features.
 */
import type { ProcessorConfig } from '../models/config.ts';
import type { ClickEvent } from '../models/events.ts';
import type { ClickstreamFeatures } from '../models/features.ts';
import { countDistinct } from './distinct-count.ts';
import type { WindowContext } from './window-context.ts';

const pageOf = (event: ClickWindowEvent) => event.page;
const sessionOf = (event: ClickWindowEvent) => event.session_id;

/** The fields the computation reads; the UDF path passes exactly these. */
export type ClickWindowEvent = Pick<ClickEvent, 'event_type' | 'page' | 'session_id' | 'timestamp'>;

export function computeClickstreamFeaturesFromWindow(
  events: readonly ClickWindowEvent[],
  config: ProcessorConfig,
  window: WindowContext,
): ClickstreamFeatures {
  return computeClickstreamFeaturesInto(events, config, window, newClickstreamFeatures());
}

/** A row for `computeClickstreamFeaturesInto` to fill, its fields in schema order. */
export function newClickstreamFeatures(): ClickstreamFeatures {
  return {
    entity_id: '',
    window_start: 0,
    window_end: 0,
    event_count: 0,
    page_view_count: 0,
    click_count: 0,
    add_to_cart_count: 0,
    purchase_count: 0,
    distinct_pages: 0,
    distinct_sessions: 0,
    conversion_rate: 0,
    avg_gap_seconds: 0,
  };
}

/** The computation itself, writing every field of `row` and returning it (see the transactions'). */
export function computeClickstreamFeaturesInto(
  events: readonly ClickWindowEvent[],
  _config: ProcessorConfig,
  window: WindowContext,
  row: ClickstreamFeatures,
): ClickstreamFeatures {
  const n = events.length;
  if (n === 0) {
    throw new RangeError(
      `computeClickstreamFeaturesFromWindow: window [${window.windowStart}, ${window.windowEnd}) of '${window.entityId}' has no events (empty windows emit no row)`,
    );
  }
  let pageViews = 0;
  let clicks = 0;
  let addToCarts = 0;
  let purchases = 0;
  let minTime = Number.POSITIVE_INFINITY;
  let maxTime = Number.NEGATIVE_INFINITY;
  for (const event of events) {
    switch (event.event_type) {
      case 'page_view':
        pageViews++;
        break;
      case 'click':
        clicks++;
        break;
      case 'add_to_cart':
        addToCarts++;
        break;
      case 'purchase':
        purchases++;
        break;
      // 'search' counts only towards event_count.
    }
    if (event.timestamp < minTime) minTime = event.timestamp;
    if (event.timestamp > maxTime) maxTime = event.timestamp;
  }
  row.entity_id = window.entityId;
  row.window_start = window.windowStart;
  row.window_end = window.windowEnd;
  row.event_count = n;
  row.page_view_count = pageViews;
  row.click_count = clicks;
  row.add_to_cart_count = addToCarts;
  row.purchase_count = purchases;
  row.distinct_pages = countDistinct(events, pageOf);
  row.distinct_sessions = countDistinct(events, sessionOf);
  row.conversion_rate = pageViews === 0 ? 0 : purchases / pageViews;
  row.avg_gap_seconds = n < 2 ? 0 : (maxTime - minTime) / (n - 1) / 1000;
  return row;
}

/** The seed's class form: a computer bound to one config. */
export class ClickstreamFeatureComputer {
  constructor(readonly config: ProcessorConfig) {}

  compute(events: readonly ClickWindowEvent[], window: WindowContext): ClickstreamFeatures {
    return computeClickstreamFeaturesFromWindow(events, this.config, window);
  }
}
