// Every kind of invalid event is caught with its reason, and the fast validators (and their
// common-case checks) give the same verdicts as the zod models (the declaration) on generated input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isPlainlyValidClick,
  isPlainlyValidTransaction,
  validateClickEvent,
  validateTransactionEvent,
} from '../../src/core/models/event-validation.ts';
import { ClickEventSchema, TransactionEventSchema } from '../../src/core/models/events.ts';
import { click, txn } from '../support/events.ts';

const goodTxn = () => txn({ card_id: 'c1', timestamp: 1_700_000_000_000 });
const goodClick = () => click({ user_id: 'u1', timestamp: 1_700_000_000_000 });

describe('validateTransactionEvent', () => {
  it('accepts a valid event and returns it unchanged', () => {
    const event = goodTxn();
    expect(validateTransactionEvent(event)).toEqual({ ok: true, event });
  });

  it.each([
    ['a missing field', { card_id: undefined }, 'missing_field', 'card_id is missing'],
    [
      'a number for a string',
      { merchant_id: 42 },
      'wrong_type',
      'merchant_id must be a string: got 42',
    ],
    ['an empty string', { country: '' }, 'empty_string', 'country must not be empty'],
    ['a string amount', { amount: '10.5' }, 'wrong_type', 'amount must be a number: got "10.5"'],
    [
      'an infinite amount',
      { amount: Number.POSITIVE_INFINITY },
      'not_finite',
      'amount must be finite: got Infinity',
    ],
    ['a NaN amount', { amount: Number.NaN }, 'not_finite', 'amount must be finite: got NaN'],
    [
      'a negative timestamp',
      { timestamp: -1 },
      'bad_timestamp',
      'timestamp must be a non-negative whole number',
    ],
    ['a fractional timestamp', { timestamp: 1.5 }, 'bad_timestamp', 'got 1.5'],
    [
      'a string timestamp',
      { timestamp: '2024-01-01' },
      'wrong_type',
      'timestamp must be epoch milliseconds',
    ],
    [
      'an unknown channel',
      { channel: 'phone' },
      'bad_enum',
      'channel must be one of online|pos|atm: got "phone"',
    ],
    [
      'a 2-letter currency',
      { currency: 'EU' },
      'bad_currency',
      'currency must be exactly 3 characters',
    ],
    ['a 4-letter currency', { currency: 'EURO' }, 'bad_currency', 'got "EURO"'],
    ['a null field', { user_id: null }, 'wrong_type', 'user_id must be a string: got null'],
  ])('rejects %s', (_name, patch, reason, message) => {
    const verdict = validateTransactionEvent({ ...goodTxn(), ...patch });
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) {
      expect(verdict.reason).toBe(reason);
      expect(verdict.message).toContain(message);
    }
  });

  it.each([[null], [[1, 2]], ['text'], [7]])('rejects a non-object: %j', (value) => {
    expect(validateTransactionEvent(value)).toMatchObject({ ok: false, reason: 'not_an_object' });
  });
});

describe('validateClickEvent', () => {
  it('accepts a missing, null or string referrer', () => {
    const { referrer: _omit, ...withoutReferrer } = goodClick();
    expect(validateClickEvent(withoutReferrer).ok).toBe(true);
    expect(validateClickEvent({ ...goodClick(), referrer: null }).ok).toBe(true);
    expect(validateClickEvent({ ...goodClick(), referrer: 'https://example.org' }).ok).toBe(true);
  });

  it.each([
    [
      { event_type: 'hover' },
      'bad_enum',
      'event_type must be one of page_view|click|add_to_cart|purchase|search',
    ],
    [{ referrer: 5 }, 'wrong_type', 'referrer must be a string or null'],
    [{ session_id: '' }, 'empty_string', 'session_id must not be empty'],
    [{ page: undefined }, 'missing_field', 'page is missing'],
  ])('rejects %j', (patch, reason, message) => {
    const verdict = validateClickEvent({ ...goodClick(), ...patch });
    expect(verdict).toMatchObject({ ok: false, reason });
    if (!verdict.ok) expect(verdict.message).toContain(message);
  });
});

/** Values that probe every rule: right and wrong types, empties, edges. */
const anyFieldValue = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.constantFrom('online', 'pos', 'atm', 'page_view', 'purchase', 'search', 'EUR', 'USD', ''),
  fc.constantFrom('toString', '__proto__'),
  fc.double(),
  fc.integer({ min: -5, max: 2_000_000_000_000 }),
  fc.constantFrom(null, undefined, true, [], {}, Number.MAX_SAFE_INTEGER + 2, -0, 0.5, 1e21),
);

function mutated(base: object) {
  const keys = Object.keys(base);
  return fc
    .array(fc.tuple(fc.constantFrom(...keys), anyFieldValue), { maxLength: 3 })
    .map((patches) => {
      const copy: Record<string, unknown> = { ...base };
      for (const [key, value] of patches) {
        if (value === undefined) delete copy[key];
        else copy[key] = value;
      }
      return copy;
    });
}

describe('fast validators agree with the zod models', () => {
  it('transactions', () => {
    fc.assert(
      fc.property(mutated(goodTxn()), (value) => {
        expect(validateTransactionEvent(value).ok).toBe(
          TransactionEventSchema.safeParse(value).success,
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('clicks', () => {
    fc.assert(
      fc.property(mutated(goodClick()), (value) => {
        expect(validateClickEvent(value).ok).toBe(ClickEventSchema.safeParse(value).success);
      }),
      { numRuns: 3000 },
    );
  });
});

// The common-case checks say "valid" exactly when the declaration (zod) does, so that a valid
// event never takes the slow path and an invalid one never skips it.
describe('common-case validity checks agree with the zod models', () => {
  it('transactions', () => {
    fc.assert(
      fc.property(mutated(goodTxn()), (value) => {
        expect(isPlainlyValidTransaction(value)).toBe(
          TransactionEventSchema.safeParse(value).success,
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('clicks', () => {
    fc.assert(
      fc.property(mutated(goodClick()), (value) => {
        expect(isPlainlyValidClick(value)).toBe(ClickEventSchema.safeParse(value).success);
      }),
      { numRuns: 3000 },
    );
  });
});
