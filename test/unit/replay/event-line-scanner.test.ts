// The fast path of replay's reading thread says "valid" only where JSON.parse and the validator
// would, and then holds exactly the values JSON.parse gives; on the usual form it says "valid".
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JobDefinition } from '../../../src/core/jobs/job-definition.ts';
import { loadJobRegistry } from '../../../src/core/jobs/load-definitions.ts';
import { EventLineScanner } from '../../../src/replay/event-line-scanner.ts';
import {
  BUILT_IN,
  CLICKSTREAM as CLICKSTREAM_JOB,
  TRANSACTIONS as TRANSACTIONS_JOB,
  validValueOf,
} from '../../support/job-events.ts';

type Job = JobDefinition;

/** Strings with and without what JSON must escape, non-ASCII and lone surrogates. */
const text = fc.oneof(
  fc.constantFrom(
    'card-1',
    'm-4693',
    'NL',
    'EUR',
    'e',
    '',
    ' ',
    '"',
    '\\',
    '\n',
    '\u0001',
    'é',
    '😀',
    '\ud800',
    '\u2028',
  ),
  fc.string({ maxLength: 8 }),
  fc.string({ unit: 'grapheme', maxLength: 4 }),
);
/** Numbers JSON.stringify writes plainly, with exponents, with many digits; and non-numbers. */
const amount = fc.oneof(
  fc.integer({ min: -1_000_000_00, max: 1_000_000_00 }).map((cents) => cents / 100),
  fc.double({ noNaN: false }),
  fc.constantFrom(0, -0, 1e21, 1e-7, 123456789012345.6, 0.1 + 0.2, 2 ** 53 + 2, 123456789.12345678),
);
const time = fc.oneof(
  fc.integer({ min: 0, max: 2_000_000_000_000 }),
  fc.constantFrom(-1, 1.5, 2 ** 53, 1e15, 999_999_999_999_999, 0),
);
const anything = fc.oneof(text, amount, fc.constant(null), fc.boolean());

/** Events of `job` with each field valid or anything else: text, numbers, null, booleans. */
function messyEventOf(job: Job): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(...job.fieldRules.map((field) => fc.oneof(validValueOf(field), anything, time)))
    .map((values) => Object.fromEntries(job.fieldRules.map((field, i) => [field.name, values[i]])));
}

