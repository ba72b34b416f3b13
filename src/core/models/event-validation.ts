/**
 * Fast validation of decoded events (DESIGN section 3 "Valid means"). The zod models in
 * ./events.ts are the declaration; this is the per-event path: a field list resolved once,
 * one tight loop per event, no allocation for valid events. A test holds both to the same
 * verdicts on generated input.
 */
import { CHANNELS, CLICK_EVENT_TYPES } from './event-symbols.ts';
import type { ClickEvent, TransactionEvent } from './events.ts';

/** Closed set of reasons, used as the `reason` label of featureflow_dead_letters_total. */
export type InvalidEventReason =
  | 'not_json'
  | 'not_an_object'
  | 'missing_field'
  | 'wrong_type'
  | 'empty_string'
  | 'not_finite'
  | 'bad_timestamp'
  | 'bad_enum'
  | 'bad_currency'
  | 'decode_failed';

export interface InvalidEvent {
  ok: false;
  reason: InvalidEventReason;
  /** "what went wrong: the value (the fix)", for the dead letter and logs. */
  message: string;
  field?: string;
}

export type EventVerdict<E> = { ok: true; event: E } | InvalidEvent;

/** What a field must hold; the fast line scanner of replay (src/replay) reads these too. */
export type FieldKind =
  | { kind: 'string' }
  | { kind: 'currency' }
  | { kind: 'double' }
  | { kind: 'timestamp' }
  | { kind: 'enum'; symbols: ReadonlySet<string>; listed: string }
  | { kind: 'optional_string' };

export interface FieldRule {
  readonly name: string;
  readonly rule: FieldKind;
}

const STRING = { kind: 'string' } as const;
const enumOf = (symbols: readonly string[]): FieldKind => ({
  kind: 'enum',
  symbols: new Set(symbols),
  listed: symbols.join('|'),
});

/** The fields of a transaction event, in the order of DESIGN section 3, with their rules. */
export const TRANSACTION_RULES: readonly FieldRule[] = [
  { name: 'transaction_id', rule: STRING },
  { name: 'card_id', rule: STRING },
  { name: 'user_id', rule: STRING },
  { name: 'merchant_id', rule: STRING },
  { name: 'merchant_category', rule: STRING },
  { name: 'amount', rule: { kind: 'double' } },
  { name: 'currency', rule: { kind: 'currency' } },
  { name: 'country', rule: STRING },
  { name: 'channel', rule: enumOf(CHANNELS) },
  { name: 'timestamp', rule: { kind: 'timestamp' } },
];

/** The fields of a click event, in the order of DESIGN section 3, with their rules. */
export const CLICK_RULES: readonly FieldRule[] = [
  { name: 'event_id', rule: STRING },
  { name: 'user_id', rule: STRING },
  { name: 'session_id', rule: STRING },
  { name: 'page', rule: STRING },
  { name: 'event_type', rule: enumOf(CLICK_EVENT_TYPES) },
  { name: 'referrer', rule: { kind: 'optional_string' } },
  { name: 'timestamp', rule: { kind: 'timestamp' } },
];

function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  const text = typeof value === 'number' ? String(value) : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function invalid(reason: InvalidEventReason, field: string, message: string): InvalidEvent {
  return { ok: false, reason, field, message: `${field} ${message}` };
}

function checkField(name: string, rule: FieldKind, value: unknown): InvalidEvent | undefined {
  switch (rule.kind) {
    case 'string':
      if (typeof value !== 'string') {
        return invalid('wrong_type', name, `must be a string: got ${show(value)}`);
      }
      if (value.length === 0) return invalid('empty_string', name, 'must not be empty: got ""');
      return undefined;
    case 'currency':
      if (typeof value !== 'string') {
        return invalid('wrong_type', name, `must be a string: got ${show(value)}`);
      }
      if (value.length !== 3) {
        return invalid(
          'bad_currency',
          name,
          `must be exactly 3 characters (ISO 4217, e.g. "EUR"): got ${show(value)}`,
        );
      }
      return undefined;
    case 'double':
      if (typeof value !== 'number') {
        return invalid('wrong_type', name, `must be a number: got ${show(value)}`);
      }
      if (!Number.isFinite(value))
        return invalid('not_finite', name, `must be finite: got ${show(value)}`);
      return undefined;
    case 'timestamp':
      if (typeof value !== 'number') {
        return invalid(
          'wrong_type',
          name,
          `must be epoch milliseconds as a number: got ${show(value)}`,
        );
      }
      if (!Number.isSafeInteger(value) || value < 0) {
        return invalid(
          'bad_timestamp',
          name,
          `must be a non-negative whole number of epoch milliseconds: got ${show(value)}`,
        );
      }
      return undefined;
    case 'enum':
      if (typeof value !== 'string') {
        return invalid('wrong_type', name, `must be one of ${rule.listed}: got ${show(value)}`);
      }
      if (!rule.symbols.has(value)) {
        return invalid('bad_enum', name, `must be one of ${rule.listed}: got ${show(value)}`);
      }
      return undefined;
    case 'optional_string':
      if (value === undefined || value === null || typeof value === 'string') return undefined;
      return invalid('wrong_type', name, `must be a string or null: got ${show(value)}`);
  }
}

