/**
 * `InvokeRequest` (udf.proto) to and from its columnar in-memory form. The server decodes it on
 * every call; the TypeScript client (tests, benchmarks) encodes it. Structure is checked here
 * only as far as the bytes go; whether the columns fit the function is the runner's check.
 */

import {
  numbersToInt64s,
  readColumn,
  readStringColumn,
  writeColumn,
  writeStringColumn,
} from './column-codec.ts';
import type { Column, StringColumn } from './columns.ts';
import {
  int64sToNumbers,
  RepeatedField,
  readUtf8,
  WIRE_LENGTH_DELIMITED,
  WireReader,
} from './wire-reader.ts';
import { WireWriter } from './wire-writer.ts';

// Module-level copies: tsx compiles imports to getter calls, too slow inside per-value loops.
const LENGTH_DELIMITED = WIRE_LENGTH_DELIMITED;

export interface InvokeRequestBatch {
  readonly functionName: string;
  /** One per window. */
  readonly entityIds: StringColumn;
  /** Epoch ms, one per window. */
  readonly windowStarts: ArrayLike<number>;
  readonly windowEnds: ArrayLike<number>;
  /** Events per window, in order. */
  readonly eventCounts: ArrayLike<number>;
  /** One per event field; `undefined` for a column sent with no member (an empty column). */
  readonly eventColumns: readonly (Column | undefined)[];
}

const FIELD = {
  function: 1,
  entityIds: 2,
  windowStarts: 3,
  windowEnds: 4,
  eventCounts: 5,
  eventColumns: 6,
} as const;

/** Throws WireFormatError on bytes that are not an InvokeRequest. */
export function decodeInvokeRequest(buf: Uint8Array): InvokeRequestBatch {
  const reader = new WireReader(buf);
  let functionName = '';
  let entityIds: StringColumn = { kind: 'string', dictionary: [], indices: new Uint32Array(0) };
  const starts = new RepeatedField();
  const ends = new RepeatedField();
  const counts = new RepeatedField();
  const eventColumns: (Column | undefined)[] = [];
  while (reader.pos < reader.end) {
    const tag = reader.uint32();
    const wireType = tag & 7;
    switch (tag >>> 3) {
      case FIELD.function:
        if (wireType !== LENGTH_DELIMITED) {
          reader.skip(wireType);
          break;
        }
        {
          const start = reader.lengthDelimited();
          functionName = readUtf8(buf, start, reader.pos);
        }
        break;
      case FIELD.entityIds:
        if (wireType !== LENGTH_DELIMITED) {
          reader.skip(wireType);
          break;
        }
        {
          const start = reader.lengthDelimited();
          entityIds = readStringColumn(buf, start, reader.pos);
        }
        break;
      case FIELD.windowStarts:
        starts.add(reader, wireType);
        break;
      case FIELD.windowEnds:
        ends.add(reader, wireType);
        break;
      case FIELD.eventCounts:
        counts.add(reader, wireType);
        break;
      case FIELD.eventColumns:
        if (wireType !== LENGTH_DELIMITED) {
          reader.skip(wireType);
          break;
        }
        {
          const start = reader.lengthDelimited();
          eventColumns.push(readColumn(buf, start, reader.pos));
        }
        break;
      default:
        // A field from a newer v1 client: ignore it, as protobuf readers do.
        reader.skip(wireType);
    }
  }
  return {
    functionName,
    entityIds,
    windowStarts: int64sToNumbers(starts.fixed64Bytes(buf, 'InvokeRequest.window_starts')),
    windowEnds: int64sToNumbers(ends.fixed64Bytes(buf, 'InvokeRequest.window_ends')),
    eventCounts: counts.uint32s(buf),
    eventColumns,
  };
}

export function encodeInvokeRequest(batch: InvokeRequestBatch): Buffer {
  const writer = new WireWriter();
  writer.stringField(FIELD.function, batch.functionName);
  writeStringColumn(writer, FIELD.entityIds, batch.entityIds);
  writer.packedFixed64Field(FIELD.windowStarts, numbersToInt64s(batch.windowStarts));
  writer.packedFixed64Field(FIELD.windowEnds, numbersToInt64s(batch.windowEnds));
  writer.packedVarintField(FIELD.eventCounts, batch.eventCounts);
  for (const column of batch.eventColumns) {
    if (column === undefined) throw new TypeError('encodeInvokeRequest: every column needs values');
    writeColumn(writer, FIELD.eventColumns, column);
  }
  return writer.finish();
}
