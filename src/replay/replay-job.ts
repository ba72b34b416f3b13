/**
 * Replay: file -> decode -> validate -> windows -> features -> NDJSON rows, on two threads:
 * this one reads, parses and validates, writes the late and dead-letter outputs, and formats
 * and writes the rows (./row-writing.ts); the window thread windows and computes the features
 * (./threaded-windows.ts).
 * The reference runtime (docs/README.md): the exact semantics of docs/windows.md over a finite
 * input, which the Flink jobs and the consumer runtime are held to.
 */
import { FeatureflowError } from '../core/errors.ts';
import type { FeatureJobConfig } from '../core/models/config.ts';
import type { InvalidEvent } from '../core/models/event-validation.ts';
import type { InputDamage } from '../io/avro-file-reader.ts';
import { readEventFile } from '../io/event-file.ts';
import { NdjsonWriter } from '../io/ndjson-writer.ts';
import { refuseSameFiles } from '../io/same-file-check.ts';
import { StagedOutputs } from '../io/staged-outputs.ts';
import { EventLineScanner } from './event-line-scanner.ts';
import { usesFastPath } from './fast-paths.ts';
import { LateEventDetector } from './late-event-detector.ts';
import { ThreadedWindows } from './threaded-windows.ts';

export interface ReplayOptions {
  config: FeatureJobConfig;
  inputPath: string;
  outputPath: string;
  lateOutputPath?: string | undefined;
  deadLetterPath?: string | undefined;
  /** NDJSON: a longer line is dead-lettered as `line_too_long` (default 16 MiB). */
  maxLineBytes?: number | undefined;
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
  /**
   * The parts of an Avro input that could not be read (cut short, corrupt), each also in the
   * dead-letter file: what was whole is still processed, but the run has lost data.
   */
  damage: InputDamage[];
}

const INVALID_SAMPLES = 5;

export async function runReplay(options: ReplayOptions): Promise<ReplaySummary> {
  const started = performance.now();
  await refuseSameFiles([
    { flag: '--input', path: options.inputPath },
    { flag: '--output', path: options.outputPath },
    ...(options.lateOutputPath ? [{ flag: '--late-output', path: options.lateOutputPath }] : []),
    ...(options.deadLetterPath ? [{ flag: '--dead-letter', path: options.deadLetterPath }] : []),
  ]);
  // Every output is written to a temporary file and renamed into place once the run succeeded.
  const staged = new StagedOutputs();
  try {
    const paths = {
      output: await staged.stage('--output', options.outputPath),
      lateOutput: options.lateOutputPath
        ? await staged.stage('--late-output', options.lateOutputPath)
        : undefined,
      deadLetter: options.deadLetterPath
        ? await staged.stage('--dead-letter', options.deadLetterPath)
        : undefined,
    };
    const summary = await replayInto(options, paths);
    await staged.commit();
    summary.elapsedMs = performance.now() - started;
    return summary;
  } catch (error) {
    await staged.discard();
    throw error;
  }
}

interface OutputPaths {
  output: string;
  lateOutput: string | undefined;
  deadLetter: string | undefined;
}

async function replayInto(options: ReplayOptions, paths: OutputPaths): Promise<ReplaySummary> {
  const { config } = options;
  const { job } = config;
  const windows = new ThreadedWindows(config, paths.output);
  const lateness = new LateEventDetector(config);
  const lateOutput = paths.lateOutput ? new NdjsonWriter(paths.lateOutput) : undefined;
  const deadLetters = paths.deadLetter ? new NdjsonWriter(paths.deadLetter) : undefined;
  const summary: ReplaySummary = {
    records: 0,
    valid: 0,
    invalid: 0,
    late: 0,
    windows: 0,
    elapsedMs: 0,
    invalidSamples: [],
    damage: [],
  };

  const rejectRecord = (
    line: number,
    problem: InvalidEvent,
    raw: unknown,
    rawFields?: Record<string, unknown>,
  ): void => {
    summary.invalid++;
    if (summary.invalidSamples.length < INVALID_SAMPLES) {
      summary.invalidSamples.push({ line, reason: problem.message });
    }
    deadLetters?.writeObject({
      line,
      reason: problem.message,
      code: problem.reason,
      ...(problem.field === undefined ? {} : { field: problem.field }),
      ...(rawFields ?? { raw }),
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
      if (lateOutput) writeLate(lateOutput, event, raw);
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
    const input = await readEventFile(
      options.inputPath,
      {
        ...(usesFastPath('line-scanner') ? { onLine: acceptLine } : {}),
        onValue: acceptValue,
        onUndecodable: rejectRecord,
        onDamage: (line, damage) => {
          deadLetters?.writeObject({
            line,
            reason: damage.message,
            code: damage.code,
            offset: damage.offset,
            lost_bytes: damage.lostBytes,
            ...(damage.lostRecords === undefined ? {} : { lost_records: damage.lostRecords }),
          });
        },
        onBatchEnd: async (done, total) => {
          await flushOutputs();
          options.onProgress?.(done, total, summary.valid + summary.invalid);
        },
      },
      options.maxLineBytes === undefined ? {} : { maxLineBytes: options.maxLineBytes },
    );
    summary.records = input.records;
    summary.damage = input.damage;
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
  return summary;
}

/**
 * The late output holds the event as JSON. An event with an extra field nested some 10,000
 * deep parses (JSON.parse has no depth limit) but is too deep for JSON.stringify's recursion:
 * then the line as read, which is that event's JSON already, is written instead.
 */
function writeLate(lateOutput: NdjsonWriter, event: object, raw: unknown): void {
  try {
    lateOutput.writeObject(event);
  } catch (error) {
    if (!(error instanceof RangeError) || typeof raw !== 'string') throw error;
    lateOutput.writeLine(raw);
  }
}
