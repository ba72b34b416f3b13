/**
 * Replay: file -> decode -> validate -> windows -> features -> NDJSON rows.
 * The reference runtime (DESIGN section 1): the exact semantics of section 5 over a finite
 * input, which the Flink jobs and the consumer runtime are held to.
 */
import { open, stat } from 'node:fs/promises';
import { FeatureflowError } from '../core/errors.ts';
import type { FeatureJobConfig } from '../core/models/config.ts';
import type { InvalidEvent } from '../core/models/event-validation.ts';
import { jobDefinition } from '../core/processors/job-definitions.ts';
import type { SlidingWindow } from '../core/utils/windowing.ts';
import { WindowedEngine } from '../engine/windowed-engine.ts';
import { looksLikeAvroContainer, readAvroRecordBatches } from '../io/avro-file-reader.ts';
import { readLineBatches } from '../io/line-reader.ts';
import { NdjsonWriter } from '../io/ndjson-writer.ts';

export interface ReplayOptions {
  config: FeatureJobConfig;
  inputPath: string;
  outputPath: string;
  lateOutputPath?: string | undefined;
  deadLetterPath?: string | undefined;
  /** Called after each batch with bytes (NDJSON) or records (Avro) consumed so far. */
  onProgress?: (done: number, total: number) => void;
}

export interface InvalidSample {
  line: number;
  reason: string;
}

export interface ReplaySummary {
  /** Records read: non-blank lines, or Avro records. */
  records: number;
  valid: number;
  invalid: number;
  late: number;
  windows: number;
  elapsedMs: number;
  /** The first few invalid records, for the summary when there is no dead-letter file. */
  invalidSamples: InvalidSample[];
  /** Set when an Avro file was cut short: what was read before is still processed. */
  inputFailure?: string;
}

const INVALID_SAMPLES = 5;

export async function runReplay(options: ReplayOptions): Promise<ReplaySummary> {
  const started = performance.now();
  const { config } = options;
  const job = jobDefinition(config.job);
  const inputFormat = await detectInputFormat(options.inputPath);
  const output = new NdjsonWriter(options.outputPath);
  const lateOutput = options.lateOutputPath ? new NdjsonWriter(options.lateOutputPath) : undefined;
  const deadLetters = options.deadLetterPath ? new NdjsonWriter(options.deadLetterPath) : undefined;
  const summary: ReplaySummary = {
    records: 0,
    valid: 0,
    invalid: 0,
    late: 0,
    windows: 0,
    elapsedMs: 0,
    invalidSamples: [],
  };

  type Event = { timestamp: number };
  const computeFeatures = job.computeFeatures as (
    events: readonly Event[],
    processor: FeatureJobConfig['processor'],
    window: SlidingWindow<Event>,
  ) => object;
  const engine = new WindowedEngine<Event>({
    windowSizeMs: config.windowSizeMs,
    slideMs: config.slideMs,
    maxOutOfOrdernessMs: config.maxOutOfOrdernessMs,
    entityOf: job.entityOf as (event: Event) => string,
    timeOf: (event) => event.timestamp,
    onWindowFired: (window) => {
      summary.windows++;
      output.writeLine(
        JSON.stringify(computeFeatures(window.getEvents(), config.processor, window)),
      );
    },
    onLateEvent: (event) => {
      summary.late++;
      lateOutput?.writeObject(event);
    },
  });

  const rejectRecord = (line: number, problem: InvalidEvent, raw: unknown): void => {
    summary.invalid++;
    if (summary.invalidSamples.length < INVALID_SAMPLES) {
      summary.invalidSamples.push({ line, reason: problem.message });
    }
    deadLetters?.writeObject({
      line,
      reason: problem.message,
      code: problem.reason,
      ...(problem.field === undefined ? {} : { field: problem.field }),
      raw,
    });
  };

  const acceptValue = (line: number, value: unknown, raw: unknown): void => {
    const verdict = job.validate(value);
    if (verdict.ok) {
      summary.valid++;
      engine.process(verdict.event);
    } else {
      rejectRecord(line, verdict, raw);
    }
  };

  const flushOutputs = async (): Promise<void> => {
    await output.flushIfFull();
    await lateOutput?.flushIfFull();
    await deadLetters?.flushIfFull();
  };

  try {
    if (inputFormat.kind === 'ndjson') {
      for await (const batch of readLineBatches(options.inputPath)) {
        const { lines, firstLineNumber } = batch;
        for (let i = 0; i < lines.length; i++) {
          const text = lines[i]!;
          if (isBlank(text)) continue;
          summary.records++;
          let value: unknown;
          try {
            value = JSON.parse(text);
          } catch (error) {
            rejectRecord(
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
          acceptValue(firstLineNumber + i, value, text);
        }
        await flushOutputs();
        options.onProgress?.(batch.bytesRead, inputFormat.sizeBytes);
      }
    } else {
      for await (const batch of readAvroRecordBatches(options.inputPath)) {
        const { records, firstRecordNumber } = batch;
        for (let i = 0; i < records.length; i++) {
          summary.records++;
          acceptValue(firstRecordNumber + i, records[i], records[i]);
        }
        if (batch.failure) {
          summary.inputFailure = batch.failure;
          rejectRecord(
            firstRecordNumber + records.length,
            { ok: false, reason: 'decode_failed', message: batch.failure },
            null,
          );
        }
        await flushOutputs();
        options.onProgress?.(summary.records, summary.records);
      }
    }
    engine.flush();
  } finally {
    await Promise.all([output.close(), lateOutput?.close(), deadLetters?.close()]);
  }
  summary.elapsedMs = performance.now() - started;
  return summary;
}

function isBlank(text: string): boolean {
  if (text.length === 0) return true;
  const first = text.charCodeAt(0);
  // Fast exit for the common case: a line starting with '{'.
  if (first === 0x7b) return false;
  return text.trim().length === 0;
}

interface InputFormat {
  kind: 'ndjson' | 'avro';
  sizeBytes: number;
}

async function detectInputFormat(path: string): Promise<InputFormat> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    const info = await stat(path);
    if (!info.isFile()) {
      throw new FeatureflowError(
        'io_failed',
        `--input is not a file: ${path} (give an .ndjson or .avro file)`,
      );
    }
    handle = await open(path, 'r');
    const head = Buffer.alloc(4);
    await handle.read(head, 0, 4, 0);
    const isAvro = looksLikeAvroContainer(head);
    if (path.endsWith('.avro') && !isAvro) {
      throw new FeatureflowError(
        'io_failed',
        `--input ${path} ends in .avro but is not an Avro object container file (it does not start with "Obj\\x01")`,
      );
    }
    return { kind: isAvro ? 'avro' : 'ndjson', sizeBytes: info.size };
  } catch (error) {
    if (error instanceof FeatureflowError) throw error;
    throw new FeatureflowError(
      'io_failed',
      `cannot read --input ${path}: ${(error as Error).message} (check the path and permissions)`,
      { cause: error, context: { path } },
    );
  } finally {
    await handle?.close();
  }
}
