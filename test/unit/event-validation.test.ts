// Every kind of invalid event is caught with its reason, and the validators derived from each
// job's Avro schema (and their common-case checks) give the same verdicts as a naive reading of
// the schema and the job's rules, on generated input, for every job.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JobDefinition } from '../../src/core/jobs/job-definition.ts';
import { loadJobRegistry } from '../../src/core/jobs/load-definitions.ts';
import { compilePlainCheck } from '../../src/core/models/event-validation.ts';
import { click, txn } from '../support/events.ts';
import { CLICKSTREAM, TRANSACTIONS } from '../support/job-events.ts';

const validateTransactionEvent = TRANSACTIONS.validate;
const validateClickEvent = CLICKSTREAM.validate;

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
  fc.boolean(),
  fc.constantFrom('true', 1, 0),
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

/**
 * The naive reading of "valid": each field of the event schema, by its Avro type, and the job's
 * own rules; written without the validators' code, as the reference they are held to.
 */
function naivelyValid(job: JobDefinition, value: Record<string, unknown>): boolean {
  return job.eventSchema.fields.every(({ name, type }) => {
    const v = value[name];
    const base = Array.isArray(type)
      ? 'nullable'
      : typeof type === 'string'
        ? type
        : (type as { type: string }).type;
    const rule = job.fieldRules.find((field) => field.name === name)!.constraint;
    switch (base) {
      case 'nullable':
        return v === undefined || v === null || typeof v === 'string';
      case 'string':
        if (typeof v !== 'string') return false;
        return rule?.length === undefined ? v !== '' : v.length === rule.length;
      case 'enum':
        return (type as { symbols: string[] }).symbols.includes(v as string);
      case 'double':
        return (
          typeof v === 'number' &&
          Number.isFinite(v) &&
          (rule?.maxAbs === undefined || Math.abs(v) <= rule.maxAbs)
        );
      case 'boolean':
        return v === true || v === false;
      case 'long':
        return (
          typeof v === 'number' && Number.isSafeInteger(v) && (name !== job.timeField || v >= 0)
        );
      default:
        throw new Error(`unexpected Avro type ${JSON.stringify(type)}`);
    }
  });
}

describe('validators derived from the schema agree with a naive reading of it', async () => {
  const jobs = (await loadJobRegistry('examples/logins')).jobs;
  const good: Record<string, Record<string, unknown>> = {
    transactions: { ...goodTxn() },
    clickstream: { ...goodClick() },
    logins: {
      event_id: 'e1',
      user_id: 'u1',
      ip: '10.0.0.1',
      country: 'NL',
      success: true,
      timestamp: 1,
    },
  };

  it.each(jobs.map((job) => [job.name, job] as const))('%s: the verdicts', (name, job) => {
    fc.assert(
      fc.property(mutated(good[name]!), (value) => {
        expect(job.validate(value).ok).toBe(naivelyValid(job, value));
      }),
      { numRuns: 3000 },
    );
  });

  // The common-case check says "valid" exactly when the naive reading does, so that a valid
  // event never takes the slow path and an invalid one never skips it.
  it.each(jobs.map((job) => [job.name, job] as const))('%s: the common-case check', (name, job) => {
    const isPlainlyValid = compilePlainCheck(job.fieldRules);
    fc.assert(
      fc.property(mutated(good[name]!), (value) => {
        expect(isPlainlyValid(value)).toBe(naivelyValid(job, value));
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    [{ success: 'true' }, 'wrong_type', 'success must be true or false: got "true"'],
    [{ success: 1 }, 'wrong_type', 'success must be true or false: got 1'],
    [{ ip: '' }, 'empty_string', 'ip must not be empty'],
    [{ timestamp: -5 }, 'bad_timestamp', 'timestamp must be a non-negative whole number'],
    [{ timestamp: 2.5 }, 'bad_timestamp', 'got 2.5'],
  ])('logins rejects %j', (patch, reason, message) => {
    const logins = jobs.find((job) => job.name === 'logins')!;
    const verdict = logins.validate({ ...good.logins, ...patch });
    expect(verdict).toMatchObject({ ok: false, reason, field: Object.keys(patch)[0] });
    if (!verdict.ok) expect(verdict.message).toContain(message);
  });
});
