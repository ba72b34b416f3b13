// The soak's memory trend (bench/support/rss-trend.ts): the slope of the per-period floors,
// which a sawtooth of a bursty load does not tilt and a leak does.
import { describe, expect, it } from 'vitest';
import {
  floorsPerPeriod,
  leastSquaresSlope,
  type MemorySample,
} from '../../bench/support/rss-trend.ts';

const MIB = 1024 * 1024;
const MINUTE_MS = 60_000;
const perTenMinutes = (bytesPerMs: number) => (bytesPerMs * 10 * MINUTE_MS) / MIB;

/** RSS sampled every 5 s for `minutes`: a base, a steady growth, and a 40 MiB rise in each
 * minute's burst that falls back at the burst's end. */
function sawtooth(minutes: number, growthMibPer10Min: number): MemorySample[] {
  const samples: MemorySample[] = [];
  for (let ms = 0; ms <= minutes * MINUTE_MS; ms += 5_000) {
    const phase = (ms % MINUTE_MS) / MINUTE_MS;
    const bytes = 200 * MIB + (growthMibPer10Min * MIB * ms) / (10 * MINUTE_MS) + 40 * MIB * phase;
    samples.push([ms, bytes]);
  }
  return samples;
}

describe('floorsPerPeriod', () => {
  it('keeps the smallest sample of each complete period after the warm-up', () => {
    const samples: MemorySample[] = [
      [0, 9],
      [30_000, 1],
      [60_000, 7],
      [70_000, 5],
      [110_000, 6],
      [120_000, 8],
      [150_000, 2],
    ];
    expect(floorsPerPeriod(samples, 60_000)).toEqual([
      [30_000, 1],
      [70_000, 5],
    ]);
    // From 50 s: [50, 110) and [110, 170) would be the periods; the second is not complete.
    expect(floorsPerPeriod(samples, 60_000, 50_000)).toEqual([[70_000, 5]]);
  });
});

describe('leastSquaresSlope of the floors', () => {
  it('finds no growth in a sawtooth that only swings, where a line through every sample tilts', () => {
    const samples = sawtooth(20, 0);
    expect(perTenMinutes(leastSquaresSlope(floorsPerPeriod(samples, MINUTE_MS)))).toBeCloseTo(0, 9);
    expect(Math.abs(perTenMinutes(leastSquaresSlope(samples)))).toBeGreaterThan(0.5);
  });

  it('finds a steady growth of 2 MiB per 10 minutes under the same sawtooth', () => {
    const floors = floorsPerPeriod(sawtooth(20, 2), MINUTE_MS);
    expect(perTenMinutes(leastSquaresSlope(floors))).toBeCloseTo(2, 6);
  });

  it('is 0 with fewer than two distinct times', () => {
    expect(leastSquaresSlope([])).toBe(0);
    expect(leastSquaresSlope([[5, 100]])).toBe(0);
  });
});
