/**
 * Synthetic event streams: many entities with skewed activity, bursts, bounded disorder, and
 * chosen fractions of late and invalid events. Deterministic for a seed.
 *
 * Disorder: an event's time is the stream clock minus up to `maxDisorderMs`. When that is
 * below the replay's max out-of-orderness, no event is late unless made late on purpose.
 * Late: an event placed more than `maxDisorderMs + maxOutOfOrdernessMs + windowSizeMs`
 * behind the clock, so every window containing it has fired.
 */
import { FeatureflowError } from '../core/errors.ts';
import type { JobDefinition } from '../core/jobs/job-definition.ts';
import { type Corrupted, corruptEvent, corruptionsFor } from './invalid-events.ts';
import { SeededRandom } from './seeded-random.ts';

export interface EventStreamOptions {
  /** A job with a sample generator (`sample` in its definition). */
  job: JobDefinition;
  events: number;
  seed: number;
  entities: number;
  startMs: number;
  /** Mean gap between consecutive events, in event time. */
  meanGapMs: number;
  maxDisorderMs: number;
  lateFraction: number;
  invalidFraction: number;
  /** Used to place late events surely behind the watermark. */
  windowSizeMs: number;
  maxOutOfOrdernessMs: number;
  /** Invalid events must stay encodable with the Avro wire schema. */
  forAvro: boolean;
}

export type GeneratedEvent =
  | { kind: 'valid' | 'late'; event: Record<string, unknown> }
  | ({ kind: 'invalid' } & Corrupted);

const BURST_PROBABILITY = 0.03;

export function* generateEventStream(options: EventStreamOptions): Generator<GeneratedEvent> {
  const random = new SeededRandom(options.seed);
  const { job } = options;
  if (job.sample === undefined) {
    throw new FeatureflowError(
      'invalid_argument',
      `job ${job.name} has no sample generator (add sample to its definition)`,
    );
  }
  const sampleEvent = job.sample();
  const corruptions = corruptionsFor(job.fieldRules, options.forAvro);
  let clock = options.startMs;
  let burstEntity = -1;
  let burstLeft = 0;
  const lateOffsetMs = options.maxDisorderMs + options.maxOutOfOrdernessMs + options.windowSizeMs;

  for (let sequence = 0; sequence < options.events; sequence++) {
    clock += Math.round(random.exponential(options.meanGapMs));
    // Bursts: one entity doing several things within seconds (card testing, fast browsing).
    let entity: number;
    if (burstLeft > 0) {
      entity = burstEntity;
      burstLeft--;
    } else if (random.chance(BURST_PROBABILITY)) {
      entity = burstEntity = random.skewedIndex(options.entities);
      burstLeft = 2 + random.int(6);
    } else {
      entity = random.skewedIndex(options.entities);
    }

    const late = options.lateFraction > 0 && random.chance(options.lateFraction);
    const timestamp = late
      ? Math.max(0, clock - lateOffsetMs - 1 - random.int(5 * 60_000))
      : Math.max(0, clock - random.int(options.maxDisorderMs + 1));
    const event = sampleEvent(random, entity, sequence, timestamp);

    if (options.invalidFraction > 0 && random.chance(options.invalidFraction)) {
      yield {
        kind: 'invalid',
        ...corruptEvent(event as unknown as Record<string, unknown>, corruptions, random),
      };
    } else {
      yield { kind: late ? 'late' : 'valid', event: event as unknown as Record<string, unknown> };
    }
  }
}
