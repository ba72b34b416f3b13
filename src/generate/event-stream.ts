/**
 * Synthetic event streams: many entities with skewed activity, bursts, bounded disorder, and
 * chosen fractions of late and invalid events. Deterministic for a seed.
 *
 * Disorder: an event's time is the stream clock minus up to `maxDisorderMs`. When that is
 * below the replay's max out-of-orderness, no event is late unless made late on purpose.
 * Late: an event placed more than `maxDisorderMs + maxOutOfOrdernessMs + windowSizeMs`
 * behind the clock, so every window containing it has fired.
 */
import type { JobName } from '../core/models/config.ts';
import { clickFor, transactionFor } from './event-factories.ts';
import { type Corrupted, corruptEvent } from './invalid-events.ts';
import { SeededRandom } from './seeded-random.ts';

export interface EventStreamOptions {
  job: JobName;
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
  const sessions = new Map<number, { number: number; lastMs: number }>();
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
    const event =
      options.job === 'transactions'
        ? transactionFor(random, entity, sequence, timestamp)
        : clickFor(random, entity, sessionOf(sessions, entity, timestamp), sequence, timestamp);

    if (options.invalidFraction > 0 && random.chance(options.invalidFraction)) {
      yield {
        kind: 'invalid',
        ...corruptEvent(event as unknown as Record<string, unknown>, random, options.forAvro),
      };
    } else {
      yield { kind: late ? 'late' : 'valid', event: event as unknown as Record<string, unknown> };
    }
  }
}

/** A user's session changes after 30 minutes of inactivity, as web analytics count them. */
function sessionOf(
  sessions: Map<number, { number: number; lastMs: number }>,
  user: number,
  timestamp: number,
): number {
  const session = sessions.get(user);
  if (session === undefined) {
    sessions.set(user, { number: 0, lastMs: timestamp });
    return 0;
  }
  if (timestamp - session.lastMs > 30 * 60_000) session.number++;
  session.lastMs = Math.max(session.lastMs, timestamp);
  return session.number;
}
