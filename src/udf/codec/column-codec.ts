/**
 * udf.proto's `Column` on the wire: which oneof member carries which kind, and the packed
 * layouts. Doubles and 64-bit integers travel as raw little-endian 8-byte runs, so both sides
 * move them with one copy; that presumes a little-endian machine, checked once below.
 */
import { endianness } from 'node:os';
import {
  allocateColumn,
  type Column,
  type ColumnKind,
  columnLength,
  type StringColumn,
} from './columns.ts';
import {
  int64sToNumbers,
  RepeatedField,
  StringStretch,
  WIRE_LENGTH_DELIMITED,
  WireFormatError,
  WireReader,
} from './wire-reader.ts';
import type { WireWriter } from './wire-writer.ts';

// Module-level copies: tsx compiles imports to getter calls, too slow inside per-value loops.
const LENGTH_DELIMITED = WIRE_LENGTH_DELIMITED;

if (endianness() !== 'LE') {
  // Every platform Node supports today is little-endian; fail loudly rather than corrupt data.
  throw new Error(
    `the UDF codec needs a little-endian machine: this one is ${endianness()} (run the UDF service on x64 or arm64)`,
  );
}

/** The oneof field number of each kind in `Column`. */
const MEMBER_OF: Readonly<Record<ColumnKind, number>> = {
  double: 1,
  int64: 2,
  int32: 3,
  bool: 4,
  string: 5,
};
const KIND_OF_MEMBER: readonly (ColumnKind | undefined)[] = [
  undefined,
  'double',
  'int64',
  'int32',
  'bool',
  'string',
];

const zigzagDecode = (raw: number) => (raw >>> 1) ^ -(raw & 1);
const zigzagEncode = (value: number) => ((value << 1) ^ (value >> 31)) >>> 0;

/** Decodes one `Column` message; `undefined` when no member is set (an empty column). */
export function readColumn(buf: Uint8Array, start: number, end: number): Column | undefined {
  const reader = new WireReader(buf, start, end);
  let column: Column | undefined;
  while (reader.pos < reader.end) {
    const tag = reader.uint32();
    const kind = KIND_OF_MEMBER[tag >>> 3];
    if (kind === undefined || (tag & 7) !== LENGTH_DELIMITED) {
      reader.skip(tag & 7);
      continue;
    }
    const memberStart = reader.lengthDelimited();
    // A oneof member seen twice: the last one wins (protobuf's rule).
    column = readMember(kind, buf, memberStart, reader.pos);
  }
  return column;
}

/** Decodes a `StringColumn` message (InvokeRequest.entity_ids). */
export function readStringColumn(buf: Uint8Array, start: number, end: number): StringColumn {
  return readMember('string', buf, start, end) as StringColumn;
}

/** Writes `column` as field `field` (a `StringColumn` message) of the enclosing message. */
export function writeStringColumn(writer: WireWriter, field: number, column: StringColumn): void {
  const mark = writer.beginMessage(field);
  for (const value of column.dictionary) writer.stringField(1, value);
  writer.packedVarintField(2, column.indices);
  writer.endMessage(mark);
}

function readMember(kind: ColumnKind, buf: Uint8Array, start: number, end: number): Column {
  const reader = new WireReader(buf, start, end);
  const values = new RepeatedField();
  const indices = new RepeatedField();
  const dictionary: string[] = [];
  const stretch = kind === 'string' ? new StringStretch(buf, start, end) : undefined;
  while (reader.pos < reader.end) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === 1 && stretch !== undefined && wireType === LENGTH_DELIMITED) {
      const from = reader.lengthDelimited();
      dictionary.push(stretch.cut(from, reader.pos));
    } else if (field === 1 && kind !== 'string') {
      values.add(reader, wireType);
    } else if (field === 2 && kind === 'string') {
      indices.add(reader, wireType);
    } else {
      reader.skip(wireType);
    }
  }
  switch (kind) {
    case 'double': {
      const bytes = values.fixed64Bytes(buf, 'DoubleColumn.values');
      return { kind, values: new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8) };
    }
    case 'int64':
      return { kind, values: int64sToNumbers(values.fixed64Bytes(buf, 'Int64Column.values')) };
    case 'int32':
      return { kind, values: Int32Array.from(values.uint32s(buf), zigzagDecode) };
    case 'bool':
      return { kind, values: Uint8Array.from(values.uint32s(buf), (v) => (v === 0 ? 0 : 1)) };
    case 'string':
      return { kind, dictionary, indices: indices.uint32s(buf) };
  }
}

/** Writes `column` as field `field` (a `Column` message) of the enclosing message. */
export function writeColumn(writer: WireWriter, field: number, column: Column): void {
  const outer = writer.beginMessage(field);
  const member = writer.beginMessage(MEMBER_OF[column.kind]);
  switch (column.kind) {
    case 'double':
      writer.packedFixed64Field(
        1,
        new Uint8Array(column.values.buffer, column.values.byteOffset, column.values.byteLength),
      );
      break;
    case 'int64':
      writer.packedFixed64Field(1, numbersToInt64s(column.values));
      break;
    case 'int32':
      writer.packedVarintField(1, column.values, zigzagEncode);
      break;
    case 'bool':
      writer.packedVarintField(1, column.values);
      break;
    case 'string':
      for (const value of column.dictionary) writer.stringField(1, value);
      writer.packedVarintField(2, column.indices);
      break;
  }
  writer.endMessage(member);
  writer.endMessage(outer);
}

/** Whole numbers to 8-byte little-endian two's complement (exact within +-2^53). */
export function numbersToInt64s(values: ArrayLike<number>): Uint8Array {
  const words = new Int32Array(values.length * 2);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    const high = Math.floor(value / 4294967296);
    words[2 * i] = value - high * 4294967296;
    words[2 * i + 1] = high;
  }
  return new Uint8Array(words.buffer);
}

/** Checks a decoded column against the kind and length the function expects. */
export function expectColumn(
  column: Column | undefined,
  kind: ColumnKind,
  length: number,
  what: string,
): Column {
  if (column === undefined) {
    if (length === 0) return allocateColumn(kind, 0);
    throw new WireFormatError(`${what}: no values (expected ${length} ${kind} values)`);
  }
  if (column.kind !== kind) {
    throw new WireFormatError(
      `${what}: got a ${column.kind} column (expected ${kind}: send the member Describe's type names)`,
    );
  }
  if (columnLength(column) !== length) {
    throw new WireFormatError(
      `${what}: ${columnLength(column)} values (expected ${length}, one per event or window)`,
    );
  }
  return column;
}