/** The line Python's json.dumps writes with its default separators, ', ' and ': '. */
function spacedJson(event: Record<string, unknown>): string {
  const members = Object.entries(event).map(
    ([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`,
  );
  return `{${members.join(', ')}}`;
}

/** Lines as producers write them, and as they should not: changed, cut, reordered, padded. */
function lines(events: fc.Arbitrary<Record<string, unknown>>) {
  const written = events.map((event) => JSON.stringify(event));
  return fc.oneof(
    written,
    fc.tuple(written, fc.nat(), fc.string({ maxLength: 2 })).map(([line, at, inserted]) => {
      const cut = at % (line.length + 1);
      return line.slice(0, cut) + inserted + line.slice(cut);
    }),
    fc.tuple(written, fc.nat(), fc.nat({ max: 3 })).map(([line, at, removed]) => {
      const cut = at % (line.length + 1);
      return line.slice(0, cut) + line.slice(cut + removed);
    }),
    fc
      .tuple(events, fc.string({ maxLength: 6 }), anything)
      .map(([event, key, value]) => JSON.stringify({ ...event, [key]: value })),
    events.map((event) => JSON.stringify(Object.fromEntries(Object.entries(event).reverse()))),
    events.map((event) => JSON.stringify(event, null, 1)),
    events.map(spacedJson),
    fc
      .tuple(events, fc.constantFrom(' ', '\t', '\r', '\r\n', '\u00a0', '\u2028', '\v'))
      .map(([event, space]) => spacedJson(event).replaceAll(' ', space)),
    fc.tuple(written, fc.constantFrom(' ', '\r', '\t', ',')).map(([line, pad]) => line + pad),
    fc
      .tuple(written, fc.constantFrom('e0', 'E+2', '.0', '0'))
      .map(([line, exponent]) => line.replace(/(":-?[0-9.]+)/, `$1${exponent}`)),
  );
}

function holdsToJsonParse(job: Job, scanner: EventLineScanner, line: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    parsed = undefined;
  }
  const accepted = scanner.scan(line);
  if (!accepted) return;
  // Said valid: JSON.parse and the validator agree, and the values are JSON.parse's.
  expect(parsed).toBeTypeOf('object');
  expect(job.findProblem(parsed)).toBeUndefined();
  const record = parsed as Record<string, unknown>;
  expect(Object.keys(record)).toEqual(job.fieldRules.map((field) => field.name));
  job.fieldRules.forEach((field, index) => {
    const value = record[field.name];
    if (typeof value === 'number') {
      expect(Object.is(scanner.numbers[index], value), `${field.name}: ${line}`).toBe(true);
    } else if (typeof value === 'boolean') {
      expect(scanner.numbers[index], `${field.name}: ${line}`).toBe(value ? 1 : 0);
    } else if (value === null) {
      expect(scanner.starts[index]).toBe(-1);
    } else {
      expect(scanner.text.slice(scanner.starts[index], scanner.ends[index])).toBe(value);
    }
  });
}

describe('EventLineScanner', () => {
  it('says valid only as JSON.parse and the validator do, with their values, for every job', async () => {
    // The built-in jobs and the logins example (booleans, a user's own definitions).
    const jobs = (await loadJobRegistry('examples/logins')).jobs;
    expect(jobs.length).toBeGreaterThan(BUILT_IN.jobs.length);
    for (const job of jobs) {
      const scanner = new EventLineScanner(job.fieldRules);
      fc.assert(
        fc.property(lines(messyEventOf(job)), (line) => holdsToJsonParse(job, scanner, line)),
        { numRuns: 2000 },
      );
    }
  });

  it.each([
    [
      TRANSACTIONS_JOB,
      '{"transaction_id":"tx-0","card_id":"card-6709","user_id":"user-3354","merchant_id":"m-1966","merchant_category":"gaming","amount":35.02,"currency":"BRL","country":"BR","channel":"online","timestamp":1704067199319}',
    ],
    [
      TRANSACTIONS_JOB,
      '{"transaction_id":"tx-0","card_id":"é😀","user_id":"u","merchant_id":"m","merchant_category":"c","amount":-0,"currency":"EUR","country":"NL","channel":"atm","timestamp":0}',
    ],
    [
      CLICKSTREAM_JOB,
      '{"event_id":"e-1","user_id":"user-1","session_id":"s-1","page":"/a","event_type":"click","referrer":null,"timestamp":1704067199319}',
    ],
    [
      CLICKSTREAM_JOB,
      '{"event_id":"e-1","user_id":"user-1","session_id":"s-1","page":"/a","event_type":"page_view","referrer":"","timestamp":1}',
    ],
  ] as const)('reads the usual form of a valid $job event', (job, line) => {
    const scanner = new EventLineScanner(job.fieldRules);
    expect(scanner.scan(line)).toBe(true);
    holdsToJsonParse(job, scanner, line);
  });

  it.each([
    ['JSON.stringify', JSON.stringify],
    ["Python's json.dumps", spacedJson],
  ])('reads every valid event %s writes with plain numbers', (_writer, write) => {
    const scanner = new EventLineScanner(TRANSACTIONS_JOB.fieldRules);
    const plain = fc
      .tuple(
        fc.stringMatching(/^[a-z0-9-]{1,12}$/),
        fc.integer({ min: -99_999_999_999, max: 99_999_999_999 }),
        fc.integer({ min: 0, max: 999_999_999_999_999 }),
        fc.constantFrom('online', 'pos', 'atm'),
      )
      .map(([id, cents, timestamp, channel]) =>
        write({
          transaction_id: id,
          card_id: id,
          user_id: id,
          merchant_id: id,
          merchant_category: id,
          amount: cents / 100,
          currency: 'EUR',
          country: id,
          channel,
          timestamp,
        }),
      );
    fc.assert(
      fc.property(plain, (line) => {
        expect(scanner.scan(line)).toBe(true);
        holdsToJsonParse(TRANSACTIONS_JOB, scanner, line);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads a line with whitespace before, after and between its tokens, and a CR at its end', () => {
    const scanner = new EventLineScanner(TRANSACTIONS_JOB.fieldRules);
    const line =
      ' \t{ "transaction_id" :"t",\t"card_id":  "c" ,"user_id":"u","merchant_id":"m","merchant_category":"g",' +
      '"amount" : -35.5 ,"currency":"EUR","country":"NL","channel":"pos","timestamp":\r\n17 } \r';
    expect(scanner.scan(line)).toBe(true);
    holdsToJsonParse(TRANSACTIONS_JOB, scanner, line);
    expect(scanner.numbers[5]).toBe(-35.5);
    expect(scanner.numbers[9]).toBe(17);
    expect(scanner.text.slice(scanner.starts[1], scanner.ends[1])).toBe('c');
  });

  it.each([
    ['a no-break space', '\u00a0'],
    ['a line separator', '\u2028'],
    ['a vertical tab', '\v'],
  ])(
    'leaves a line with %s between tokens (not JSON whitespace) to the general path',
    (_name, space) => {
      const scanner = new EventLineScanner(TRANSACTIONS_JOB.fieldRules);
      const line = `{"transaction_id":"t",${space}"card_id":"c","user_id":"u","merchant_id":"m","merchant_category":"g","amount":1,"currency":"EUR","country":"NL","channel":"pos","timestamp":1}`;
      expect(scanner.scan(line)).toBe(false);
    },
  );

  it.each([
    ['an exponent', '"amount":1e2'],
    ['16 digits', '"amount":1234567890.123456'],
    ['a leading zero', '"amount":035.02'],
    ['a bare point', '"amount":35.'],
  ])('leaves a number with %s to the general path', (_name, amountText) => {
    const scanner = new EventLineScanner(TRANSACTIONS_JOB.fieldRules);
    const line = `{"transaction_id":"t","card_id":"c","user_id":"u","merchant_id":"m","merchant_category":"g",${amountText},"currency":"EUR","country":"NL","channel":"pos","timestamp":1}`;
    expect(scanner.scan(line)).toBe(false);
  });
});
