/**
 * Runs one decoded Invoke batch through a window function:
 * columns -> per-window validation -> event objects -> the TypeScript function -> result columns.
 * A window that fails (bad values, the function throws, a result that does not fit its type)
 * becomes a row error; the others still get their rows. Only a batch whose columns do not fit
 * the function at all is refused as a whole.
 *
 * The batch is computed in slices of about YIELD_AFTER_MS, giving the event loop back between
 * them (./event-loop-turns.ts: one slice of one call per turn), so that health checks and other
 * calls are answered while large batches run.
 */
import { describeError } from '../core/errors.ts';
import { expectColumn } from './codec/column-codec.ts';
import { allocateColumn, type Column } from './codec/columns.ts';
import type { InvokeRequestBatch } from './codec/invoke-request.ts';
import type { InvokeResponseBatch, RowError } from './codec/invoke-response.ts';
import { WireFormatError } from './codec/wire-reader.ts';
import { nextTurn } from './event-loop-turns.ts';
import { byteLengthsOf, MAX_ROW_ERROR_CHARS } from './invoke-limits.ts';
import type { ResultSink, WindowFunction } from './window-function.ts';

/** The most windows between two looks at the clock (deadline, cancellation, time to yield):
 * rarely enough that the clock read costs nothing per window of a fast function. A slow
 * function gets looked at more often, about every CLOCK_CHECK_MS of its work. */
const CLOCK_CHECK_MAX_WINDOWS = 32;
const CLOCK_CHECK_MS = 1;

/** Longest run of computing before the event loop gets a turn (health answers within it). */
const YIELD_AFTER_MS = 10;

/** Characters of an entity id a row error quotes: ids come from the caller, unbounded. */
const ENTITY_QUOTE_CHARS = 64;

export interface RunControl {
  /** Epoch ms after which the caller no longer wants the answer (Infinity: no deadline). */
  readonly deadlineMs: number;
  /** True once the caller has gone away. */
  readonly cancelled: () => boolean;
  /** Longest entity id in UTF-8 bytes; a longer one fails its row. Default: no limit. */
  readonly maxEntityIdBytes?: number;
  /** The byte length of each entry of the batch's entity id dictionary, if already known. */
  readonly entityIdBytes?: ArrayLike<number>;
}

export type RunOutcome =
  | { readonly status: 'ok'; readonly response: InvokeResponseBatch; readonly failedRows: number }
  | { readonly status: 'deadline_exceeded' | 'cancelled'; readonly windowsDone: number };

/**
 * Runs the batch, giving the event loop a turn every YIELD_AFTER_MS of computing. Rejects with
 * WireFormatError when the batch's shape does not fit the function.
 */
export async function runInvokeBatch(
  fn: WindowFunction,
  batch: InvokeRequestBatch,
  control: RunControl,
): Promise<RunOutcome> {
  const run = slicedRun(fn, batch, control);
  for (let step = run.next(); ; step = run.next()) {
    if (step.done) return step.value;
    await nextTurn();
  }
}

/** `runInvokeBatch` in one go, never yielding (benchmarks of the per-window cost). */
export function runInvokeBatchNow(
  fn: WindowFunction,
  batch: InvokeRequestBatch,
  control: RunControl,
): RunOutcome {
  const run = slicedRun(fn, batch, control);
  for (let step = run.next(); ; step = run.next()) if (step.done) return step.value;
}

