/**
 * Fast validation of decoded events ("valid means" in docs: every field of the event schema
 * present with its type, strings non-empty, numbers finite, the event time a non-negative whole
 * number of epoch milliseconds, enums one of their symbols, booleans JSON booleans, plus each
 * job's own rules). The rules are derived from a job's Avro schema once
 * (../jobs/event-rules-from-schema.ts); this is the per-event path: one generated expression
 * for the common case, a rule loop only to say why an event is invalid, no allocation for a
 * valid event.
 */
import type { FieldConstraint } from '../jobs/define-job.ts';

/** The reasons of the schema's rules; a job's own rules add theirs (`FieldConstraint.reason`). */
export type InvalidEventReason =
  | 'not_json'
  | 'not_an_object'
  | 'missing_field'
  | 'wrong_type'
  | 'empty_string'
  | 'not_finite'
  | 'not_an_integer'
  | 'bad_timestamp'
  | 'bad_enum'
  | 'decode_failed'
  | (string & {});

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
  | { kind: 'double' }
  | { kind: 'long' }
  | { kind: 'timestamp' }
  | { kind: 'boolean' }
  | { kind: 'enum'; symbols: ReadonlySet<string>; listed: string }
  | { kind: 'optional_string' };

export interface FieldRule {
  readonly name: string;
  readonly rule: FieldKind;
  /** The job's own rule for this field, checked after the kind's. */
  readonly constraint?: FieldConstraint;
}

function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  const text = typeof value === 'number' ? String(value) : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function invalid(reason: InvalidEventReason, field: string, message: string): InvalidEvent {
  return { ok: false, reason, field, message: `${field} ${message}` };
}

/** Why `value` breaks `field`'s rule (its kind's, then the job's own), or undefined. The UDF
 * service checks each field of its columns with this, so its verdicts are the validator's. */
export function checkField(field: FieldRule, value: unknown): InvalidEvent | undefined {
  const { name, rule, constraint } = field;
  switch (rule.kind) {
    case 'string':
      if (typeof value !== 'string') {
        return invalid('wrong_type', name, `must be a string: got ${show(value)}`);
      }
      if (constraint?.length !== undefined) {
        if (value.length !== constraint.length) {
          return invalid(
            constraint.reason,
            name,
            `must be exactly ${constraint.length} characters (${constraint.hint}): got ${show(value)}`,
          );
        }
        return undefined;
      }
      if (value.length === 0) return invalid('empty_string', name, 'must not be empty: got ""');
      return undefined;
    case 'double':
      if (typeof value !== 'number') {
        return invalid('wrong_type', name, `must be a number: got ${show(value)}`);
      }
      if (!Number.isFinite(value))
        return invalid('not_finite', name, `must be finite: got ${show(value)}`);
      return checkMagnitude(name, value, constraint);
    case 'long':
      if (typeof value !== 'number') {
        return invalid('wrong_type', name, `must be a whole number: got ${show(value)}`);
      }
      if (!Number.isSafeInteger(value)) {
        return invalid(
          'not_an_integer',
          name,
          `must be a whole number within +-2^53: got ${show(value)}`,
        );
      }
      return checkMagnitude(name, value, constraint);
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
    case 'boolean':
      if (typeof value !== 'boolean') {
        return invalid('wrong_type', name, `must be true or false: got ${show(value)}`);
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

function checkMagnitude(
  name: string,
  value: number,
  constraint: FieldConstraint | undefined,
): InvalidEvent | undefined {
  if (constraint?.maxAbs === undefined || Math.abs(value) <= constraint.maxAbs) return undefined;
  return invalid(
    constraint.reason,
    name,
    `must be at most ${constraint.maxAbs} in magnitude (${constraint.hint}): got ${show(value)}`,
  );
}

/**
 * The rules as one function: the problem with `value`, or undefined when it is a valid event.
 * Nothing is allocated for a valid event. The common case is checked first by one generated
 * expression (see `compilePlainCheck`); the rules run only when it says no, to find which field
 * is wrong and why.
 */
export function createProblemFinder(
  rules: readonly FieldRule[],
): (value: unknown) => InvalidEvent | undefined {
  const isPlainlyValid = compilePlainCheck(rules);
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
    for (const field of rules) {
      const fieldValue = record[field.name];
      if (fieldValue === undefined && field.rule.kind !== 'optional_string') {
        return invalid(
          'missing_field',
          field.name,
          'is missing (every field of the event schema is required)',
        );
      }
      const problem = checkField(field, fieldValue);
      if (problem) return problem;
    }
    return undefined;
  };
}

/**
 * True exactly when every rule passes, as one expression generated from the rules: each
 * property name is a constant, so each read is a fast cached load, where the rule loop reads
 * `record[name]` with ten different names through one site, a slow polymorphic load per field
 * of every valid event. Field names are Avro names
 * ([A-Za-z_][A-Za-z0-9_]*), written as JSON string literals.
 */
export function compilePlainCheck(
  rules: readonly FieldRule[],
): (record: Record<string, unknown>) => boolean {
  const symbolSets: ReadonlySet<unknown>[] = [];
  const terms = rules.map(({ name, rule, constraint }) => {
    const v = `e[${JSON.stringify(name)}]`;
    const maxAbs =
      constraint?.maxAbs === undefined ? '' : ` && Math.abs(${v}) <= ${constraint.maxAbs}`;
    switch (rule.kind) {
      case 'string':
        return constraint?.length === undefined
          ? `(typeof ${v} === 'string' && ${v}.length > 0)`
          : `(typeof ${v} === 'string' && ${v}.length === ${constraint.length})`;
      case 'double':
        return `(typeof ${v} === 'number' && Number.isFinite(${v})${maxAbs})`;
      case 'long':
        return `(typeof ${v} === 'number' && Number.isSafeInteger(${v})${maxAbs})`;
      case 'timestamp':
        return `(typeof ${v} === 'number' && Number.isSafeInteger(${v}) && ${v} >= 0)`;
      case 'boolean':
        return `(typeof ${v} === 'boolean')`;
      case 'enum':
        symbolSets.push(rule.symbols);
        return `s[${symbolSets.length - 1}].has(${v})`;
      default: // optional_string
        return `(${v} === undefined || ${v} === null || typeof ${v} === 'string')`;
    }
  });
  const factory = new Function('s', `return (e) => ${terms.join(' && ') || 'true'};`) as (
    s: readonly ReadonlySet<unknown>[],
  ) => (record: Record<string, unknown>) => boolean;
  return factory(symbolSets);
}
