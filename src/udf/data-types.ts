/**
 * The UDF protocol's type model (udf.proto `DataType`, `FunctionDescriptor`) in TypeScript form,
 * and its Flink SQL spelling. The SQL spelling follows Flink's own summary strings
 * (`ROW<\`a\` BIGINT NOT NULL>`), so what `featureflow functions` prints is what Flink's type
 * inference reports for the same function.
 */

export const SCALAR_KINDS = [
  'BOOLEAN',
  'INT',
  'BIGINT',
  'DOUBLE',
  'STRING',
  'TIMESTAMP_MILLIS',
] as const;
export type ScalarKind = (typeof SCALAR_KINDS)[number];
export type TypeKind = ScalarKind | 'ARRAY' | 'ROW';

export interface DataType {
  readonly kind: TypeKind;
  readonly nullable: boolean;
  /** ARRAY only. */
  readonly element?: DataType;
  /** ROW only. */
  readonly fields?: readonly Field[];
  /** STRING only: the legal values (an Avro enum); absent means any non-empty string. */
  readonly symbols?: readonly string[];
}

export interface Field {
  readonly name: string;
  readonly type: DataType;
  readonly doc?: string;
}

export const ARGUMENT_ROLES = ['ENTITY_ID', 'WINDOW_START', 'WINDOW_END', 'EVENTS'] as const;
export type ArgumentRole = (typeof ARGUMENT_ROLES)[number];

export interface Argument {
  readonly name: string;
  readonly type: DataType;
  readonly role: ArgumentRole;
}

export interface FunctionDescriptor {
  readonly name: string;
  readonly doc: string;
  readonly arguments: readonly Argument[];
  /** Always a ROW. */
  readonly result: DataType;
}

const SQL_SCALAR: Readonly<Record<ScalarKind, string>> = {
  BOOLEAN: 'BOOLEAN',
  INT: 'INT',
  BIGINT: 'BIGINT',
  DOUBLE: 'DOUBLE',
  STRING: 'STRING',
  TIMESTAMP_MILLIS: 'TIMESTAMP(3)',
};

/** Flink quotes every ROW field name with backticks; a backtick inside is doubled. */
const quoteIdentifier = (name: string) => `\`${name.replaceAll('`', '``')}\``;

/** The Flink SQL type, as Flink's `LogicalType.asSummaryString()` prints it. */
export function toSqlType(type: DataType): string {
  const suffix = type.nullable ? '' : ' NOT NULL';
  switch (type.kind) {
    case 'ARRAY':
      return `ARRAY<${toSqlType(type.element!)}>${suffix}`;
    case 'ROW':
      return `ROW<${(type.fields ?? []).map((f) => `${quoteIdentifier(f.name)} ${toSqlType(f.type)}`).join(', ')}>${suffix}`;
    default:
      return `${SQL_SCALAR[type.kind]}${suffix}`;
  }
}

/**
 * `name(arg TYPE, ...) -> RESULT`, the line an analyst needs to call the function from Flink SQL.
 * Argument names are not quoted: SQL calls are positional, the names only document.
 */
export function toSqlSignature(descriptor: FunctionDescriptor): string {
  const args = descriptor.arguments.map((a) => `${a.name} ${toSqlType(a.type)}`).join(', ');
  return `${descriptor.name}(${args}) -> ${toSqlType(descriptor.result)}`;
}
