/**
 * Ways an upstream producer gets events wrong, derived from the job's field rules (its event
 * schema and the rules it adds): each corruption breaks exactly one rule of one field, so every
 * dead-letter reason the job can give shows up in generated files.
 */
import type { FieldRule } from '../core/models/event-validation.ts';
import type { SeededRandom } from './seeded-random.ts';

type EventRecord = Record<string, unknown>;

/** A corrupted event: an object to encode, or (NDJSON only) a raw line that is not JSON. */
export type Corrupted = { object: EventRecord } | { rawLine: string };

interface Corruption {
  name: string;
  /** Whether the result can still be written with the Avro wire schema (strings for enums). */
  avroEncodable: boolean;
  /** The fields this corruption can break. */
  fields(rules: readonly FieldRule[]): readonly FieldRule[];
  apply(event: EventRecord, field: FieldRule): Corrupted;
}

const ofKind =
  (...kinds: FieldRule['rule']['kind'][]) =>
  (rules: readonly FieldRule[]) =>
    rules.filter((r) => kinds.includes(r.rule.kind));

const CORRUPTIONS: readonly Corruption[] = [
  {
    name: 'missing field',
    avroEncodable: false,
    fields: (rules) => rules.filter((r) => r.rule.kind !== 'optional_string'),
    apply: (event, field) => {
      const copy = { ...event };
      delete copy[field.name];
      return { object: copy };
    },
  },
  {
    name: 'empty string',
    avroEncodable: true,
    fields: ofKind('string'),
    apply: (event, field) => ({ object: { ...event, [field.name]: '' } }),
  },
  {
    name: 'number for a string',
    avroEncodable: false,
    fields: ofKind('string', 'optional_string', 'enum'),
    apply: (event, field) => ({ object: { ...event, [field.name]: 12345 } }),
  },
  {
    name: 'number as text',
    avroEncodable: false,
    fields: ofKind('double', 'long', 'boolean'),
    apply: (event, field) => ({ object: { ...event, [field.name]: String(event[field.name]) } }),
  },
  {
    name: 'negative timestamp',
    avroEncodable: true,
    fields: ofKind('timestamp'),
    apply: (event, field) => ({
      object: { ...event, [field.name]: -Math.max(1, Number(event[field.name])) },
    }),
  },
  {
    name: 'timestamp as text',
    avroEncodable: false,
    fields: ofKind('timestamp'),
    apply: (event, field) => ({
      object: { ...event, [field.name]: new Date(Number(event[field.name])).toISOString() },
    }),
  },
  {
    name: 'unknown enum symbol',
    avroEncodable: true,
    fields: ofKind('enum'),
    apply: (event, field) => {
      const symbols = field.rule.kind === 'enum' ? [...field.rule.symbols] : [];
      return { object: { ...event, [field.name]: `not_${symbols.join('_')}` } };
    },
  },
  {
    name: "breaks the job's own rule",
    avroEncodable: true,
    fields: (rules) =>
      rules.filter((r) => r.constraint?.length !== undefined || r.constraint?.maxAbs !== undefined),
    apply: (event, field) => {
      const { length, maxAbs } = field.constraint!;
      const broken = length !== undefined ? 'X'.repeat(length + 1) : maxAbs! * 10;
      return { object: { ...event, [field.name]: broken } };
    },
  },
  {
    name: 'not JSON',
    avroEncodable: false,
    fields: (rules) => rules.slice(0, 1),
    apply: (event) => ({ rawLine: JSON.stringify(event).slice(0, 40) }),
  },
];

/** The corruptions a job's fields allow, with the fields each can break; resolve once per run. */
export function corruptionsFor(rules: readonly FieldRule[], forAvro: boolean) {
  return CORRUPTIONS.filter((c) => !forAvro || c.avroEncodable)
    .map((corruption) => ({ corruption, fields: corruption.fields(rules) }))
    .filter(({ fields }) => fields.length > 0);
}

export type JobCorruptions = ReturnType<typeof corruptionsFor>;

export function corruptEvent(
  event: EventRecord,
  corruptions: JobCorruptions,
  random: SeededRandom,
): Corrupted {
  const { corruption, fields } = random.pick(corruptions);
  return corruption.apply(event, random.pick(fields));
}
