/**
 * Which wire encoding for the UDF service's batched Invoke? Measures, in one process and one run,
 * the server-side cost per window (decode request -> TypeScript feature function -> encode
 * response) of each candidate against the same function called in-process on ready objects:
 *
 *   in-process        the transactions job's computeFeatures on event objects (the floor)
 *   avro-batch        one Avro record per batch (avsc): windows with nested event records
 *   proto-rows        protobuf, one message per window and per event (grpc-js + proto-loader)
 *   proto-columnar    udf.proto's columnar messages through proto-loader (protobufjs)
 *   columnar-generic  udf.proto, this repo's codec, events built by a generic property loop
 *   columnar          udf.proto, this repo's codec and generated binders (what the server runs)
 *
 * The client's side (encode request, decode response) is reported too, in TypeScript; the Java
 * bridge's side is in bench/udf-bridge.ts.
 *
 *   npx tsx bench/udf-encoding.ts [--windows 512] [--events 5] [--seconds 1.5] [--no-record]
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadSync } from '@grpc/proto-loader';
import avro from 'avsc';
import { builtInJobRegistry } from '../src/core/jobs/load-definitions.ts';
import type { TransactionEvent } from '../src/jobs/transactions.ts';

const TRANSACTIONS = builtInJobRegistry().get('transactions');
const transactionFor = TRANSACTIONS.sample!() as (
  ...args: Parameters<ReturnType<NonNullable<typeof TRANSACTIONS.sample>>>
) => TransactionEvent;

import { SeededRandom } from '../src/generate/seeded-random.ts';
import type { Column } from '../src/udf/codec/columns.ts';
import { decodeInvokeRequest, encodeInvokeRequest } from '../src/udf/codec/invoke-request.ts';
import { decodeInvokeResponse, encodeInvokeResponse } from '../src/udf/codec/invoke-response.ts';
import { featureFunctions } from '../src/udf/feature-functions.ts';
import { runInvokeBatchNow } from '../src/udf/invoke-runner.ts';
import { UDF_PROTO_FILE, UDF_PROTO_LOADER_OPTIONS } from '../src/udf/proto-files.ts';
import { fromInvokeResponse, toInvokeRequest, type WindowInput } from '../src/udf/window-batch.ts';
import type { EventBinding, WindowFunction } from '../src/udf/window-function.ts';
import { machineLine } from './support/measure.ts';
import { recordResult } from './support/results-table.ts';

const { values: flags } = parseArgs({
  options: {
    windows: { type: 'string', default: '512' },
    events: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '1.5' },
    'no-record': { type: 'boolean', default: false },
  },
});
const WINDOWS = Number(flags.windows);
const EVENTS = Number(flags.events);
const SECONDS = Number(flags.seconds);
const WINDOW_MS = 300_000;

// --- the data: one batch of WINDOWS card windows with EVENTS transactions each ----------------
const random = new SeededRandom(7);
const windows: WindowInput[] = [];
for (let w = 0; w < WINDOWS; w++) {
  const windowStart = Date.parse('2024-01-01T00:00:00Z') + (w % 60) * 60_000;
  const events: TransactionEvent[] = [];
  for (let e = 0; e < EVENTS; e++) {
    events.push(transactionFor(random, w, w * EVENTS + e, windowStart + random.int(WINDOW_MS)));
  }
  windows.push({
    entityId: `card-${w}`,
    windowStart,
    windowEnd: windowStart + WINDOW_MS,
    events: events as unknown as Record<string, unknown>[],
  });
}
const fn = featureFunctions().find((f) => f.descriptor.name === 'transaction_features')!;
const eventFields = fn.eventFields.map((f) => ({ name: f.name, column: f.column }));
const resultFields = fn.resultFields.map((f) => ({ name: f.name, column: f.column }));
const computeOne = (window: WindowInput) =>
  TRANSACTIONS.computeFeatures(window.events as unknown as TransactionEvent[], window);

/** Runs `pass` for about SECONDS and returns microseconds per window (median of 5 slices). */
function measure(pass: () => unknown): number {
  for (let i = 0; i < 50; i++) pass(); // warm-up: let the JIT settle
  const slices: number[] = [];
  for (let s = 0; s < 5; s++) {
    let passes = 0;
    const started = performance.now();
    while (performance.now() - started < (SECONDS * 1000) / 5) {
      pass();
      passes++;
    }
    slices.push(((performance.now() - started) * 1000) / (passes * WINDOWS));
  }
  slices.sort((a, b) => a - b);
  return slices[2]!;
}

