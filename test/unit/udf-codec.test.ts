// The hand-written Invoke codec against protobufjs (through @grpc/proto-loader) on udf.proto:
// what one writes, the other reads, for every column kind and the awkward values (multi-byte
// UTF-8, long strings, negative and 2^53-scale integers, -0 and infinities).
import { loadSync } from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';
import type { Column } from '../../src/udf/codec/columns.ts';
import { decodeInvokeRequest, encodeInvokeRequest } from '../../src/udf/codec/invoke-request.ts';
import { decodeInvokeResponse, encodeInvokeResponse } from '../../src/udf/codec/invoke-response.ts';
import { UDF_PROTO_FILE, UDF_PROTO_LOADER_OPTIONS } from '../../src/udf/proto-files.ts';

interface Serializers {
  requestSerialize(value: object): Buffer;
  requestDeserialize(bytes: Buffer): Record<string, unknown>;
  responseSerialize(value: object): Buffer;
  responseDeserialize(bytes: Buffer): Record<string, unknown>;
}
const protobufjs = (
  loadSync(UDF_PROTO_FILE, UDF_PROTO_LOADER_OPTIONS)[
    'featureflow.udf.v1.UdfService'
  ] as unknown as {
    Invoke: Serializers;
  }
).Invoke;

const LONG = 'x'.repeat(200);
const strings = ['card-1', 'Zürich', '東京', '🙂 emoji', LONG, ''];
const doubles = [0, -0, 1.5, -1e300, Number.POSITIVE_INFINITY, 5e-324];
const longs = [0, -1, 2 ** 53 - 1, -(2 ** 53) + 1, 1_709_251_200_000, 4294967296];
const ints = [0, -1, 2147483647, -2147483648, 300, -300];
const bools = [1, 0, 1, 1, 0, 0];

const columns: Column[] = [
  { kind: 'double', values: Float64Array.from(doubles) },
  { kind: 'int64', values: Float64Array.from(longs) },
  { kind: 'int32', values: Int32Array.from(ints) },
  { kind: 'bool', values: Uint8Array.from(bools) },
  { kind: 'string', dictionary: strings, indices: Uint32Array.from([5, 4, 3, 2, 1, 0]) },
];

/** A Column as protobufjs objects: the oneof member name and its values. */
function protobufjsColumn(column: Column): Record<string, unknown> {
  switch (column.kind) {
    case 'double':
      return { doubles: { values: [...column.values] } };
    case 'int64':
      return { longs: { values: [...column.values] } };
    case 'int32':
      return { ints: { values: [...column.values] } };
    case 'bool':
      return { bools: { values: [...column.values].map((v) => v === 1) } };
    case 'string':
      return { strings: { dictionary: [...column.dictionary], indices: [...column.indices] } };
  }
}

describe('InvokeRequest codec', () => {
  const batch = {
    functionName: 'transaction_features',
    entityIds: {
      kind: 'string' as const,
      dictionary: ['a', 'ä', LONG],
      indices: Uint32Array.from([2, 0, 1, 1, 0, 2]),
    },
    windowStarts: Float64Array.from(longs),
    windowEnds: Float64Array.from(longs.map((v) => v + 300_000)),
    eventCounts: Uint32Array.from([1, 0, 2, 1, 200, 1]),
    eventColumns: columns,
  };

  it('is read by protobufjs as written', () => {
    const decoded = protobufjs.requestDeserialize(encodeInvokeRequest(batch));
    expect(decoded).toMatchObject({
      function: 'transaction_features',
      entity_ids: { dictionary: ['a', 'ä', LONG], indices: [2, 0, 1, 1, 0, 2] },
      window_starts: longs,
      window_ends: longs.map((v) => v + 300_000),
      event_counts: [1, 0, 2, 1, 200, 1],
      event_columns: columns.map(protobufjsColumn),
    });
  });

  it('reads what protobufjs writes', () => {
    const bytes = protobufjs.requestSerialize({
      function: 'clickstream_features',
      entity_ids: { dictionary: ['ü', 'b'], indices: [1, 0] },
      window_starts: [longs[2], longs[3]],
      window_ends: [longs[4], longs[5]],
      event_counts: [3, 3],
      event_columns: columns.map(protobufjsColumn),
    });
    const decoded = decodeInvokeRequest(bytes);
    expect(decoded.functionName).toBe('clickstream_features');
    expect(decoded.entityIds.dictionary).toEqual(['ü', 'b']);
    expect([...decoded.entityIds.indices]).toEqual([1, 0]);
    expect(Array.from(decoded.windowStarts)).toEqual([longs[2], longs[3]]);
    expect(Array.from(decoded.windowEnds)).toEqual([longs[4], longs[5]]);
    expect(Array.from(decoded.eventCounts)).toEqual([3, 3]);
    expect(decoded.eventColumns).toEqual(columns);
  });

  it('turns a 64-bit integer beyond 2^53 into NaN rather than a rounded number', () => {
    const bytes = protobufjs.requestSerialize({
      function: 'f',
      window_starts: ['9007199254740993'],
      window_ends: [1],
      event_counts: [0],
      entity_ids: { dictionary: ['a'], indices: [0] },
    });
    expect(Array.from(decodeInvokeRequest(bytes).windowStarts)).toEqual([Number.NaN]);
  });
});

describe('InvokeResponse codec', () => {
  const response = {
    rowCount: 6,
    resultColumns: columns,
    errors: [
      { row: 0, reason: 'bad: ünïcödé' },
      { row: 5, reason: LONG },
    ],
  };

  it('is read by protobufjs as written', () => {
    expect(protobufjs.responseDeserialize(encodeInvokeResponse(response))).toMatchObject({
      row_count: 6,
      result_columns: columns.map(protobufjsColumn),
      errors: [
        { row: 0, reason: 'bad: ünïcödé' },
        { row: 5, reason: LONG },
      ],
    });
  });

  it('reads what protobufjs writes', () => {
    const bytes = protobufjs.responseSerialize({
      row_count: 6,
      result_columns: columns.map(protobufjsColumn),
      errors: [{ row: 3, reason: 'x' }],
    });
    expect(decodeInvokeResponse(bytes)).toEqual({
      rowCount: 6,
      resultColumns: columns,
      errors: [{ row: 3, reason: 'x' }],
    });
  });
});
