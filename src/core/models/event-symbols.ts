/**
 * The closed sets of DESIGN section 3, apart from the zod models (./events.ts) so that code on
 * the per-event path (the validators, replay's threads) can use them without loading zod, a
 * tenth of a second of CPU for each thread that starts.
 */
export const CHANNELS = ['online', 'pos', 'atm'] as const;
export const CLICK_EVENT_TYPES = [
  'page_view',
  'click',
  'add_to_cart',
  'purchase',
  'search',
] as const;
