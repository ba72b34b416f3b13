/** `featureflow generate`: synthetic events to a file (see src/generate/event-stream.ts). */
import type { Command } from 'commander';
import { resolveServiceEndpoints } from '../../config/environment.ts';
import { FeatureflowError } from '../../core/errors.ts';
import type { JobRegistry } from '../../core/jobs/job-registry.ts';
import { parseDurationMs } from '../../core/utils/durations.ts';
import { addJobOptions, jobRegistryFor } from '../job-options.ts';

export interface GenerateFlags {
  job: string;
  definitions?: string;
  events: string;
  output?: string;
  seed: string;
  entities?: string;
  start: string;
  meanGap: string;
  maxDisorder: string;
  lateFraction: string;
  invalidFraction: string;
  window: string;
  maxOutOfOrderness: string;
}

/** Validates the flags shared by every generate target and turns them into stream options. */
export function resolveGenerateOptions(flags: GenerateFlags, jobs: JobRegistry) {
  const job = jobs.get(flags.job);
  if (job.sample === undefined) {
    throw new FeatureflowError(
      'invalid_argument',
      `job ${job.name} has no sample generator: generate cannot make its events (add sample to its definition, or produce a file of your own events)`,
      { context: { job: job.name } },
    );
  }
  const events = wholeNumber(flags.events, '--events', 1);
  const fraction = (text: string, flag: string) => {
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0 || value > 1) {
      throw new FeatureflowError(
        'invalid_argument',
        `${flag} must be a fraction between 0 and 1: got '${text}'`,
      );
    }
    return value;
  };
  const startMs = /^\d+$/.test(flags.start) ? Number(flags.start) : Date.parse(flags.start);
  if (!Number.isFinite(startMs) || startMs < 0) {
    throw new FeatureflowError(
      'invalid_argument',
      `--start must be epoch ms or an ISO date: got '${flags.start}'`,
    );
  }
  return {
    job,
    events,
    seed: wholeNumber(flags.seed, '--seed', 0),
    entities: flags.entities
      ? wholeNumber(flags.entities, '--entities', 1)
      : Math.max(10, Math.ceil(events / 100)),
    startMs,
    meanGapMs: parseDurationMs(flags.meanGap, '--mean-gap'),
    maxDisorderMs: parseDurationMs(flags.maxDisorder, '--max-disorder'),
    lateFraction: fraction(flags.lateFraction, '--late-fraction'),
    invalidFraction: fraction(flags.invalidFraction, '--invalid-fraction'),
    windowSizeMs: parseDurationMs(flags.window, '--window'),
    maxOutOfOrdernessMs: parseDurationMs(flags.maxOutOfOrderness, '--max-out-of-orderness'),
  };
}

function wholeNumber(text: string, flag: string, min: number): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new FeatureflowError(
      'invalid_argument',
      `${flag} must be a whole number >= ${min}: got '${text}'`,
    );
  }
  return value;
}

/** The generate flags, shared with `generate --topic` (which the produce module adds). */
export function addGenerateOptions(command: Command): Command {
  return addJobOptions(command)
    .requiredOption('--events <n>', 'how many events')
    .option('--seed <n>', 'random seed: the same seed gives the same file', '1')
    .option('--entities <n>', 'cards or users (default: events / 100)')
    .option(
      '--start <time>',
      'event time of the first event (epoch ms or ISO date)',
      '2024-01-01T00:00:00Z',
    )
    .option('--mean-gap <duration>', 'mean event-time gap between events', '20ms')
    .option(
      '--max-disorder <duration>',
      'events arrive up to this much behind the stream clock',
      '4s',
    )
    .option('--late-fraction <f>', 'fraction of events placed behind the watermark', '0')
    .option('--invalid-fraction <f>', 'fraction of events broken in one field', '0')
    .option('--window <duration>', 'window size the late events must miss', '5m')
    .option('--max-out-of-orderness <duration>', 'watermark delay the late events must miss', '5s');
}

export function register(program: Command): void {
  addGenerateOptions(
    program
      .command('generate')
      .description(
        'write realistic synthetic events (seeded; disorder, late and invalid fractions)',
      ),
  )
    .option('--output <file>', 'NDJSON, or an Avro object container file when it ends in .avro')
    .option('--topic <topic>', 'produce to this Kafka topic instead of writing a file')
    .option(
      '--rate <events-per-second>',
      'with --topic: a steady rate (0: as fast as Kafka takes them)',
      '0',
    )
    .option(
      '--brokers <list>',
      'with --topic: Kafka bootstrap servers (default: KAFKA_BROKERS or 127.0.0.1:9092)',
    )
    .action(
      async (
        flags: GenerateFlags & { output?: string; topic?: string; rate: string; brokers?: string },
      ) => {
        const options = resolveGenerateOptions(flags, await jobRegistryFor(flags));
        if ((flags.output === undefined) === (flags.topic === undefined)) {
          throw new FeatureflowError(
            'invalid_argument',
            'generate needs exactly one of --output FILE or --topic TOPIC',
          );
        }
        if (flags.topic !== undefined) {
          await generateToTopic(options, flags.topic, flags.rate, flags.brokers);
          return;
        }
        // Loaded when the command runs, so `--help` does not load the generator.
        const { generateFile } = await import('../../generate/generate-file.ts');
        const { createProgress, formatCount } = await import('../ui/progress.ts');
        const progress = createProgress('generate', 'events');
        const started = performance.now();
        const summary = await generateFile(flags.output!, options, (done, total) =>
          progress.update(done, total),
        ).finally(() => progress.stop());
        const seconds = (performance.now() - started) / 1000;
        process.stderr.write(
          `generate ${options.job.name}: ${formatCount(summary.events)} events (${formatCount(summary.late)} late, ` +
            `${formatCount(summary.invalid)} invalid, ${formatCount(options.entities)} entities) -> ${flags.output} in ${seconds.toFixed(2)} s\n`,
        );
      },
    );
}

async function generateToTopic(
  options: ReturnType<typeof resolveGenerateOptions>,
  topic: string,
  rateText: string,
  brokers: string | undefined,
): Promise<void> {
  const ratePerSecond = Number(rateText);
  if (!Number.isFinite(ratePerSecond) || ratePerSecond < 0) {
    throw new FeatureflowError(
      'invalid_argument',
      `--rate must be events per second (0 for unlimited): got '${rateText}'`,
    );
  }
  const { kafkaBrokers } = resolveServiceEndpoints({ brokers });
  const { createKafkaClient } = await import('../../kafka/kafka-client.ts');
  const { MessageProducer } = await import('../../kafka/message-producer.ts');
  const { produceGenerated } = await import('../../produce/produce-generated.ts');
  const { createProgress, formatCount } = await import('../ui/progress.ts');
  const producer = new MessageProducer(
    createKafkaClient({ clientId: 'featureflow-generate', brokers: kafkaBrokers }),
    kafkaBrokers,
  );
  await producer.connect();
  const progress = createProgress('generate', 'events');
  try {
    const summary = await produceGenerated({
      stream: options,
      topic,
      ratePerSecond,
      producer,
      onProgress: (done, total) => progress.update(done, total),
    });
    progress.stop();
    const seconds = summary.elapsedMs / 1000;
    process.stderr.write(
      `generate ${options.job.name}: ${formatCount(summary.events)} events (${formatCount(summary.late)} late, ${formatCount(summary.invalid)} invalid) -> ${topic} ` +
        `in ${seconds.toFixed(2)} s (${formatCount(summary.events / Math.max(seconds, 1e-9))} events/s)\n`,
    );
  } finally {
    progress.stop();
    await producer.disconnect();
  }
}
