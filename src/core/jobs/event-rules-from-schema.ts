/**
 * A job's event rules, derived from its Avro record schema once: each field's kind (what the
 * validator checks and replay's line scanner matches), the job's own rules attached, and the
 * kind of each field `compute` reads (how replay packs it for its window thread).
 */
import type { FieldKind, FieldRule } from '../models/event-validation.ts';
import type { FieldConstraint } from './define-job.ts';
import { definitionError } from './definition-error.ts';

export interface AvroFieldDefinition {
  readonly name: string;
  readonly type: unknown;
  readonly doc?: string;
}

export interface AvroRecordDefinition {
  readonly type: 'record';
  readonly name: string;
  readonly fields: readonly AvroFieldDefinition[];
}

/** How a field `compute` reads travels to replay's window thread. */
export type WindowFieldKind = 'number' | 'string' | 'boolean';

export interface WindowEventField {
  readonly name: string;
  readonly kind: WindowFieldKind;
}

export function recordFieldsOf(
  job: string,
  schema: unknown,
  source: string,
): readonly AvroFieldDefinition[] {
  const record = schema as Partial<AvroRecordDefinition> | null;
  if (
    typeof record !== 'object' ||
    record === null ||
    record.type !== 'record' ||
    !Array.isArray(record.fields)
  ) {
    throw definitionError(
      job,
      `${source} is not an Avro record schema (write {"type": "record", "name": ..., "fields": [...]})`,
    );
  }
  return record.fields;
}

/** The kind of an Avro field type, or a description of why it has none. */
function kindOf(type: unknown, isTime: boolean): FieldKind | string {
  const base =
    typeof type === 'string'
      ? type
      : Array.isArray(type)
        ? 'union'
        : (type as { type?: unknown } | null)?.type;
  switch (base) {
    case 'string':
      return { kind: 'string' };
    case 'double':
    case 'float':
      return { kind: 'double' };
    case 'long':
    case 'int':
      return isTime ? { kind: 'timestamp' } : { kind: 'long' };
    case 'boolean':
      return { kind: 'boolean' };
    case 'enum': {
      const symbols = (type as { symbols?: unknown }).symbols;
      if (!Array.isArray(symbols) || symbols.some((s) => typeof s !== 'string')) {
        return 'an enum without a list of symbols';
      }
      return { kind: 'enum', symbols: new Set(symbols), listed: symbols.join('|') };
    }
    case 'union': {
      const members = type as unknown[];
      if (members.length === 2 && members[0] === 'null' && members[1] === 'string') {
        return { kind: 'optional_string' };
      }
      return `the union ${JSON.stringify(type)} (the only union supported is ["null", "string"])`;
    }
    default:
      return `Avro type ${JSON.stringify(type)} (event fields are string, enum, double, float, long, int, boolean or ["null", "string"])`;
  }
}

export function eventRulesOf(
  job: string,
  fields: readonly AvroFieldDefinition[],
  source: string,
  timeField: string,
  constraints: Readonly<Record<string, FieldConstraint | undefined>>,
): readonly FieldRule[] {
  const names = new Set(fields.map((f) => f.name));
  if (!names.has(timeField)) {
    throw definitionError(
      job,
      `the time field '${timeField}' is not a field of the event schema ${source} (fields: ${[...names].join(', ')})`,
      { field: timeField },
    );
  }
  for (const [name, constraint] of Object.entries(constraints)) {
    if (!names.has(name)) {
      throw definitionError(
        job,
        `a rule names field '${name}', which is not a field of the event schema ${source} (fields: ${[...names].join(', ')})`,
        { field: name },
      );
    }
    if (constraint !== undefined && !/^[a-z][a-z0-9_]*$/.test(constraint.reason)) {
      throw definitionError(
        job,
        `the rule of field '${name}' has reason '${constraint.reason}' (write snake_case, e.g. bad_currency)`,
        { field: name },
      );
    }
  }
  return Object.freeze(
    fields.map((field) => {
      const kind = kindOf(field.type, field.name === timeField);
      if (typeof kind === 'string') {
        throw definitionError(job, `field '${field.name}' of ${source} has ${kind}`, {
          field: field.name,
        });
      }
      if (field.name === timeField && kind.kind !== 'timestamp') {
        throw definitionError(
          job,
          `the time field '${timeField}' of ${source} must be a long of epoch milliseconds: got ${JSON.stringify(field.type)}`,
          { field: timeField },
        );
      }
      const constraint = constraints[field.name];
      if (constraint !== undefined) checkConstraintFits(job, field.name, kind, constraint);
      return Object.freeze({
        name: field.name,
        rule: kind,
        ...(constraint === undefined ? {} : { constraint }),
      });
    }),
  );
}

function checkConstraintFits(
  job: string,
  field: string,
  kind: FieldKind,
  constraint: FieldConstraint,
): void {
  const isString = kind.kind === 'string';
  const isNumber = kind.kind === 'double' || kind.kind === 'long';
  if (
    constraint.length !== undefined &&
    !(isString && Number.isInteger(constraint.length) && constraint.length > 0)
  ) {
    throw definitionError(
      job,
      `the rule 'length' of field '${field}' needs a string field and a positive whole length`,
      { field },
    );
  }
  if (constraint.maxAbs !== undefined && !(isNumber && constraint.maxAbs >= 0)) {
    throw definitionError(
      job,
      `the rule 'maxAbs' of field '${field}' needs a number field and a non-negative bound`,
      { field },
    );
  }
}

/** The fields `compute` reads, each with how it travels; names missing from the schema fail. */
export function windowEventFieldsOf(
  job: string,
  rules: readonly FieldRule[],
  reads: readonly string[],
  source: string,
): readonly WindowEventField[] {
  const byName = new Map(rules.map((rule) => [rule.name, rule]));
  if (new Set(reads).size !== reads.length) {
    throw definitionError(job, `reads lists a field twice: ${reads.join(', ')}`);
  }
  return Object.freeze(
    reads.map((name) => {
      const rule = byName.get(name);
      if (rule === undefined) {
        throw definitionError(
          job,
          `reads field '${name}', which is not a field of the event schema ${source} (fields: ${[...byName.keys()].join(', ')})`,
          { field: name },
        );
      }
      switch (rule.rule.kind) {
        case 'double':
        case 'long':
        case 'timestamp':
          return Object.freeze({ name, kind: 'number' as const });
        case 'boolean':
          return Object.freeze({ name, kind: 'boolean' as const });
        case 'string':
        case 'enum':
          return Object.freeze({ name, kind: 'string' as const });
        default: // optional_string
          throw definitionError(
            job,
            `reads field '${name}', which may be null (a field compute reads must be required)`,
            { field: name },
          );
      }
    }),
  );
}
