// jsonNumberText writes exactly what JSON.stringify writes for every number: the whole-hundredths
// shortcut on amounts near and at its limits, and the fallback on everything else.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonNumberText } from './json-number-text.ts';

const LIMIT = 2 ** 31 - 1;

function expectJsonText(value: number): void {
  expect(jsonNumberText(value)).toBe(JSON.stringify(value));
}

describe('jsonNumberText', () => {
  it('writes amounts in hundredths, and sums of them, as JSON.stringify does', () => {
    const hundredths = fc.integer({ min: -LIMIT - 10, max: LIMIT + 10 });
    fc.assert(
      fc.property(fc.array(hundredths, { minLength: 1, maxLength: 6 }), (parts) => {
        // A sum of amounts picks up rounding residue (165.64999999999998): the fallback's case.
        let sum = 0;
        for (const part of parts) {
          const amount = part / 100;
          expectJsonText(amount);
          sum += amount;
          expectJsonText(sum);
          expectJsonText(sum / parts.length);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('writes any double as JSON.stringify does', () => {
    fc.assert(fc.property(fc.double(), expectJsonText), { numRuns: 20_000 });
    fc.assert(fc.property(fc.integer(), expectJsonText), { numRuns: 2000 });
  });

  it('writes the edges as JSON.stringify does', () => {
    for (const value of [
      0,
      -0,
      0.01,
      -0.01,
      0.05,
      0.1,
      0.5,
      1,
      9.99,
      10,
      100.1,
      0.005,
      0.015,
      1.005,
      LIMIT / 100,
      -LIMIT / 100,
      (LIMIT + 1) / 100,
      21_474_836.48,
      1e21,
      1e-7,
      5e-324,
      Number.MAX_VALUE,
      Number.MAX_SAFE_INTEGER,
      1_704_067_200_000,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ]) {
      expectJsonText(value);
    }
  });
});
