// What the window thread reads back is exactly what the reading thread packed: the same
// times, entity ids and field values (bit for bit), in order, across batches, also when the
// string dictionary starts over.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventLineScanner } from '../../../src/replay/event-line-scanner.ts';
import { EventPacker, PackedEventReader } from '../../../src/replay/packed-events.ts';
import {
  CLICKSTREAM as CLICKSTREAM_JOB,
  TRANSACTIONS as TRANSACTIONS_JOB,
} from '../../support/job-events.ts';

const fields = TRANSACTIONS_JOB.windowEventFields;
const text = fc.oneof(fc.string(), fc.constantFrom('', 'é', '\ud800', 'm-4693', '"\\'));
const number = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(-0, 1_704_067_199_319));
const events = fc.array(
  fc.record({
    entityId: text,
    event: fc.record({ amount: number, merchant_id: text, country: text, timestamp: number }),
  }),
  { maxLength: 30 },
);

describe('EventPacker and PackedEventReader', () => {
  it('give back every event as packed, in order, across batches', () => {
    fc.assert(
      fc.property(
        events,
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom(0, 3, 1000),
        (input, capacity, maxDictionaryStrings) => {
          const packer = new EventPacker(TRANSACTIONS_JOB, capacity, maxDictionaryStrings);
          const reader = new PackedEventReader(TRANSACTIONS_JOB);
          const read: { entityId: string; time: number; event: object }[] = [];
          const drain = () => {
            reader.load(packer.take());
            while (reader.next()) {
              read.push({
                entityId: reader.entityId,
                time: reader.time,
                event: reader.windowEvent(),
              });
            }
          };
          for (const { entityId, event } of input) {
            if (packer.isFull) drain();
            packer.add(event, entityId, event.timestamp);
          }
          drain();
          expect(read).toHaveLength(input.length);
          read.forEach((got, i) => {
            const sent = input[i]!;
            expect(got.entityId).toBe(sent.entityId);
            expect(Object.is(got.time, sent.event.timestamp)).toBe(true);
            expect(Object.keys(got.event)).toEqual(fields.map((field) => field.name));
            for (const [name, value] of Object.entries(sent.event)) {
              expect(Object.is((got.event as Record<string, unknown>)[name], value)).toBe(true);
            }
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  it.each([TRANSACTIONS_JOB, CLICKSTREAM_JOB])(
    "builds and reads $job's window events with the declared fields, in order",
    (job) => {
      const values = job.windowEventFields.map((field, i) =>
        field.kind === 'string' ? `value-${i}` : i + 0.5,
      );
      const event = job.windowEventFrom(values);
      expect(Object.keys(event)).toEqual(job.windowEventFields.map((field) => field.name));
      expect(Object.values(event)).toEqual(values);
      // windowEventValues reads them back in the same order.
      const read: (number | string)[] = [];
      job.windowEventValues(event as never, read);
      expect(read).toEqual(values);
      // refillWindowEvent makes the same event out of one made before, keeping its shape.
      const other = job.windowEventFields.map((field, i) =>
        field.kind === 'string' ? `other-${i}` : -i - 0.25,
      );
      job.refillWindowEvent(event, other);
      expect(event).toEqual(job.windowEventFrom(other));
      expect(Object.keys(event)).toEqual(job.windowEventFields.map((field) => field.name));
    },
  );

  it('hands out released window events again, filled with the current event', () => {
    const packer = new EventPacker(TRANSACTIONS_JOB, 4);
    const at = (i: number) => ({ amount: i, merchant_id: `m-${i}`, country: 'NL', timestamp: i });
    for (let i = 0; i < 3; i++) packer.add(at(i), 'card', i);
    const reader = new PackedEventReader(TRANSACTIONS_JOB);
    reader.load(packer.take());
    reader.next();
    const first = reader.windowEvent();
    expect(first).toEqual(at(0));
    reader.release(first);
    reader.next();
    const second = reader.windowEvent();
    expect(second).toBe(first);
    expect(second).toEqual(at(1));
    reader.next();
    expect(reader.windowEvent()).not.toBe(first);
  });
});

describe('EventPacker.addScanned', () => {
  it.each([
    [
      TRANSACTIONS_JOB,
      (i: number) =>
        `{"transaction_id":"tx-${i}","card_id":"card-${i % 7}","user_id":"u","merchant_id":"m-${i % 5}","merchant_category":"g","amount":${(i * 37) % 1000}.${i % 100},"currency":"EUR","country":"${i % 2 ? 'NL' : 'é😀'}","channel":"pos","timestamp":${1_704_067_199_319 + i}}`,
    ],
    [
      CLICKSTREAM_JOB,
      (i: number) =>
        `{"event_id":"e-${i}","user_id":"user-${i % 3}","session_id":"s-${i % 4}","page":"/p${i % 9}","event_type":"click","referrer":${i % 2 ? 'null' : '"r"'},"timestamp":${i}}`,
    ],
  ] as const)('packs a scanned $job line as `add` packs the parsed event', (job, lineOf) => {
    const scanned = new EventPacker(job, 64, 10);
    const parsed = new EventPacker(job, 64, 10);
    const scanner = new EventLineScanner(job.fieldRules);
    const timeField = job.fieldRules.findIndex((field) => field.name === 'timestamp');
    for (let i = 0; i < 200; i++) {
      if (scanned.isFull) expect(scanned.take()).toEqual(parsed.take());
      const line = lineOf(i);
      expect(scanner.scan(line)).toBe(true);
      scanned.addScanned(scanner, scanner.numbers[timeField]!);
      const event = JSON.parse(line) as { timestamp: number };
      parsed.add(event, job.entityOf(event as never), event.timestamp);
    }
    expect(scanned.take()).toEqual(parsed.take());
  });
});
