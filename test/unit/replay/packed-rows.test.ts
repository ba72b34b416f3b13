// Packed rows come out of the writing side's encoder as exactly the lines the row serializer
// writes, whatever the numbers and entity ids, and in order across batches.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FeatureRowNumbers } from '../../../src/core/jobs/generated-accessors.ts';
import type { ByteSink } from '../../../src/io/byte-file-writer.ts';
import { createPackedRowEncoder } from '../../../src/replay/packed-row-bytes.ts';
import { RowPacker } from '../../../src/replay/packed-rows.ts';
import { createRowSerializer } from '../../../src/replay/row-serializer.ts';
import {
  CLICKSTREAM_FEATURE_NAMES,
  FEATURE_ROW_NUMBERS,
  TRANSACTION_FEATURE_NAMES,
} from '../../support/job-events.ts';

const names = TRANSACTION_FEATURE_NAMES;
const number = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, 0.1, 1e21, 5e-324, 398.48, Number.NaN, Number.NEGATIVE_INFINITY),
);
const entityId = fc.oneof(fc.string(), fc.constantFrom('card-7', '', 'é"\\\n\u2028', '\ud800'));
/** Mostly numbers; now and then a value the packer cannot pack (a string, or missing). */
const value = fc.oneof({ weight: 20, arbitrary: number }, fc.constantFrom('high', undefined));

/** Rows of a job's features, mostly as the feature functions build them; some reordered, some with more keys. */
const rowsOf = (featureNames: readonly string[]) =>
  fc.array(
    fc
      .tuple(
        entityId,
        number,
        number,
        fc.array(value, { minLength: featureNames.length, maxLength: featureNames.length }),
        fc.constantFrom('as built', 'reversed', 'extra key'),
      )
      .map(([id, start, end, values, form]) => {
        let row: Record<string, unknown> = { entity_id: id, window_start: start, window_end: end };
        featureNames.forEach((name, i) => {
          row[name] = values[i];
        });
        if (form === 'reversed') row = Object.fromEntries(Object.entries(row).reverse());
        if (form === 'extra key') row.note = 'x';
        return row;
      }),
    { maxLength: 40 },
  );
const rows = rowsOf(names);
/** One buffer that grows as needed. */
function growingSink(): ByteSink & { text(): string } {
  return {
    buffer: Buffer.alloc(1 << 10),
    length: 0,
    reserve(bytes) {
      if (this.buffer.length - this.length >= bytes) return;
      const larger = Buffer.alloc(2 * (this.length + bytes));
      this.buffer.copy(larger, 0, 0, this.length);
      this.buffer = larger;
    },
    text() {
      return this.buffer.toString('utf8', 0, this.length);
    },
  };
}

function packAndEncode(
  input: readonly object[],
  capacityRows: number,
  featureNames: readonly string[] = names,
  readNumbers?: FeatureRowNumbers,
): string[] {
  const packer = new RowPacker(featureNames, capacityRows, readNumbers);
  const encode = createPackedRowEncoder(featureNames);
  const sink = growingSink();
  for (const row of input) {
    if (packer.isFull) encode(packer.take(), sink);
    packer.add(row);
  }
  encode(packer.take(), sink);
  const lines = sink.text().split('\n');
  expect(lines.pop()).toBe('');
  return lines;
}

describe('RowPacker and createPackedRowEncoder', () => {
  it('write what the row serializer writes, in order, across batches', () => {
    const serialize = createRowSerializer(names);
    fc.assert(
      fc.property(rows, fc.integer({ min: 1, max: 7 }), (input, capacityRows) => {
        expect(packAndEncode(input, capacityRows)).toEqual(input.map(serialize));
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['transactions', TRANSACTION_FEATURE_NAMES],
    ['clickstream', CLICKSTREAM_FEATURE_NAMES],
  ] as const)(
    "with the %s job's reader by name, write what the row serializer writes",
    (job, featureNames) => {
      const serialize = createRowSerializer(featureNames);
      fc.assert(
        fc.property(rowsOf(featureNames), fc.integer({ min: 1, max: 7 }), (input, capacityRows) => {
          expect(
            packAndEncode(input, capacityRows, featureNames, FEATURE_ROW_NUMBERS[job]),
          ).toEqual(input.map(serialize));
        }),
        { numRuns: 500 },
      );
    },
  );

  it("writes a row that repeats its slot's kept features as the full row would be written", () => {
    const serialize = createRowSerializer(names);
    // Steps: a full row, kept for a slot or not, or a row repeating a slot's last full row.
    const steps = fc.array(
      fc.record({
        slot: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
        repeat: fc.boolean(),
        id: entityId,
        start: number,
        features: fc.array(number, { minLength: names.length, maxLength: names.length }),
      }),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(steps, fc.integer({ min: 1, max: 7 }), (input, capacityRows) => {
        const packer = new RowPacker(names, capacityRows, FEATURE_ROW_NUMBERS.transactions);
        const encode = createPackedRowEncoder(names);
        const sink = growingSink();
        const keptFeatures = new Map<number, number[]>();
        const expected: string[] = [];
        for (const step of input) {
          if (packer.isFull) encode(packer.take(), sink);
          const kept = step.slot === undefined ? undefined : keptFeatures.get(step.slot);
          const features = step.repeat && kept !== undefined ? kept : step.features;
          const row = { entity_id: step.id, window_start: step.start, window_end: step.start + 1 };
          names.forEach((name, i) => {
            (row as Record<string, unknown>)[name] = features[i];
          });
          expected.push(serialize(row));
          if (step.slot === undefined) {
            packer.add(row);
          } else if (step.repeat && kept !== undefined) {
            packer.addSameAsKept(step.id, step.start, step.start + 1, step.slot);
          } else {
            packer.add(row, step.slot);
            keptFeatures.set(step.slot, step.features);
          }
        }
        encode(packer.take(), sink);
        expect(sink.text().split('\n').slice(0, -1)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses to repeat the features of a row that went as a finished line', () => {
    const packer = new RowPacker(names, 8);
    const encode = createPackedRowEncoder(names);
    const row = { entity_id: 'card-1', window_start: 0, window_end: 1, note: 'not a feature' };
    packer.add(row, 2);
    packer.addSameAsKept('card-1', 60_000, 60_001, 2);
    expect(() => encode(packer.take(), growingSink())).toThrow(
      /no features kept for entity slot 2/,
    );
  });

  it('keeps the numbers bit for bit', () => {
    const row = {
      entity_id: 'card-1',
      window_start: 1_704_067_200_000,
      window_end: 1_704_067_500_000,
      ...Object.fromEntries(names.map((name, i) => [name, 0.1 + 0.2 * i])),
    };
    expect(packAndEncode([row], 4)).toEqual([JSON.stringify(row)]);
  });
});
