// writeShortestDouble writes exactly String(v) wherever it answers, on doubles of every exponent,
// on the averages, deviations and sums replay formats, and on the edges of Grisu3 and of the
// layouts (powers of two and ten, the closer lower neighbour, plain and exponent forms).
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeShortestDouble } from '../../../src/replay/shortest-double-bytes.ts';

const bytes = new Uint8Array(3 + 25 + 3);
let answered = 0;
/** What differs from String(v), collected and compared at the end of each test (expect per value is slow). */
let mismatches: string[] = [];

function expectStringBytes(value: number): void {
  bytes.fill(0xaa);
  const end = writeShortestDouble(bytes, 3, value);
  // Nothing is written outside the 25 bytes it may use, whether it answers or not.
  if (bytes[2] !== 0xaa || bytes[3 + 25] !== 0xaa) mismatches.push(`${value}: wrote outside`);
  if (end < 0) return;
  answered++;
  const text = Buffer.from(bytes.subarray(3, end)).toString('latin1');
  if (text !== String(value) || end - 3 > 25)
    mismatches.push(`${String(value)} written as ${text}`);
}

beforeEach(() => {
  mismatches = [];
});

afterEach(() => {
  expect(mismatches.slice(0, 10)).toEqual([]);
});

describe('writeShortestDouble', () => {
  it('writes String(v) for doubles of every exponent and sign', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), expectStringBytes), {
      numRuns: 50_000,
    });
    answered = 0;
    let normal = 0;
    const bits = new DataView(new ArrayBuffer(8));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        (high, low) => {
          bits.setUint32(0, high);
          bits.setUint32(4, low);
          const value = bits.getFloat64(0);
          if (!Number.isFinite(value)) return;
          if (Math.abs(value) >= 2 ** -1022) normal++;
          expectStringBytes(value);
        },
      ),
      { numRuns: 50_000 },
    );
    // It answers for nearly every normal double (Grisu3 gives up on about 0.5%).
    expect(answered).toBeGreaterThan(normal * 0.99);
  });

  it('writes String(v) for averages, deviations and sums of amounts in cents', () => {
    const cents = fc.integer({ min: 1, max: 10_000_000 });
    fc.assert(
      fc.property(fc.array(cents, { minLength: 1, maxLength: 12 }), (parts) => {
        const amounts = parts.map((part) => part / 100);
        let sum = 0;
        for (const amount of amounts) sum += amount;
        const mean = sum / amounts.length;
        let squares = 0;
        for (const amount of amounts) squares += (amount - mean) ** 2;
        expectStringBytes(sum);
        expectStringBytes(mean);
        expectStringBytes(Math.sqrt(squares / amounts.length));
        expectStringBytes(-mean);
      }),
      { numRuns: 20_000 },
    );
  });

  it('writes String(v) at the edges of the algorithm and of the layouts', () => {
    const edges = [
      0.1,
      0.2,
      0.1 + 0.2,
      1 / 3,
      2 / 3,
      123.456,
      4.35,
      5e-7,
      1.5e-7,
      1e-7,
      0.000001,
      1.23e-6,
      0.0000123,
      1e21,
      1.5e21,
      1e20,
      123456789012345680000,
      2 ** 52,
      2 ** 53,
      2 ** 60,
      2 ** -1022,
      2 ** -1000,
      1.7976931348623157e308,
      2.2250738585072014e-308,
      1e300,
      1e-300,
      123e-20,
      2 ** 53 + 2,
      0.7,
      1e23,
      5e-324 * 2 ** 60,
    ];
    for (let e = -330; e <= 310; e++) edges.push(Number(`1e${e}`), Number(`9.87654321e${e}`));
    for (let e = -1022; e <= 1023; e++) edges.push(2 ** e, 2 ** e * 1.5, 2 ** e * (2 - 2 ** -52));
    for (const value of edges) {
      expectStringBytes(value);
      expectStringBytes(-value);
    }
  });

  it('leaves zero, subnormals, NaN and the infinities to the caller', () => {
    for (const value of [0, -0, 5e-324, 2 ** -1030, Number.NaN, Infinity, -Infinity]) {
      expect(writeShortestDouble(bytes, 0, value)).toBe(-1);
    }
  });
});
