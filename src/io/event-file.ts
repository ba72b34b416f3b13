/**
 * Reads an event file, NDJSON or Avro object container, and hands every record to callbacks:
 * a decoded value, or the reason it could not be decoded. Callbacks rather than yielded items,
 * because this runs once per event and an object per event is measurable.
 */
import { open, stat } from 'node:fs/promises';
import { FeatureflowError } from '../core/errors.ts';
import type { InvalidEvent } from '../core/models/event-validation.ts';
import { looksLikeAvroContainer, readAvroRecordBatches } from './avro-file-reader.ts';
import { readLineBatches } from './line-reader.ts';

export interface EventFileHandlers {
  /**
   * NDJSON only, optional: offered each non-blank line before it is parsed; true means it was
   * taken care of (replay's fast path for the usual form of a valid event), false that it goes
   * the general way, JSON.parse and `onValue` or `onUndecodable`.
   */
  onLine?(recordNumber: number, text: string): boolean;
  /** A decoded record; `raw` is the line text (NDJSON) or the record itself (Avro). */
  onValue(recordNumber: number, value: unknown, raw: unknown): void;
  onUndecodable(recordNumber: number, problem: InvalidEvent, raw: unknown): void;
  /** After each batch, awaited: the place for backpressure. `done`/`total` are bytes or records. */
  onBatchEnd(done: number, total: number): Promise<void>;
}

export interface EventFileSummary {
  format: 'ndjson' | 'avro';
  records: number;
  /** Set when an Avro file was cut short: what was read before is still handed over. */
  failure?: string;
}

export async function readEventFile(
  path: string,
  handlers: EventFileHandlers,
): Promise<EventFileSummary> {
  const format = await detectInputFormat(path);
  let records = 0;
  if (format.kind === 'ndjson') {
    const onLine = handlers.onLine?.bind(handlers);
    for await (const batch of readLineBatches(path)) {
      const { lines, firstLineNumber } = batch;
      for (let i = 0; i < lines.length; i++) {
        const text = lines[i]!;
        if (isBlank(text)) continue;
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
    return { format: 'ndjson', records };
  }
  let failure: string | undefined;
  for await (const batch of readAvroRecordBatches(path)) {
    const { records: values, firstRecordNumber } = batch;
    for (let i = 0; i < values.length; i++) {
      records++;
      handlers.onValue(firstRecordNumber + i, values[i], values[i]);
    }
    if (batch.failure) {
      failure = batch.failure;
      handlers.onUndecodable(
        firstRecordNumber + values.length,
        { ok: false, reason: 'decode_failed', message: batch.failure },
        null,
      );
    }
    await handlers.onBatchEnd(records, records);
  }
  return failure === undefined ? { format: 'avro', records } : { format: 'avro', records, failure };
}

function isBlank(text: string): boolean {
  if (text.length === 0) return true;
  // Fast exit for the common case: a line starting with '{'.
  if (text.charCodeAt(0) === 0x7b) return false;
  return text.trim().length === 0;
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
    const isAvro = looksLikeAvroContainer(head);
    if (path.endsWith('.avro') && !isAvro) {
      throw new FeatureflowError(
        'invalid_argument',
        `--input ${path} ends in .avro but is not an Avro object container file (it does not start with "Obj\\x01")`,
      );
    }
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
