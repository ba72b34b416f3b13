/**
 * Realistic field values for one event of an entity. The entity's traits (home country,
 * currency, favourite merchants) are derived from its index, so they stay stable across a file.
 */
import type { ClickEvent, TransactionEvent } from '../core/models/events.ts';
import type { SeededRandom } from './seeded-random.ts';

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

export function transactionFor(
  random: SeededRandom,
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

export function clickFor(
  random: SeededRandom,
  userIndex: number,
  sessionNumber: number,
  sequence: number,
  timestamp: number,
): ClickEvent {
  return {
    event_id: `ev-${sequence}`,
    user_id: `user-${userIndex}`,
    session_id: `sess-${userIndex}-${sessionNumber}`,
    page: random.pick(PAGES),
    event_type: random.weighted(CLICK_TYPES, CLICK_TYPE_WEIGHTS),
    referrer: random.chance(0.4) ? random.pick(REFERRERS) : null,
    timestamp,
  };
}
