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
  _config: ProcessorConfig,
  window: WindowContext,
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
  return {
    entity_id: window.entityId,
    window_start: window.windowStart,
    window_end: window.windowEnd,
    event_count: n,
    page_view_count: pageViews,
    click_count: clicks,
    add_to_cart_count: addToCarts,
    purchase_count: purchases,
    distinct_pages: countDistinct(events, pageOf),
    distinct_sessions: countDistinct(events, sessionOf),
    conversion_rate: pageViews === 0 ? 0 : purchases / pageViews,
    avg_gap_seconds: n < 2 ? 0 : (maxTime - minTime) / (n - 1) / 1000,
  };
}

/** The seed's class form: a computer bound to one config. */
export class ClickstreamFeatureComputer {
  constructor(readonly config: ProcessorConfig) {}

  compute(events: readonly ClickWindowEvent[], window: WindowContext): ClickstreamFeatures {
    return computeClickstreamFeaturesFromWindow(events, this.config, window);
  }
}
