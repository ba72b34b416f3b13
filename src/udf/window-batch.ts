/**
 * The client side of the columnar batch: windows of event objects into an Invoke request, and
 * the response back into one row object (or one error) per window. The Java bridge does the
 * same in Java; this TypeScript form serves `featureflow` tools, tests and benchmarks.
 */
import { type Column, type ColumnKind, StringColumnBuilder } from './codec/columns.ts';
import type { InvokeRequestBatch } from './codec/invoke-request.ts';
import type { InvokeResponseBatch } from './codec/invoke-response.ts';

export interface WindowInput {
  readonly entityId: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly events: readonly Readonly<Record<string, unknown>>[];
}

export interface NamedColumn {
  readonly name: string;
  readonly column: ColumnKind;
}

export type WindowOutput =
  | { readonly ok: true; readonly row: Record<string, string | number | boolean> }
  | { readonly ok: false; readonly reason: string };

export function toInvokeRequest(
  functionName: string,
  eventFields: readonly NamedColumn[],
  windows: readonly WindowInput[],
): InvokeRequestBatch {
  const rows = windows.length;
  const entityIds = new StringColumnBuilder(rows, false);
  const windowStarts = new Float64Array(rows);
  const windowEnds = new Float64Array(rows);
  const eventCounts = new Uint32Array(rows);
  let totalEvents = 0;
  windows.forEach((window, i) => {
    entityIds.set(i, window.entityId);
    windowStarts[i] = window.windowStart;
    windowEnds[i] = window.windowEnd;
    eventCounts[i] = window.events.length;
    totalEvents += window.events.length;
  });
  const eventColumns = eventFields.map((field): Column => {
    const values: unknown[] = [];
    for (const window of windows) for (const event of window.events) values.push(event[field.name]);
    return columnOf(field.column, values, totalEvents);
  });
  return {
    functionName,
    entityIds: entityIds.build(),
    windowStarts,
    windowEnds,
    eventCounts,
    eventColumns,
  };
}

/** Values as sent: a value of the wrong type is sent as-is where the column allows (NaN for a
 * non-number), so the server's per-row validation is what decides. */
function columnOf(kind: ColumnKind, values: readonly unknown[], length: number): Column {
  switch (kind) {
    case 'double':
    case 'int64':
      return {
        kind,
        values: Float64Array.from(values, (v) => (typeof v === 'number' ? v : Number.NaN)),
      };
    case 'int32':
      return { kind, values: Int32Array.from(values, (v) => Number(v)) };
    case 'bool':
      return { kind, values: Uint8Array.from(values, (v) => (v ? 1 : 0)) };
    case 'string': {
      const builder = new StringColumnBuilder(length, false);
      values.forEach((v, i) => {
        builder.set(i, typeof v === 'string' ? v : String(v ?? ''));
      });
      return builder.build();
    }
  }
}

export function fromInvokeResponse(
  resultFields: readonly NamedColumn[],
  response: InvokeResponseBatch,
): WindowOutput[] {
  const failed = new Map(response.errors.map((e) => [e.row, e.reason]));
  const out: WindowOutput[] = [];
  for (let row = 0; row < response.rowCount; row++) {
    const reason = failed.get(row);
    if (reason !== undefined) {
      out.push({ ok: false, reason });
      continue;
    }
    const values: Record<string, string | number | boolean> = {};
    resultFields.forEach((field, c) => {
      const column = response.resultColumns[c];
      if (column === undefined) return;
      values[field.name] =
        column.kind === 'string'
          ? column.dictionary[column.indices[row]!]!
          : column.kind === 'bool'
            ? column.values[row] === 1
            : column.values[row]!;
    });
    out.push({ ok: true, row: values });
  }
  return out;
}
