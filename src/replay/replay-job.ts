/**
 * Replay: file -> decode -> validate -> windows -> features -> NDJSON rows, on two threads:
 * this one reads, parses and validates, writes the late and dead-letter outputs, and formats
 * and writes the rows (./row-writing.ts); the window thread windows and computes the features
 * (./threaded-windows.ts).
 * The reference runtime (DESIGN section 1): the exact semantics of section 5 over a finite
 * input, which the Flink jobs and the consumer runtime are held to.
 */
import { FeatureflowError } from '../core/errors.ts';
import type { FeatureJobConfig } from '../core/models/config.ts';
import type { InvalidEvent } from '../core/models/event-validation.ts';
import { readEventFile } from '../io/event-file.ts';
import { NdjsonWriter } from '../io/ndjson-writer.ts';
import { EventLineScanner } from './event-line-scanner.ts';
import { LateEventDetector } from './late-event-detector.ts';
import { ThreadedWindows } from './threaded-windows.ts';

export interface ReplayOptions {
  config: FeatureJobConfig;
  inputPath: string;
  outputPath: string;
  lateOutputPath?: string | undefined;
  deadLetterPath?: string | undefined;
  /** Called after each batch with bytes (NDJSON) or records (Avro) consumed so far. */
  /** Bytes (or records) read of the input's total, and the events read so far. */
  onProgress?: (done: number, total: number, events: number) => void;
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
  const { job } = config;
  const windows = new ThreadedWindows(config, options.outputPath);
  const lateness = new LateEventDetector(config);
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
    const problem = job.findProblem(value);
    if (problem !== undefined) {
      rejectRecord(line, problem, raw);
      return;
    }
    const event = value as object;
    const time = job.timeOf(event);
    summary.valid++;
    if (lateness.isLate(time)) {
      summary.late++;
      lateOutput?.writeObject(event);
    }
    windows.add(event, time);
  };

  // The usual form of a valid event is read without JSON.parse (./event-line-scanner.ts); a
  // late one is parsed after all, as the late output holds the event itself.
  const scanner = new EventLineScanner(job.fieldRules);
  const timeField = job.fieldRules.findIndex((field) => field.name === job.timeField);
  const acceptLine = (_line: number, text: string): boolean => {
    if (!scanner.scan(text)) return false;
    const time = scanner.numbers[timeField]!;
    summary.valid++;
    if (lateness.isLate(time)) {
      summary.late++;
      lateOutput?.writeObject(JSON.parse(text));
    }
    windows.addScanned(scanner, time);
    return true;
  };

  const flushOutputs = async (): Promise<void> => {
    await windows.flushIfFull();
    await lateOutput?.flushIfFull();
    await deadLetters?.flushIfFull();
  };

  let finished = false;
  try {
    const input = await readEventFile(options.inputPath, {
      onLine: acceptLine,
      onValue: acceptValue,
      onUndecodable: rejectRecord,
      onBatchEnd: async (done, total) => {
        await flushOutputs();
        options.onProgress?.(done, total, summary.valid + summary.invalid);
      },
    });
    summary.records = input.records;
    if (input.failure) summary.inputFailure = input.failure;
    const fired = await windows.finish();
    finished = true;
    summary.windows = fired.windows;
    if (fired.late !== summary.late) {
      throw new FeatureflowError(
        'internal',
        `replay counted ${summary.late} late events while reading and ${fired.late} while windowing (a bug: please report it)`,
      );
    }
  } finally {
    if (!finished) await windows.stop();
    await Promise.all([lateOutput?.close(), deadLetters?.close()]);
  }
  summary.elapsedMs = performance.now() - started;
  return summary;
}
