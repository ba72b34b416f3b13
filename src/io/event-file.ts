/**
 * Reads an event file, NDJSON or Avro object container, and hands every record to callbacks:
 * a decoded value, or the reason it could not be decoded. Callbacks rather than yielded items,
 * because this runs once per event and an object per event is measurable.
 */
import { open, stat } from 'node:fs/promises';
import { FeatureflowError } from '../core/errors.ts';
import type { InvalidEvent } from '../core/models/event-validation.ts';
import {
  type InputDamage,
  looksLikeAvroContainer,
  readAvroRecordBatches,
} from './avro-file-reader.ts';
import { DEFAULT_MAX_LINE_BYTES, type LineProblem, readLineBatches } from './line-reader.ts';
import { firstInvalidUtf8Offset } from './utf8-offset.ts';

export interface EventFileHandlers {
  /**
   * NDJSON only, optional: offered each non-blank line before it is parsed; true means it was
   * taken care of (replay's fast path for the usual form of a valid event), false that it goes
   * the general way, JSON.parse and `onValue` or `onUndecodable`.
   */
  onLine?(recordNumber: number, text: string): boolean;
  /** A decoded record; `raw` is the line text (NDJSON) or the record itself (Avro). */
  onValue(recordNumber: number, value: unknown, raw: unknown): void;
  /**
   * A record that could not be decoded. `raw` is the line text, or its bytes (a Buffer) when it
   * is not UTF-8 or too long (the first bytes then); `rawFields`, when given, stand for `raw` in
   * a JSON dead letter: `raw_base64`, or `bytes` and `head_base64`.
   */
  onUndecodable(
    recordNumber: number,
    problem: InvalidEvent,
    raw: unknown,
    rawFields?: Record<string, unknown>,
  ): void;
  /**
   * A part of an Avro file that could not be read (cut short, corrupt): the records around it
   * are still handed over. `recordNumber` is the number the first lost record would have had.
   */
  onDamage(recordNumber: number, damage: InputDamage): void;
  /** After each batch, awaited: the place for backpressure. `done`/`total` are bytes or records. */
  onBatchEnd(done: number, total: number): Promise<void>;
}

export interface EventFileSummary {
  format: 'ndjson' | 'avro';
  records: number;
  /** The parts of an Avro file that could not be read, in file order. */
  damage: InputDamage[];
}

export interface EventFileOptions {
  /** NDJSON: a longer line is handed to `onUndecodable` as `line_too_long`, and skipped. */
  maxLineBytes?: number;
}

export async function readEventFile(
  path: string,
  handlers: EventFileHandlers,
  options: EventFileOptions = {},
): Promise<EventFileSummary> {
  const format = await detectInputFormat(path);
  let records = 0;
  if (format.kind === 'ndjson') {
    const onLine = handlers.onLine?.bind(handlers);
    for await (const batch of readLineBatches(path, undefined, options.maxLineBytes)) {
      const { lines, firstLineNumber, problems } = batch;
      let nextProblem = 0;
      for (let i = 0; i < lines.length; i++) {
        const text = lines[i]!;
        if (isBlank(text)) {
          // A line that is not UTF-8 or is too long is '' among the lines, and comes here.
          if (problems?.[nextProblem]?.lineNumber === firstLineNumber + i) {
            records++;
            rejectLine(handlers, problems[nextProblem++]!, options.maxLineBytes);
          }
          continue;
        }
        records++;
        if (onLine?.(firstLineNumber + i, text)) continue;
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (error) {
          handlers.onUndecodable(
            firstLineNumber + i,
            {
              ok: false,
              reason: 'not_json',
              message: `line is not JSON: ${(error as Error).message} (each line must be one JSON event)`,
            },
            text,
          );
          continue;
        }
        handlers.onValue(firstLineNumber + i, value, text);
      }
      await handlers.onBatchEnd(batch.bytesRead, format.sizeBytes);
    }
    return { format: 'ndjson', records, damage: [] };
  }
  const damage: InputDamage[] = [];
  for await (const batch of readAvroRecordBatches(path)) {
    const { records: values, firstRecordNumber } = batch;
    for (let i = 0; i < values.length; i++) {
      records++;
      handlers.onValue(firstRecordNumber + i, values[i], values[i]);
    }
    if (batch.damage) {
      damage.push(batch.damage);
      handlers.onDamage(firstRecordNumber + values.length, batch.damage);
    }
    await handlers.onBatchEnd(records, records);
  }
  return { format: 'avro', records, damage };
}

/**
 * Blank: nothing but ASCII space, tab and CR, the whitespace JSON allows around a value. A line
 * of other whitespace (U+00A0, U+3000, U+2028, U+FEFF, VT, FF) is an invalid line, not a blank
 * one: `String.trim` would have dropped it silently.
 */
function isBlank(text: string): boolean {
  if (text.length === 0) return true;
  // Fast exit for the common case: a line starting with '{'.
  if (text.charCodeAt(0) === 0x7b) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code !== 0x20 && code !== 0x09 && code !== 0x0d) return false;
  }
  return true;
}

function rejectLine(
  handlers: EventFileHandlers,
  problem: LineProblem,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
): void {
  if (problem.code === 'invalid_utf8') {
    const at = firstInvalidUtf8Offset(problem.raw);
    handlers.onUndecodable(
      problem.lineNumber,
      {
        ok: false,
        reason: 'invalid_utf8',
        message: `line is not UTF-8: byte 0x${problem.raw[at]!.toString(16).padStart(2, '0')} at byte ${at} of the line (write the file as UTF-8; the line's bytes are in raw_base64)`,
      },
      problem.raw,
      { raw_base64: problem.raw.toString('base64') },
    );
    return;
  }
  handlers.onUndecodable(
    problem.lineNumber,
    {
      ok: false,
      reason: 'line_too_long',
      message: `line is too long: ${problem.byteLength} bytes, over --max-line-bytes ${maxLineBytes} (split it into events, or raise --max-line-bytes; its first ${problem.raw.length} bytes are in head_base64)`,
    },
    null,
    { bytes: problem.byteLength, head_base64: problem.raw.toString('base64') },
  );
}

export interface InputFormat {
  kind: 'ndjson' | 'avro';
  sizeBytes: number;
}

/**
 * What the --input file is; a path that is missing, not a file or unreadable is the caller's
 * mistake (invalid_argument, exit 2), found before anything connects or writes.
 */
export async function detectInputFormat(path: string): Promise<InputFormat> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    const info = await stat(path);
    if (!info.isFile()) {
      throw new FeatureflowError(
        'invalid_argument',
        `--input is not a file: ${path} (give an .ndjson or .avro file)`,
      );
    }
    handle = await open(path, 'r');
    const head = Buffer.alloc(4);
    await handle.read(head, 0, 4, 0);
    // A .avro file without the magic is read as Avro all the same: its damaged header is then
    // reported like any other damage, in the summary and the dead letters, with exit code 1.
    const isAvro = looksLikeAvroContainer(head) || path.endsWith('.avro');
    return { kind: isAvro ? 'avro' : 'ndjson', sizeBytes: info.size };
  } catch (error) {
    if (error instanceof FeatureflowError) throw error;
    throw new FeatureflowError(
      'invalid_argument',
      `cannot read --input ${path}: ${(error as Error).message} (check the path and permissions)`,
      { cause: error, context: { path } },
    );
  } finally {
    await handle?.close();
  }
}
