/**
 * Fields of the Avro schemas in schemas/ as UDF protocol fields: the one place that maps Avro
 * types to the protocol's types and says which values are valid (docs/events.md: strings
 * non-empty, numbers finite, event times non-negative integers, enums one of their symbols).
 */
import type avro from 'avsc';
import { FeatureflowError } from '../core/errors.ts';
import { type ColumnKind, columnKindOf } from './codec/columns.ts';
import type { DataType, Field, ScalarKind } from './data-types.ts';

/** A flat record field the UDF protocol can carry, with its check. */
export interface ColumnField {
  readonly name: string;
  readonly kind: ScalarKind;
  readonly column: ColumnKind;
  readonly symbols?: readonly string[];
  readonly doc?: string;
  /** Why `value` is not valid for this field, or undefined when it is. */
  readonly check: (value: unknown) => string | undefined;
}

interface AvroFieldDefinition {
  name: string;
  type: avro.Schema;
  doc?: string;
}

/** The fields named `names` (all fields when absent) of an Avro record definition, in order. */
export function columnFieldsOf(
  record: avro.Schema,
  schemaFile: string,
  names?: readonly string[],
): ColumnField[] {
  const fields = (record as { fields?: AvroFieldDefinition[] }).fields;
  if (!Array.isArray(fields)) {
    throw new FeatureflowError(
      'invalid_argument',
      `${schemaFile} is not an Avro record (window functions read and return records)`,
    );
  }
  const byName = new Map(fields.map((f) => [f.name, f]));
  return (names ?? fields.map((f) => f.name)).map((name) => {
    const field = byName.get(name);
    if (field === undefined) {
      throw new FeatureflowError(
        'invalid_argument',
        `${schemaFile} has no field '${name}' (fields: ${fields.map((f) => f.name).join(', ')})`,
      );
    }
    return columnFieldOf(field, schemaFile);
  });
}

function columnFieldOf(field: AvroFieldDefinition, schemaFile: string): ColumnField {
  const type = field.type as
    | string
    | { type: string; logicalType?: string; symbols?: string[] }
    | unknown[];
  const base = typeof type === 'string' ? type : Array.isArray(type) ? 'union' : type.type;
  const logical = typeof type === 'object' && !Array.isArray(type) ? type.logicalType : undefined;
  const doc = field.doc;
  const make = (kind: ScalarKind, check: ColumnField['check'], symbols?: readonly string[]) =>
    Object.freeze({
      name: field.name,
      kind,
      column: columnKindOf(kind),
      check,
      ...(symbols ? { symbols } : {}),
      ...(doc ? { doc } : {}),
    });
  switch (base) {
    case 'double':
    case 'float':
      return make('DOUBLE', (v) =>
        typeof v === 'number' && Number.isFinite(v)
          ? undefined
          : `${field.name} is ${String(v)} (expected a finite number)`,
      );
    case 'long':
      return make(
        'BIGINT',
        logical === 'timestamp-millis'
          ? (v) =>
              Number.isSafeInteger(v) && (v as number) >= 0
                ? undefined
                : `${field.name} is ${String(v)} (expected epoch milliseconds: a non-negative integer below 2^53)`
          : (v) =>
              Number.isSafeInteger(v)
                ? undefined
                : `${field.name} is ${String(v)} (expected an integer within +-2^53)`,
      );
    case 'int':
      return make('INT', (v) =>
        Number.isInteger(v) ? undefined : `${field.name} is ${String(v)} (expected an INT)`,
      );
    case 'boolean':
      return make('BOOLEAN', (v) =>
        typeof v === 'boolean' ? undefined : `${field.name} is ${String(v)} (expected a BOOLEAN)`,
      );
    case 'string':
      return make('STRING', (v) =>
        typeof v === 'string' && v.length > 0
          ? undefined
          : `${field.name} is ${v === '' ? 'empty' : 'missing'} (expected a non-empty string)`,
      );
    case 'enum': {
      const symbols = Object.freeze([...((type as { symbols: string[] }).symbols ?? [])]);
      const legal = new Set(symbols);
      return make(
        'STRING',
        (v) =>
          typeof v === 'string' && legal.has(v)
            ? undefined
            : `${field.name} is '${String(v)}' (expected one of ${symbols.join(', ')})`,
        symbols,
      );
    }
    default:
      throw new FeatureflowError(
        'invalid_argument',
        `${schemaFile} field '${field.name}' has Avro type ${JSON.stringify(type)} (window functions take double, float, long, int, boolean, string and enum fields)`,
      );
  }
}

export function toProtocolField(field: ColumnField): Field {
  const type: DataType = {
    kind: field.kind,
    nullable: false,
    ...(field.symbols ? { symbols: field.symbols } : {}),
  };
  return { name: field.name, type, ...(field.doc ? { doc: field.doc } : {}) };
}
