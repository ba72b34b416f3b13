/**
 * A column of the Invoke batch in memory: one typed array per column, as udf.proto's `Column`
 * carries it on the wire. 64-bit integers are held as doubles (JavaScript numbers): epoch
 * milliseconds and counts are far below 2^53, and a value that is not a safe integer becomes
 * NaN, which the row validation reports instead of computing with a rounded value.
 */
import type { ScalarKind } from '../data-types.ts';

export type ColumnKind = 'double' | 'int64' | 'int32' | 'bool' | 'string';

export type Column =
  | { readonly kind: 'double'; readonly values: Float64Array }
  | { readonly kind: 'int64'; readonly values: Float64Array }
  | { readonly kind: 'int32'; readonly values: Int32Array }
  | { readonly kind: 'bool'; readonly values: Uint8Array }
  | StringColumn;

export interface StringColumn {
  readonly kind: 'string';
  /** Each distinct value once. */
  readonly dictionary: readonly string[];
  /** One index into `dictionary` per value. */
  readonly indices: Uint32Array;
}

const COLUMN_KIND_OF: Readonly<Record<ScalarKind, ColumnKind>> = {
  DOUBLE: 'double',
  BIGINT: 'int64',
  TIMESTAMP_MILLIS: 'int64',
  INT: 'int32',
  BOOLEAN: 'bool',
  STRING: 'string',
};

export const columnKindOf = (kind: ScalarKind): ColumnKind => COLUMN_KIND_OF[kind];

export function columnLength(column: Column): number {
  return column.kind === 'string' ? column.indices.length : column.values.length;
}

/** Builds a string column value by value, giving each distinct string one dictionary slot. */
export class StringColumnBuilder {
  private readonly slots = new Map<string, number>();
  private readonly dictionary: string[] = [];
  private readonly indices: Uint32Array;

  /**
   * @param placeholder seeds slot 0 with "", so rows never set (failed rows) read as "".
   */
  constructor(length: number, placeholder = true) {
    this.indices = new Uint32Array(length);
    if (placeholder) {
      this.dictionary.push('');
      this.slots.set('', 0);
    }
  }

  set(index: number, value: string): void {
    let slot = this.slots.get(value);
    if (slot === undefined) {
      slot = this.dictionary.length;
      this.dictionary.push(value);
      this.slots.set(value, slot);
    }
    this.indices[index] = slot;
  }

  build(): StringColumn {
    return { kind: 'string', dictionary: this.dictionary, indices: this.indices };
  }
}

/** An empty column of `length` placeholder values (0, false, ""), to be filled row by row. */
export function allocateColumn(kind: ColumnKind, length: number): Column {
  switch (kind) {
    case 'double':
      return { kind, values: new Float64Array(length) };
    case 'int64':
      return { kind, values: new Float64Array(length) };
    case 'int32':
      return { kind, values: new Int32Array(length) };
    case 'bool':
      return { kind, values: new Uint8Array(length) };
    case 'string':
      // Every index starts at 0, so slot 0 holds the placeholder "".
      return { kind, dictionary: length > 0 ? [''] : [], indices: new Uint32Array(length) };
  }
}
