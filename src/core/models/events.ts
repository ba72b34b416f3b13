/**
 * The two event types of DESIGN section 3, as zod models (the declaration, checked against
 * schemas/*.avsc by a test) and as TypeScript types. The per-event hot path does not call zod:
 * it uses the hand-written validators in ./event-validation.ts, which a test holds to these
 * models on generated input.
 */
import { z } from 'zod';
import { CHANNELS, CLICK_EVENT_TYPES } from './event-symbols.ts';

export { CHANNELS, CLICK_EVENT_TYPES };

const nonEmpty = z.string().min(1);
const eventTime = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const TransactionEventSchema = z.object({
  transaction_id: nonEmpty,
  card_id: nonEmpty,
  user_id: nonEmpty,
  merchant_id: nonEmpty,
  merchant_category: nonEmpty,
  amount: z.number().finite(),
  currency: z.string().length(3),
  country: nonEmpty,
  channel: z.enum(CHANNELS),
  timestamp: eventTime,
});

export const ClickEventSchema = z.object({
  event_id: nonEmpty,
  user_id: nonEmpty,
  session_id: nonEmpty,
  page: nonEmpty,
  event_type: z.enum(CLICK_EVENT_TYPES),
  referrer: z.string().nullable().optional(),
  timestamp: eventTime,
});

export type TransactionEvent = z.infer<typeof TransactionEventSchema>;
export type ClickEvent = z.infer<typeof ClickEventSchema>;
export type Channel = (typeof CHANNELS)[number];
export type ClickEventType = (typeof CLICK_EVENT_TYPES)[number];
