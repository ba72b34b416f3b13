/**
 * One registration makes a TypeScript feature function callable from Flink SQL: its name, the
 * Avro schema and fields of the events it reads, the Avro schema of the row it returns, and the
 * function. Everything the protocol needs (Describe types, column kinds, validation, the
 * column-to-object binding) is derived here, once, so adding a function changes no protocol,
 * no codec and no Java.
 */
import type avro from 'avsc';
import type { WindowContext } from '../core/processors/window-context.ts';
import { type ColumnField, columnFieldsOf, toProtocolField } from './avro-fields.ts';
import type { Column } from './codec/columns.ts';
import type { FunctionDescriptor } from './data-types.ts';

export interface WindowFunctionSpec<E extends object> {
  /** The SQL name: snake_case, unique within the server. */
  readonly name: string;
  readonly doc: string;
  /** The name of the entity argument in SQL signatures (card_id, user_id). */
  readonly entityArgument: string;
  /** The Avro record schema of the events; `eventFields` picks the ones the function reads. */
  readonly eventSchema: object;
  /** Where `eventSchema` came from, for messages (a file name). */
  readonly eventSchemaSource: string;
  readonly eventFields: readonly (keyof E & string)[];
  /**
   * Rules the Avro schema cannot say (a job's own, such as a bound on amounts), by event field:
   * why a value breaks it, or undefined. Checked after the schema's rules.
   */
  readonly eventRules?: Readonly<Record<string, (value: unknown) => string | undefined>>;
  /** The Avro record schema of the row the function returns; all its fields are returned. */
  readonly resultSchema: object;
  readonly resultSchemaSource: string;
  readonly compute: (events: readonly E[], window: WindowContext) => object;
}

/** Values being collected for one result column, row by row ("" / 0 until set). */
export type ResultSink =
  | { readonly kind: 'double' | 'int64'; readonly values: Float64Array }
  | { readonly kind: 'int32'; readonly values: Int32Array }
  | { readonly kind: 'bool'; readonly values: Uint8Array }
  | { readonly kind: 'string'; readonly values: string[] };

/** The events of a decoded batch, one index per event. */
export interface EventBinding {
  /** Why event `index` is not valid ("amount is NaN (expected ...)"), or undefined. */
  check(index: number): string | undefined;
  /** Event `index` as the function's object (its fields named as in the Avro schema). */
  event(index: number): object;
}

export interface WindowFunction {
  readonly descriptor: FunctionDescriptor;
  readonly eventFields: readonly ColumnField[];
  readonly resultFields: readonly ColumnField[];
  /** Binds decoded event columns (in `eventFields` order). */
  bindEvents(columns: readonly Column[]): EventBinding;
  /** `(row, index) => undefined | why the row does not fit the result type`; fills `sinks`. */
  bindResults(sinks: readonly ResultSink[]): (row: object, index: number) => string | undefined;
  compute(events: readonly object[], window: WindowContext): object;
}

const SQL_NAME = /^[a-z][a-z0-9_]*$/;

export function defineWindowFunction<E extends object>(
  spec: WindowFunctionSpec<E>,
): WindowFunction {
  if (!SQL_NAME.test(spec.name)) {
    throw new TypeError(
      `window function name '${spec.name}' is not snake_case (use lower-case letters, digits and _)`,
    );
  }
  const eventFields = columnFieldsOf(
    spec.eventSchema as avro.Schema,
    spec.eventSchemaSource,
    spec.eventFields,
  ).map((field) => withRule(field, spec.eventRules?.[field.name]));
  const resultFields = columnFieldsOf(spec.resultSchema as avro.Schema, spec.resultSchemaSource);
  const descriptor: FunctionDescriptor = {
    name: spec.name,
    doc: spec.doc,
    arguments: [
      { name: spec.entityArgument, role: 'ENTITY_ID', type: { kind: 'STRING', nullable: true } },
      {
        name: 'window_start',
        role: 'WINDOW_START',
        type: { kind: 'TIMESTAMP_MILLIS', nullable: true },
      },
      {
        name: 'window_end',
        role: 'WINDOW_END',
        type: { kind: 'TIMESTAMP_MILLIS', nullable: true },
      },
      {
        name: 'events',
        role: 'EVENTS',
        type: {
          kind: 'ARRAY',
          nullable: true,
          element: { kind: 'ROW', nullable: false, fields: eventFields.map(toProtocolField) },
        },
      },
    ],
    // Nullable: a window that fails gives no row (a per-row error), which Flink sees as NULL.
    result: { kind: 'ROW', nullable: true, fields: resultFields.map(toProtocolField) },
  };
  const compute = spec.compute as WindowFunction['compute'];
  return Object.freeze({
    descriptor: deepFreeze(descriptor),
    eventFields: Object.freeze(eventFields),
    resultFields: Object.freeze(resultFields),
    bindEvents: compileEventBinder(eventFields),
    bindResults: compileResultBinder(resultFields),
    compute,
  });
}

