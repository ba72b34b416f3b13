/**
 * Replay: file -> decode -> validate -> windows -> features -> NDJSON rows.
 * The reference runtime (DESIGN section 1): the exact semantics of section 5 over a finite
 * input, which the Flink jobs and the consumer runtime are held to.
 */
import type { FeatureJobConfig } from '../core/models/config.ts';
import type { InvalidEvent } from '../core/models/event-validation.ts';
import { jobDefinition } from '../core/processors/job-definitions.ts';
import type { SlidingWindow } from '../core/utils/windowing.ts';
import { WindowedEngine } from '../engine/windowed-engine.ts';
import { readEventFile } from '../io/event-file.ts';
import { NdjsonWriter } from '../io/ndjson-writer.ts';
import { createRowSerializer } from './row-serializer.ts';

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
  const serializeRow = createRowSerializer(job.featureNames);
  const engine = new WindowedEngine<Event>({
    windowSizeMs: config.windowSizeMs,
    slideMs: config.slideMs,
    maxOutOfOrdernessMs: config.maxOutOfOrdernessMs,
    entityOf: job.entityOf as (event: Event) => string,
    timeOf: (event) => event.timestamp,
    onWindowFired: (window) => {
      summary.windows++;
      output.writeLine(serializeRow(computeFeatures(window.getEvents(), config.processor, window)));
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
    const input = await readEventFile(options.inputPath, {
      onValue: acceptValue,
      onUndecodable: rejectRecord,
      onBatchEnd: async (done, total) => {
        await flushOutputs();
        options.onProgress?.(done, total);
      },
    });
    summary.records = input.records;
    if (input.failure) summary.inputFailure = input.failure;
    engine.flush();
  } finally {
    await Promise.all([output.close(), lateOutput?.close(), deadLetters?.close()]);
  }
  summary.elapsedMs = performance.now() - started;
  return summary;
}