interface Candidate {
  name: string;
  requestBytes: number;
  responseBytes: number;
  server: () => unknown;
  client: () => unknown;
}

// --- avro-batch -------------------------------------------------------------------------------
const avroEvent = {
  type: 'record',
  name: 'Event',
  fields: [
    { name: 'amount', type: 'double' },
    { name: 'merchant_id', type: 'string' },
    { name: 'country', type: 'string' },
    { name: 'timestamp', type: 'long' },
  ],
};
const avroRequest = avro.Type.forSchema(<avro.Schema>{
  type: 'record',
  name: 'Batch',
  fields: [
    {
      name: 'windows',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'Window',
          fields: [
            { name: 'entityId', type: 'string' },
            { name: 'windowStart', type: 'long' },
            { name: 'windowEnd', type: 'long' },
            { name: 'events', type: { type: 'array', items: avroEvent } },
          ],
        },
      },
    },
  ],
});
const featureSchema = JSON.parse(
  (await import('node:fs')).readFileSync(
    fileURLToPath(new URL('../schemas/transaction_features.avsc', import.meta.url)),
    'utf8',
  ),
);
const avroResponse = avro.Type.forSchema({ type: 'array', items: featureSchema });
const avroRequestBytes = avroRequest.toBuffer({ windows });
const avroResponseBytes = avroResponse.toBuffer(windows.map(computeOne));
const avroBatch: Candidate = {
  name: 'avro-batch',
  requestBytes: avroRequestBytes.length,
  responseBytes: avroResponseBytes.length,
  server: () => {
    const batch = avroRequest.fromBuffer(avroRequestBytes) as { windows: WindowInput[] };
    return avroResponse.toBuffer(batch.windows.map(computeOne));
  },
  client: () => {
    avroRequest.toBuffer({ windows });
    return avroResponse.fromBuffer(avroResponseBytes);
  },
};

// --- proto-rows -------------------------------------------------------------------------------
type Method = {
  requestSerialize: (v: object) => Buffer;
  requestDeserialize: (b: Buffer) => unknown;
  responseSerialize: (v: object) => Buffer;
  responseDeserialize: (b: Buffer) => unknown;
};
const rowsDefinition = loadSync(
  fileURLToPath(new URL('./support/udf-alternatives.proto', import.meta.url)),
  UDF_PROTO_LOADER_OPTIONS,
);
const rowsMethod = (rowsDefinition['featureflow.bench.RowUdf'] as unknown as { Invoke: Method })
  .Invoke;
const rowsRequest = {
  function: 'transaction_features',
  windows: windows.map((w) => ({
    entity_id: w.entityId,
    window_start: w.windowStart,
    window_end: w.windowEnd,
    events: w.events,
  })),
};
const rowsRequestBytes = rowsMethod.requestSerialize(rowsRequest);
const rowsResponseBytes = rowsMethod.responseSerialize({ rows: windows.map(computeOne) });
const protoRows: Candidate = {
  name: 'proto-rows',
  requestBytes: rowsRequestBytes.length,
  responseBytes: rowsResponseBytes.length,
  server: () => {
    const request = rowsMethod.requestDeserialize(rowsRequestBytes) as {
      windows: {
        entity_id: string;
        window_start: number;
        window_end: number;
        events: TransactionEvent[];
      }[];
    };
    const rows = request.windows.map((w) =>
      TRANSACTIONS.computeFeatures(w.events, {
        entityId: w.entity_id,
        windowStart: w.window_start,
        windowEnd: w.window_end,
      }),
    );
    return rowsMethod.responseSerialize({ rows });
  },
  client: () => {
    rowsMethod.requestSerialize(rowsRequest);
    return rowsMethod.responseDeserialize(rowsResponseBytes);
  },
};