/** The run, as a generator that yields (nothing) each time the event loop is due a turn. */
function* slicedRun(
  fn: WindowFunction,
  batch: InvokeRequestBatch,
  control: RunControl,
): Generator<undefined, RunOutcome, undefined> {
  const rows = batch.eventCounts.length;
  const name = fn.descriptor.name;
  const entityIds = batch.entityIds;
  if (
    entityIds.indices.length !== rows ||
    batch.windowStarts.length !== rows ||
    batch.windowEnds.length !== rows
  ) {
    throw new WireFormatError(
      `${name}: ${rows} event_counts but ${entityIds.indices.length} entity_ids, ${batch.windowStarts.length} window_starts and ${batch.windowEnds.length} window_ends (send one of each per window)`,
    );
  }
  let totalEvents = 0;
  for (let i = 0; i < rows; i++) totalEvents += batch.eventCounts[i]!;
  if (batch.eventColumns.length !== fn.eventFields.length) {
    throw new WireFormatError(
      `${name}: ${batch.eventColumns.length} event columns (expected ${fn.eventFields.length}: ${fn.eventFields.map((f) => f.name).join(', ')})`,
    );
  }
  const columns: Column[] = fn.eventFields.map((field, c) =>
    expectColumn(
      batch.eventColumns[c],
      field.column,
      totalEvents,
      `${name}: event column ${c} (${field.name})`,
    ),
  );

  const events = fn.bindEvents(columns);
  const sinks = fn.resultFields.map((f) => createSink(f.column, rows));
  const writeRow = fn.bindResults(sinks);
  const errors: RowError[] = [];
  const dictionary = entityIds.dictionary;
  const entityIndex = entityIds.indices;
  const maxEntityIdBytes = control.maxEntityIdBytes ?? Number.POSITIVE_INFINITY;
  const entityIdBytes =
    maxEntityIdBytes === Number.POSITIVE_INFINITY
      ? undefined
      : (control.entityIdBytes ?? byteLengthsOf(dictionary));

  // No closures are created per window: the CLI runs through tsx, whose keep-names transform
  // makes every closure creation a defineProperty call.
  let offset = 0;
  let sliceStarted = performance.now();
  let checkedAt = sliceStarted;
  let checkedRow = 0;
  let nextCheck = 1;
  for (let row = 0; row < rows; row++) {
    if (row === nextCheck) {
      const now = performance.now();
      const msPerWindow = (now - checkedAt) / (row - checkedRow);
      nextCheck =
        row +
        Math.max(
          1,
          Math.min(CLOCK_CHECK_MAX_WINDOWS, Math.floor(CLOCK_CHECK_MS / (msPerWindow || 1e-9))),
        );
      checkedRow = row;
      checkedAt = now;
      if (now - sliceStarted > YIELD_AFTER_MS) {
        yield;
        sliceStarted = performance.now();
        checkedAt = sliceStarted;
      }
      // The deadline first: a client whose deadline passed also cancels the call.
      if (Date.now() > control.deadlineMs) return { status: 'deadline_exceeded', windowsDone: row };
      if (control.cancelled()) return { status: 'cancelled', windowsDone: row };
    }
    const count = batch.eventCounts[row]!;
    const first = offset;
    offset += count;
    const entityId = dictionary[entityIndex[row]!];
    const windowStart = batch.windowStarts[row]!;
    const windowEnd = batch.windowEnds[row]!;

    let problem = checkWindow(entityId, windowStart, windowEnd);
    if (problem === undefined && entityIdBytes !== undefined) {
      const bytes = entityIdBytes[entityIndex[row]!]!;
      if (bytes > maxEntityIdBytes) {
        problem = `the entity id is ${bytes} bytes long (at most ${maxEntityIdBytes}, --max-entity-id-bytes; entity ids are keys such as a card id)`;
      }
    }
    for (let e = first; problem === undefined && e < offset; e++) {
      const why = events.check(e);
      if (why !== undefined) problem = `event ${e - first} of the window: ${why}`;
    }
    if (problem !== undefined) {
      errors.push(rowError(name, row, entityId, windowStart, windowEnd, problem));
      continue;
    }
    const windowEvents = new Array<object>(count);
    for (let e = 0; e < count; e++) windowEvents[e] = events.event(first + e);
    try {
      const result = fn.compute(windowEvents, { entityId: entityId!, windowStart, windowEnd });
      const misfit = writeRow(result, row);
      if (misfit !== undefined) {
        const why = `the function returned ${misfit}; a bug in the function, please report it`;
        errors.push(rowError(name, row, entityId, windowStart, windowEnd, why));
      }
    } catch (error) {
      errors.push(rowError(name, row, entityId, windowStart, windowEnd, describeError(error)));
    }
  }
  if (Date.now() > control.deadlineMs) return { status: 'deadline_exceeded', windowsDone: rows };
  if (control.cancelled()) return { status: 'cancelled', windowsDone: rows };
  return {
    status: 'ok',
    response: { rowCount: rows, resultColumns: sinks.map(finishSink), errors },
    failedRows: errors.length,
  };
}

/** A row error quotes at most ENTITY_QUOTE_CHARS of the entity id and is at most
 * MAX_ROW_ERROR_CHARS long: neither the id nor a problem text may echo unbounded input. */
function rowError(
  name: string,
  row: number,
  entityId: string | undefined,
  windowStart: number,
  windowEnd: number,
  problem: string,
): RowError {
  const id = entityId ?? '';
  const quoted =
    id.length <= ENTITY_QUOTE_CHARS
      ? `'${id}'`
      : `'${id.slice(0, ENTITY_QUOTE_CHARS)}...' (${id.length} characters)`;
  const reason = `${name} row ${row} (entity ${quoted}, window [${windowStart}, ${windowEnd})): ${problem}`;
  return {
    row,
    reason:
      reason.length <= MAX_ROW_ERROR_CHARS
        ? reason
        : `${reason.slice(0, MAX_ROW_ERROR_CHARS - 3)}...`,
  };
}

function checkWindow(
  entityId: string | undefined,
  windowStart: number,
  windowEnd: number,
): string | undefined {
  if (entityId === undefined) return 'the entity id is missing (a dictionary index out of range)';
  if (entityId.length === 0) return 'the entity id is empty (expected a non-empty string)';
  if (!Number.isSafeInteger(windowStart) || !Number.isSafeInteger(windowEnd)) {
    return 'the window bounds are not epoch milliseconds (expected integers within +-2^53)';
  }
  if (windowEnd <= windowStart) {
    return 'the window ends before it starts (expected window_start < window_end)';
  }
  return undefined;
}

function createSink(kind: Column['kind'], rows: number): ResultSink {
  if (kind === 'string') return { kind, values: new Array<string>(rows).fill('') };
  return allocateColumn(kind, rows) as ResultSink;
}

/** Result strings (entity ids) rarely repeat within a batch: the dictionary is the values in
 * row order, with no deduplication pass. */
function finishSink(sink: ResultSink): Column {
  if (sink.kind !== 'string') return sink;
  const indices = new Uint32Array(sink.values.length);
  for (let i = 0; i < indices.length; i++) indices[i] = i;
  return { kind: 'string', dictionary: sink.values, indices };
}