/*
 * The two binders are generated code, built once per function. A generic loop
 * (`event[names[c]] = columns[c][i]`) makes every property store megamorphic and was the largest
 * cost per window in udf-server/README.md's measurements; an object literal with fixed keys
 * gives V8 one hidden class and monomorphic loads. The field names come from our own Avro
 * schemas (Avro names are [A-Za-z_][A-Za-z0-9_]*) and are written as JSON string literals.
 */

function compileEventBinder(fields: readonly ColumnField[]): WindowFunction['bindEvents'] {
  const setup: string[] = [];
  const checks: string[] = [];
  const props: string[] = [];
  fields.forEach((field, c) => {
    const key = JSON.stringify(field.name);
    let read: string;
    if (field.column === 'string') {
      setup.push(`const d${c} = columns[${c}].dictionary, x${c} = columns[${c}].indices;`);
      read = `d${c}[x${c}[i]]`;
    } else {
      setup.push(`const v${c} = columns[${c}].values;`);
      read = field.column === 'bool' ? `v${c}[i] === 1` : `v${c}[i]`;
    }
    setup.push(`const k${c} = checks[${c}];`);
    // One call site per column: each sees one check function, so V8 can inline it.
    checks.push(`if ((p = k${c}(${read})) !== undefined) return p;`);
    props.push(`${key}: ${read}`);
  });
  const body = `${setup.join('\n')}
return {
  check(i) { let p; ${checks.join(' ')} return undefined; },
  event(i) { return { ${props.join(', ')} }; },
};`;
  const factory = new Function('checks', 'columns', body) as (
    checks: readonly ColumnField['check'][],
    columns: readonly Column[],
  ) => EventBinding;
  const checkFns = fields.map((f) => f.check);
  return (columns) => factory(checkFns, columns);
}

function compileResultBinder(fields: readonly ColumnField[]): WindowFunction['bindResults'] {
  const setup: string[] = [];
  const reads: string[] = [];
  const writes: string[] = [];
  fields.forEach((field, c) => {
    const key = JSON.stringify(field.name);
    reads.push(
      `const f${c} = row[${key}]; const e${c} = k${c}(f${c}); if (e${c} !== undefined) return e${c};`,
    );
    if (field.column === 'bool') {
      setup.push(`const v${c} = sinks[${c}].values;`);
      writes.push(`v${c}[i] = f${c} ? 1 : 0;`);
    } else {
      setup.push(`const v${c} = sinks[${c}].values;`);
      writes.push(`v${c}[i] = f${c};`);
    }
  });
  // Every field is checked before any is written, so a failed row keeps its placeholders.
  const body = `${setup.join('\n')}\nconst ${fields.map((_, c) => `k${c} = checks[${c}]`).join(', ')};\nreturn (row, i) => {\n${reads.join('\n')}\n${writes.join('\n')}\nreturn undefined;\n};`;
  const factory = new Function('checks', 'sinks', body) as (
    checks: readonly ColumnField['check'][],
    sinks: readonly ResultSink[],
  ) => ReturnType<WindowFunction['bindResults']>;
  const checks = fields.map((f) => f.check);
  return (sinks) => factory(checks, sinks);
}

function withRule(
  field: ColumnField,
  rule: ((value: unknown) => string | undefined) | undefined,
): ColumnField {
  if (rule === undefined) return field;
  const schemaCheck = field.check;
  return Object.freeze({ ...field, check: (value: unknown) => schemaCheck(value) ?? rule(value) });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
