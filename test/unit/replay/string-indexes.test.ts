// StringIndexes gives each distinct string one index, in order of first sight, found from any
// range of characters, as a Map from the cut-out string would; across growth and clearing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StringIndexes } from '../../../src/replay/string-indexes.ts';

describe('StringIndexes', () => {
  it('agrees with a Map of the cut-out strings, across growth and clearing', () => {
    const step = fc.oneof(
      {
        weight: 20,
        arbitrary: fc.tuple(
          fc.string({ maxLength: 6 }),
          fc.string({ maxLength: 3 }),
          fc.string({ maxLength: 3 }),
        ),
      },
      { weight: 1, arbitrary: fc.constant('clear' as const) },
    );
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 300 }),
        fc.integer({ min: 1, max: 64 }),
        (steps, expected) => {
          const indexes = new StringIndexes(expected);
          let reference = new Map<string, number>();
          for (const item of steps) {
            if (item === 'clear') {
              indexes.clear();
              reference = new Map();
              continue;
            }
            const [value, before, after] = item;
            const line = before + value + after;
            let fresh: string | undefined;
            const index = indexes.indexOfRange(
              line,
              before.length,
              before.length + value.length,
              (v) => {
                fresh = v;
              },
            );
            const known = reference.get(value);
            if (known === undefined) {
              expect(index).toBe(reference.size);
              expect(fresh).toBe(value);
              reference.set(value, index);
            } else {
              expect(index).toBe(known);
              expect(fresh).toBeUndefined();
            }
            expect(indexes.size).toBe(reference.size);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