// --- proto-columnar (udf.proto through protobufjs) ----------------------------------------
const udfDefinition = loadSync(UDF_PROTO_FILE, UDF_PROTO_LOADER_OPTIONS);
const udfInvoke = (udfDefinition['featureflow.udf.v1.UdfService'] as unknown as { Invoke: Method })
  .Invoke;
const columnarRequestBytes = encodeInvokeRequest(
  toInvokeRequest('transaction_features', eventFields, windows),
);
const okControl = { deadlineMs: Number.POSITIVE_INFINITY, cancelled: () => false };
const columnarOutcome = runInvokeBatchNow(fn, decodeInvokeRequest(columnarRequestBytes), okControl);
if (columnarOutcome.status !== 'ok') throw new Error('columnar run failed');
const columnarResponseBytes = encodeInvokeResponse(columnarOutcome.response);
interface PbStrings {
  dictionary: string[];
  indices: number[];
}
interface PbColumn {
  doubles?: { values: number[] };
  longs?: { values: number[] };
  strings?: PbStrings;
}
const protoColumnar: Candidate = {
  name: 'proto-columnar',
  requestBytes: columnarRequestBytes.length,
  responseBytes: columnarResponseBytes.length,
  server: () => {
    const request = udfInvoke.requestDeserialize(columnarRequestBytes) as {
      entity_ids: PbStrings;
      window_starts: number[];
      window_ends: number[];
      event_counts: number[];
      event_columns: PbColumn[];
    };
    const [amounts, merchants, countries, times] = request.event_columns as [
      PbColumn,
      PbColumn,
      PbColumn,
      PbColumn,
    ];
    const rows: object[] = [];
    let offset = 0;
    for (let w = 0; w < request.event_counts.length; w++) {
      const events: TransactionEvent[] = [];
      for (let e = 0; e < request.event_counts[w]!; e++, offset++) {
        events.push({
          amount: amounts.doubles!.values[offset]!,
          merchant_id: merchants.strings!.dictionary[merchants.strings!.indices[offset]!]!,
          country: countries.strings!.dictionary[countries.strings!.indices[offset]!]!,
          timestamp: times.longs!.values[offset]!,
        } as TransactionEvent);
      }
      rows.push(
        TRANSACTIONS.computeFeatures(events, {
          entityId: request.entity_ids.dictionary[request.entity_ids.indices[w]!]!,
          windowStart: request.window_starts[w]!,
          windowEnd: request.window_ends[w]!,
        }),
      );
    }
    // The response as protobufjs objects: one array per result column.
    const result_columns = resultFields.map((field) => {
      const values = rows.map((r) => (r as Record<string, unknown>)[field.name]);
      if (field.column === 'string') {
        return { strings: { dictionary: values, indices: values.map((_, i) => i) } };
      }
      return field.column === 'double' ? { doubles: { values } } : { longs: { values } };
    });
    return udfInvoke.responseSerialize({ row_count: rows.length, result_columns, errors: [] });
  },
  client: () => {
    encodeInvokeRequest(toInvokeRequest('transaction_features', eventFields, windows));
    return udfInvoke.responseDeserialize(columnarResponseBytes);
  },
};