/**
 * The rules as one function: the problem with `value`, or undefined when it is a valid event.
 * `isPlainlyValid` is the common case checked first (see below); the rules run only when it
 * says no, to find which field is wrong and why.
 */
function createProblemFinder(
  rules: readonly FieldRule[],
  isPlainlyValid: (record: Record<string, unknown>) => boolean,
): (value: unknown) => InvalidEvent | undefined {
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return {
        ok: false,
        reason: 'not_an_object',
        message: `event must be a JSON object: got ${show(value)}`,
      };
    }
    const record = value as Record<string, unknown>;
    if (isPlainlyValid(record)) return undefined;
    for (const { name, rule } of rules) {
      const fieldValue = record[name];
      if (fieldValue === undefined && rule.kind !== 'optional_string') {
        return invalid(
          'missing_field',
          name,
          'is missing (every field of DESIGN section 3 is required)',
        );
      }
      const problem = checkField(name, rule, fieldValue);
      if (problem) return problem;
    }
    return undefined;
  };
}

// The common case, a valid event, in one expression per event type: each property name is a
// constant, so each read is a fast cached load, where the rule loop reads `record[name]` with
// ten different names through one site (measured on replay: the rule loop cost about 2.5 times
// as much per valid event). Each must say true exactly when every rule of its list passes;
// event-validation.spec.ts holds them to the zod models.
const CHANNEL_SYMBOLS: ReadonlySet<unknown> = new Set(CHANNELS);
const CLICK_EVENT_TYPE_SYMBOLS: ReadonlySet<unknown> = new Set(CLICK_EVENT_TYPES);

const isFilledString = (value: unknown) => typeof value === 'string' && value.length > 0;
const isEventTime = (value: unknown) =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

export function isPlainlyValidTransaction(event: Record<string, unknown>): boolean {
  return (
    isFilledString(event.transaction_id) &&
    isFilledString(event.card_id) &&
    isFilledString(event.user_id) &&
    isFilledString(event.merchant_id) &&
    isFilledString(event.merchant_category) &&
    typeof event.amount === 'number' &&
    Number.isFinite(event.amount) &&
    typeof event.currency === 'string' &&
    event.currency.length === 3 &&
    isFilledString(event.country) &&
    CHANNEL_SYMBOLS.has(event.channel) &&
    isEventTime(event.timestamp)
  );
}

export function isPlainlyValidClick(event: Record<string, unknown>): boolean {
  const referrer = event.referrer;
  return (
    isFilledString(event.event_id) &&
    isFilledString(event.user_id) &&
    isFilledString(event.session_id) &&
    isFilledString(event.page) &&
    CLICK_EVENT_TYPE_SYMBOLS.has(event.event_type) &&
    (referrer === undefined || referrer === null || typeof referrer === 'string') &&
    isEventTime(event.timestamp)
  );
}

/**
 * The per-event form: the problem with a decoded value, or undefined when it is a valid event.
 * Nothing is allocated for a valid event.
 */
export const findTransactionEventProblem = createProblemFinder(
  TRANSACTION_RULES,
  isPlainlyValidTransaction,
);
export const findClickEventProblem = createProblemFinder(CLICK_RULES, isPlainlyValidClick);

export function validateTransactionEvent(value: unknown): EventVerdict<TransactionEvent> {
  return findTransactionEventProblem(value) ?? { ok: true, event: value as TransactionEvent };
}

export function validateClickEvent(value: unknown): EventVerdict<ClickEvent> {
  return findClickEventProblem(value) ?? { ok: true, event: value as ClickEvent };
}
