// The common-case checks say "valid" exactly when the declaration (zod) does, so that a valid
// event never takes the slow path and an invalid one never skips it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPlainlyValidClick, isPlainlyValidTransaction } from './event-validation.ts';
import { ClickEventSchema, TransactionEventSchema } from './events.ts';

const transaction = {
  transaction_id: 't1',
  card_id: 'c1',
  user_id: 'u1',
  merchant_id: 'm1',
  merchant_category: 'grocery',
  amount: 10.5,
  currency: 'EUR',
  country: 'DE',
  channel: 'pos',
  timestamp: 1_700_000_000_000,
};
const click = {
  event_id: 'e1',
  user_id: 'u1',
  session_id: 's1',
  page: '/home',
  event_type: 'page_view',
  referrer: null,
  timestamp: 1_700_000_000_000,
};

const fieldValue = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.constantFrom('online', 'atm', 'purchase', 'search', 'USD', '', 'toString', '__proto__'),
  fc.double(),
  fc.integer({ min: -5, max: 2_000_000_000_000 }),
  fc.constantFrom(null, undefined, true, [], {}, Number.MAX_SAFE_INTEGER + 2, -0, 0.5),
);

function mutated(base: Record<string, unknown>) {
  return fc
    .array(fc.tuple(fc.constantFrom(...Object.keys(base)), fieldValue), { maxLength: 2 })
    .map((patches) => {
      const copy: Record<string, unknown> = { ...base };
      for (const [key, value] of patches) {
        if (value === undefined) delete copy[key];
        else copy[key] = value;
      }
      return copy;
    });
}

describe('common-case validity checks', () => {
  it('transactions', () => {
    fc.assert(
      fc.property(mutated(transaction), (event) => {
        expect(isPlainlyValidTransaction(event)).toBe(
          TransactionEventSchema.safeParse(event).success,
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('clicks', () => {
    fc.assert(
      fc.property(mutated(click), (event) => {
        expect(isPlainlyValidClick(event)).toBe(ClickEventSchema.safeParse(event).success);
      }),
      { numRuns: 3000 },
    );
  });
});