// --- columnar with this repo's codec ---------------------------------------------------------
function columnarWith(name: string, fnVariant: WindowFunction): Candidate {
  return {
    name,
    requestBytes: columnarRequestBytes.length,
    responseBytes: columnarResponseBytes.length,
    server: () => {
      const outcome = runInvokeBatchNow(
        fnVariant,
        decodeInvokeRequest(columnarRequestBytes),
        okControl,
      );
      if (outcome.status !== 'ok') throw new Error('columnar run failed');
      return encodeInvokeResponse(outcome.response);
    },
    client: () => {
      encodeInvokeRequest(toInvokeRequest('transaction_features', eventFields, windows));
      return fromInvokeResponse(resultFields, decodeInvokeResponse(columnarResponseBytes));
    },
  };
}
/** The obvious binding without generated code, to show what generating it buys. */
const genericBinder = (columns: readonly Column[]): EventBinding => {
  const names = fn.eventFields.map((f) => f.name);
  const checks = fn.eventFields.map((f) => f.check);
  const valueAt = (column: Column, index: number) =>
    column.kind === 'string' ? column.dictionary[column.indices[index]!] : column.values[index];
  return {
    check: (index) => {
      for (let c = 0; c < columns.length; c++) {
        const problem = checks[c]!(valueAt(columns[c]!, index));
        if (problem !== undefined) return problem;
      }
      return undefined;
    },
    event: (index) => {
      const event: Record<string, unknown> = {};
      for (let c = 0; c < columns.length; c++) event[names[c]!] = valueAt(columns[c]!, index);
      return event;
    },
  };
};

const candidates: Candidate[] = [
  avroBatch,
  protoRows,
  protoColumnar,
  columnarWith('columnar-generic', { ...fn, bindEvents: genericBinder }),
  columnarWith('columnar', fn),
];

const inProcess = measure(() => {
  for (const window of windows) computeOne(window);
});
console.log(`in-process: ${inProcess.toFixed(3)} us/window`);
const lines: string[] = [];
const serverUs = new Map<string, number>();
for (const candidate of candidates) {
  const server = measure(candidate.server);
  const client = measure(candidate.client);
  const line =
    `| ${candidate.name} | ${(candidate.requestBytes / WINDOWS).toFixed(1)} | ${(candidate.responseBytes / WINDOWS).toFixed(1)} | ` +
    `${server.toFixed(3)} | ${(server - inProcess).toFixed(3)} | ${client.toFixed(3)} | ${Math.round(1e6 / server).toLocaleString('en-US')} |`;
  console.log(line);
  lines.push(line);
  serverUs.set(candidate.name, server);
}

console.log(`
## UDF wire encodings, server side per window (${new Date().toISOString().slice(0, 10)})
Command: \`npx tsx bench/udf-encoding.ts --windows ${WINDOWS} --events ${EVENTS} --seconds ${SECONDS}\`
Machine: ${machineLine()}, 1-minute load average ${loadavg()[0]!.toFixed(2)}. One batch of ${WINDOWS} transaction windows x ${EVENTS} events; medians of 5 slices.
In-process (the same function on ready objects): ${inProcess.toFixed(3)} us/window (${Math.round(1e6 / inProcess).toLocaleString('en-US')} windows/s).
"overhead" = server us/window - in-process us/window. The client columns are the TypeScript client's cost.

| encoding | request B/window | response B/window | server us/window | overhead us/window | TS client us/window | server windows/s |
| --- | --- | --- | --- | --- | --- | --- |
${lines.join('\n')}
`);

// The encoding the server runs must stay the cheapest of the candidates.
const columnarUs = serverUs.get('columnar')!;
const cheapestOther = Math.min(
  ...[...serverUs].filter(([name]) => name !== 'columnar').map(([, us]) => us),
);
if (!flags['no-record']) {
  await recordResult('udf-encoding', {
    figure: `columnar: ${columnarUs.toFixed(3)} us/window server side`,
    baseline: `in-process: ${inProcess.toFixed(3)} us/window`,
    ratio: `${(columnarUs / inProcess).toFixed(1)} x`,
    target: `the cheapest encoding (next: ${cheapestOther.toFixed(3)} us/window)`,
    met: columnarUs <= cheapestOther,
  });
}
