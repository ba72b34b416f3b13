/**
 * Ways an upstream producer gets events wrong. Each corruption breaks exactly one rule of
 * docs/events.md, so every dead-letter reason shows up in generated files.
 */
import type { SeededRandom } from './seeded-random.ts';

type EventRecord = Record<string, unknown>;

/** A corrupted event: an object to encode, or (NDJSON only) a raw line that is not JSON. */
export type Corrupted = { object: EventRecord } | { rawLine: string };

interface Corruption {
  name: string;
  /** Whether the result can still be written with the Avro wire schema (strings for enums). */
  avroEncodable: boolean;
  apply(event: EventRecord, random: SeededRandom): Corrupted;
}

const requiredStringField = (event: EventRecord, random: SeededRandom): string => {
  const names = Object.keys(event).filter(
    (k) => typeof event[k] === 'string' && k !== 'referrer' && k !== 'currency',
  );
  return random.pick(names);
};

const CORRUPTIONS: readonly Corruption[] = [
  {
    name: 'missing field',
    avroEncodable: false,
    apply: (event, random) => {
      const copy = { ...event };
      delete copy[requiredStringField(event, random)];
      return { object: copy };
    },
  },
  {
    name: 'empty string',
    avroEncodable: true,
    apply: (event, random) => ({ object: { ...event, [requiredStringField(event, random)]: '' } }),
  },
  {
    name: 'wrong type',
    avroEncodable: false,
    apply: (event, random) => ({
      object: { ...event, [requiredStringField(event, random)]: 12345 },
    }),
  },
  {
    name: 'negative timestamp',
    avroEncodable: true,
    apply: (event) => ({ object: { ...event, timestamp: -Number(event.timestamp) } }),
  },
  {
    name: 'timestamp as text',
    avroEncodable: false,
    apply: (event) => ({
      object: { ...event, timestamp: new Date(Number(event.timestamp)).toISOString() },
    }),
  },
  {
    name: 'bad enum symbol',
    avroEncodable: true,
    apply: (event) =>
      'channel' in event
        ? { object: { ...event, channel: 'telepathy' } }
        : { object: { ...event, event_type: 'hover' } },
  },
  {
    name: 'bad currency or referrer',
    avroEncodable: false,
    apply: (event) =>
      'currency' in event
        ? { object: { ...event, currency: 'EURO' } }
        : { object: { ...event, referrer: 404 } },
  },
  {
    name: 'amount as text',
    avroEncodable: false,
    apply: (event) =>
      'amount' in event
        ? { object: { ...event, amount: String(event.amount) } }
        : { object: { ...event, page: null } },
  },
  {
    name: 'not JSON',
    avroEncodable: false,
    apply: (event) => ({ rawLine: JSON.stringify(event).slice(0, 40) }),
  },
];

const AVRO_CORRUPTIONS = CORRUPTIONS.filter((c) => c.avroEncodable);

export function corruptEvent(
  event: EventRecord,
  random: SeededRandom,
  forAvro: boolean,
): Corrupted {
  return random.pick(forAvro ? AVRO_CORRUPTIONS : CORRUPTIONS).apply(event, random);
}
