// writeJsonNumber writes exactly the bytes of what JSON.stringify writes for every number: the
// whole-hundredths digits on amounts near and at their limit, safe integers digit by digit
// (epoch milliseconds, values near 2^53), and the String fallback on everything else.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_NUMBER_BYTES, writeJsonNumber } from '../../../src/replay/json-number-bytes.ts';

const LIMIT = 2 ** 31 - 1;
const bytes = Buffer.alloc(3 + MAX_JSON_NUMBER_BYTES + 3);

function expectJsonBytes(value: number): void {
  // Written at an offset between bytes that must stay untouched.
  bytes.fill(0xaa);
  const end = writeJsonNumber(bytes, 3, value);
  const expected = JSON.stringify(value);
  expect(bytes.toString('latin1', 3, end)).toBe(expected);
  expect(end - 3).toBeLessThanOrEqual(MAX_JSON_NUMBER_BYTES);
  // It may use all of its MAX_JSON_NUMBER_BYTES as scratch, and nothing past them.
  expect(bytes[2]).toBe(0xaa);
  expect(bytes[3 + MAX_JSON_NUMBER_BYTES]).toBe(0xaa);
}

describe('writeJsonNumber', () => {
  it('writes amounts in hundredths, and sums of them, as JSON.stringify does', () => {
    const hundredths = fc.integer({ min: -LIMIT - 10, max: LIMIT + 10 });
    fc.assert(
      fc.property(fc.array(hundredths, { minLength: 1, maxLength: 6 }), (parts) => {
        // A sum of amounts picks up rounding residue (165.64999999999998): the fallback's case.
        let sum = 0;
        for (const part of parts) {
          const amount = part / 100;
          expectJsonBytes(amount);
          sum += amount;
          expectJsonBytes(sum);
          expectJsonBytes(sum / parts.length);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('writes amounts near the limit of the hundredths digits as JSON.stringify does', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), fc.boolean(), (delta, negative) => {
        const value = (LIMIT + delta) / 100;
        expectJsonBytes(negative ? -value : value);
      }),
      { numRuns: 2000 },
    );
  });

  it('writes any double and any safe integer as JSON.stringify does', () => {
    fc.assert(fc.property(fc.double(), expectJsonBytes), { numRuns: 20_000 });
    fc.assert(fc.property(fc.integer(), expectJsonBytes), { numRuns: 2000 });
    fc.assert(fc.property(fc.maxSafeInteger(), expectJsonBytes), { numRuns: 5000 });
    const nearMaxSafe = fc.integer({ min: 0, max: 1_000_000 }).map((n) => 2 ** 53 - n);
    fc.assert(
      fc.property(nearMaxSafe, (value) => expectJsonBytes(-value)),
      { numRuns: 1000 },
    );
    fc.assert(fc.property(nearMaxSafe, expectJsonBytes), { numRuns: 1000 });
    // Epoch milliseconds: past the hundredths' limit, the safe integers' path.
    const epochMs = fc.integer({ min: 0, max: 2 ** 42 }).map((n) => 1_704_067_200_000 + n);
    fc.assert(fc.property(epochMs, expectJsonBytes), { numRuns: 2000 });
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
      21_474_837,
      -21_474_837,
      // Powers of ten and their neighbours on the safe integers' path: the digit count's edges.
      1e8,
      1e9,
      1e10 - 1,
      1e10,
      1e15,
      -1e15,
      1e15 + 1,
      1e21,
      -1e21,
      1e21 - 65_536,
      2 ** 53,
      2 ** 53 + 2,
      -(2 ** 53),
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
      1_704_067_200_000,
      1_704_067_260_000,
      -1_704_067_200_000,
      1e-7,
      -0.0000012345678901234567,
      -2.2250738585072014e-308,
      5e-324,
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      165.64999999999998,
      41.412499999999994,
      22.31800212272595,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ]) {
      expectJsonBytes(value);
    }
  });
});
