/**
 * The clickstream features of one user window, exactly as docs/features.md defines them. The
 * clickstream job's `compute` runs this computer; `computeClickstreamFeaturesFromWindow` is
 * the same arithmetic for a caller holding a list of events.
 */
import type { FeatureNamesOf, FeatureValues } from '../core/jobs/define-job.ts';
import { countDistinct } from '../core/processors/distinct-count.ts';
import type { WindowContext } from '../core/processors/window-context.ts';
import type { ClickEvent } from './clickstream.ts';
import { type ProcessorConfig, resolveProcessorConfig } from './processor-config.ts';
import { windowOfEvents } from './window-of-events.ts';

/** One feature row of the clickstream job (`schemas/clickstream_features.avsc`). */
export interface ClickstreamFeatures {
  entity_id: string;
  window_start: number;
  window_end: number;
  event_count: number;
  page_view_count: number;
  click_count: number;
  add_to_cart_count: number;
  purchase_count: number;
  distinct_pages: number;
  distinct_sessions: number;
  conversion_rate: number;
  avg_gap_seconds: number;
}

export type ClickstreamFeatureName = FeatureNamesOf<ClickstreamFeatures>;

const MS_PER_MINUTE = 60_000;
const pageOf = (event: ClickEvent) => event.page;
const sessionOf = (event: ClickEvent) => event.session_id;

export class ClickstreamFeatureComputer {
  /** The features of a window holding `events` (at least one), into `row`. */
  featuresInto(events: readonly ClickEvent[], row: FeatureValues<ClickstreamFeatureName>): void {
    const n = events.length;
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
    row.event_count = n;
    row.page_view_count = pageViews;
    row.click_count = clicks;
    row.add_to_cart_count = addToCarts;
    row.purchase_count = purchases;
    row.distinct_pages = countDistinct(events, pageOf);
    row.distinct_sessions = countDistinct(events, sessionOf);
    row.conversion_rate = pageViews === 0 ? 0 : purchases / pageViews;
    row.avg_gap_seconds = n < 2 ? 0 : (maxTime - minTime) / (n - 1) / 1000;
  }

  /** The row of `window` holding `events` (at least one). */
  compute(events: readonly ClickEvent[], window: WindowContext): ClickstreamFeatures {
    const row = {
      entity_id: window.entityId,
      window_start: window.windowStart,
      window_end: window.windowEnd,
    } as ClickstreamFeatures;
    this.featuresInto(events, row);
    return row;
  }
}

/**
 * The features of one user's events as a window of `config.windowSizeMinutes` starting at the
 * earliest event (see ./window-of-events.ts).
 */
export function computeClickstreamFeaturesFromWindow(
  events: readonly ClickEvent[],
  config: Partial<ProcessorConfig> = {},
): ClickstreamFeatures {
  const { windowSizeMinutes } = resolveProcessorConfig(config);
  const window = windowOfEvents(
    events,
    (event) => event.user_id,
    windowSizeMinutes * MS_PER_MINUTE,
    'user_id',
  );
  return new ClickstreamFeatureComputer().compute(events, window);
}
