/**
 * The clickstream job: site events -> per-user windows of event counts by type, distinct pages
 * and sessions, conversion rate and the mean gap between events. Written with the public
 * `defineJob` API only, exactly as a job of your own is.
 */
import { defineJob, type SampleEvent } from '../core/jobs/define-job.ts';
import { ClickstreamFeatureComputer } from './clickstream-features.ts';

export interface ClickEvent {
  event_id: string;
  user_id: string;
  session_id: string;
  page: string;
  event_type: 'page_view' | 'click' | 'add_to_cart' | 'purchase' | 'search';
  referrer?: string | null | undefined;
  timestamp: number;
}

const CLICKSTREAM_FEATURES = new ClickstreamFeatureComputer();

export const clickstream = defineJob<ClickEvent>({
  name: 'clickstream',
  doc: 'Clickstream features of one user window: event counts by type, distinct pages and sessions, conversion rate, mean gap.',
  entity: { kind: 'user', field: 'user_id' },
  eventSchema: '../../schemas/click_event.avsc',
  featureSchema: '../../schemas/clickstream_features.avsc',
  reads: ['event_type', 'page', 'session_id', 'timestamp'],
  features: [
    { name: 'event_count', type: 'long' },
    { name: 'page_view_count', type: 'long' },
    { name: 'click_count', type: 'long' },
    { name: 'add_to_cart_count', type: 'long' },
    { name: 'purchase_count', type: 'long' },
    { name: 'distinct_pages', type: 'long' },
    { name: 'distinct_sessions', type: 'long' },
    { name: 'conversion_rate', type: 'double' },
    { name: 'avg_gap_seconds', type: 'double' },
  ],
  topics: { events: 'click.events', features: 'features.clickstream' },
  functionName: 'clickstream_features',
  dependsOnWindowBounds: false,
  compute(events, _window, row) {
    CLICKSTREAM_FEATURES.featuresInto(events, row);
  },
  sample: clickSamples,
});

const PAGES = [
  '/',
  '/search',
  '/cart',
  '/checkout',
  '/account',
  ...Array.from({ length: 40 }, (_, i) => `/product/${1000 + i}`),
  ...Array.from({ length: 8 }, (_, i) => `/category/${i}`),
] as const;
const CLICK_TYPES = ['page_view', 'click', 'search', 'add_to_cart', 'purchase'] as const;
const CLICK_TYPE_WEIGHTS = [0.5, 0.25, 0.1, 0.1, 0.05];
const REFERRERS = [
  'https://www.google.com/',
  'https://news.example.org/',
  'https://social.example.com/feed',
];
/** A user's session changes after 30 minutes of inactivity, as web analytics count them. */
const SESSION_GAP_MS = 30 * 60_000;

/** Sample click events of one stream: each user's sessions are followed across the stream. */
function clickSamples(): SampleEvent<ClickEvent> {
  const sessions = new Map<number, { number: number; lastMs: number }>();
  const sessionNumber = (user: number, timestamp: number): number => {
    const session = sessions.get(user);
    if (session === undefined) {
      sessions.set(user, { number: 0, lastMs: timestamp });
      return 0;
    }
    if (timestamp - session.lastMs > SESSION_GAP_MS) session.number++;
    session.lastMs = Math.max(session.lastMs, timestamp);
    return session.number;
  };
  return (random, userIndex, sequence, timestamp) => {
    const session = sessionNumber(userIndex, timestamp);
    return {
      event_id: `ev-${sequence}`,
      user_id: `user-${userIndex}`,
      session_id: `sess-${userIndex}-${session}`,
      page: random.pick(PAGES),
      event_type: random.weighted(CLICK_TYPES, CLICK_TYPE_WEIGHTS),
      referrer: random.chance(0.4) ? random.pick(REFERRERS) : null,
      timestamp,
    };
  };
}
