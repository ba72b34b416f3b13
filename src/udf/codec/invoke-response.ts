/**
 * `InvokeResponse` (udf.proto) to and from its columnar in-memory form: the server encodes it on
 * every call; the TypeScript client decodes it.
 */

import { readColumn, writeColumn } from './column-codec.ts';
import type { Column } from './columns.ts';
import { readUtf8, WIRE_LENGTH_DELIMITED, WIRE_VARINT, WireReader } from './wire-reader.ts';
import { WireWriter } from './wire-writer.ts';

// Module-level copies: tsx compiles imports to getter calls, too slow inside per-value loops.
const LENGTH_DELIMITED = WIRE_LENGTH_DELIMITED;
const VARINT = WIRE_VARINT;

export interface RowError {
  readonly row: number;
  readonly reason: string;
}

export interface InvokeResponseBatch {
  readonly rowCount: number;
  /** One per result field; a row listed in `errors` holds placeholders. */
  readonly resultColumns: readonly (Column | undefined)[];
  /** By ascending row. */
  readonly errors: readonly RowError[];
}

const FIELD = { rowCount: 1, resultColumns: 2, errors: 3 } as const;
const ERROR_FIELD = { row: 1, reason: 2 } as const;

export function encodeInvokeResponse(batch: InvokeResponseBatch, initialBytes?: number): Buffer {
  const writer = new WireWriter(initialBytes);
  writer.uint32Field(FIELD.rowCount, batch.rowCount);
  for (const column of batch.resultColumns) {
    if (column === undefined)
      throw new TypeError('encodeInvokeResponse: every column needs values');
    writeColumn(writer, FIELD.resultColumns, column);
  }
  for (const error of batch.errors) {
    const mark = writer.beginMessage(FIELD.errors);
    writer.uint32Field(ERROR_FIELD.row, error.row);
    writer.stringField(ERROR_FIELD.reason, error.reason);
    writer.endMessage(mark);
  }
  return writer.finish();
}

/** Throws WireFormatError on bytes that are not an InvokeResponse. */
export function decodeInvokeResponse(buf: Uint8Array): InvokeResponseBatch {
  const reader = new WireReader(buf);
  let rowCount = 0;
  const resultColumns: (Column | undefined)[] = [];
  const errors: RowError[] = [];
  while (reader.pos < reader.end) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === FIELD.rowCount && wireType === VARINT) {
      rowCount = reader.uint32();
    } else if (field === FIELD.resultColumns && wireType === LENGTH_DELIMITED) {
      const start = reader.lengthDelimited();
      resultColumns.push(readColumn(buf, start, reader.pos));
    } else if (field === FIELD.errors && wireType === LENGTH_DELIMITED) {
      const start = reader.lengthDelimited();
      errors.push(readRowError(buf, start, reader.pos));
    } else {
      reader.skip(wireType);
    }
  }
  return { rowCount, resultColumns, errors };
}

function readRowError(buf: Uint8Array, start: number, end: number): RowError {
  const reader = new WireReader(buf, start, end);
  let row = 0;
  let reason = '';
  while (reader.pos < reader.end) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === ERROR_FIELD.row && wireType === VARINT) {
      row = reader.uint32();
    } else if (field === ERROR_FIELD.reason && wireType === LENGTH_DELIMITED) {
      const start = reader.lengthDelimited();
      reason = readUtf8(buf, start, reader.pos);
    } else {
      reader.skip(wireType);
    }
  }
  return { row, reason };
}
