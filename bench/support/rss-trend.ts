/**
 * The trend of a process's resident memory (RSS) over a soak, robust to its sawtooth.
 *
 * The soak's load comes in bursts: the jobs' windows slide every minute, so each process gets
 * its work once a minute, and its RSS rises during a burst and falls back as the garbage
 * collector frees and the allocator returns memory. A sample lands anywhere on that sawtooth,
 * and a least-squares line through every sample also fits the sawtooth's phase at the two
 * ends of the run: a swing of tens of MiB shifts a 20-minute slope by a MiB per 10 minutes or
 * more with no growth at all. A leak instead raises the floor the process falls back to after
 * each burst, so the trend is the least-squares slope of the floors: the smallest sample of
 * each period. A period the samples do not cover to its end has no floor yet (its minimum
 * would be of fewer samples, so biased upwards).
 */

/** [ms since the start, bytes]. */
export type MemorySample = readonly [ms: number, bytes: number];

/** The smallest sample of each complete period of `periodMs`, periods counted from `fromMs`;
 * samples before `fromMs` (the warm-up) are left out. */
export function floorsPerPeriod(
  samples: readonly MemorySample[],
  periodMs: number,
  fromMs = 0,
): MemorySample[] {
  const lastMs = samples.reduce((last, [ms]) => Math.max(last, ms), Number.NEGATIVE_INFINITY);
  const floors = new Map<number, MemorySample>();
  for (const sample of samples) {
    const [ms, bytes] = sample;
    if (ms < fromMs) continue;
    const period = Math.floor((ms - fromMs) / periodMs);
    if (fromMs + (period + 1) * periodMs > lastMs) continue;
    const floor = floors.get(period);
    if (floor === undefined || bytes < floor[1]) floors.set(period, sample);
  }
  return [...floors.entries()].sort(([a], [b]) => a - b).map(([, sample]) => sample);
}

/** Least-squares slope of the points, in bytes per ms; 0 for fewer than two distinct times. */
export function leastSquaresSlope(points: readonly MemorySample[]): number {
  const n = points.length;
  if (n === 0) return 0;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let numerator = 0;
  let denominator = 0;
  for (const [x, y] of points) {
    numerator += (x - meanX) * (y - meanY);
    denominator += (x - meanX) ** 2;
  }
  return denominator === 0 ? 0 : numerator / denominator;
}
