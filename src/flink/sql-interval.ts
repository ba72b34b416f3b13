/**
 * Day-time interval literals as HOP and WATERMARK take them (`INTERVAL '5' MINUTE`), written from
 * milliseconds and read back, so a job file's window can be compared with a job's.
 */
import { FeatureflowError } from '../core/errors.ts';

const UNITS = [
  ['DAY', 86_400_000],
  ['HOUR', 3_600_000],
  ['MINUTE', 60_000],
  ['SECOND', 1_000],
] as const;

/** `INTERVAL 'n' UNIT` in the largest unit that divides `ms`; whole milliseconds as seconds. */
export function sqlInterval(ms: number, what: string): string {
  if (!Number.isInteger(ms) || ms <= 0) {
    throw new FeatureflowError(
      'invalid_argument',
      `${what} is ${ms} ms: not a positive whole number of milliseconds`,
      { context: { what, ms } },
    );
  }
  for (const [unit, unitMs] of UNITS) {
    if (ms % unitMs === 0) return `INTERVAL '${ms / unitMs}' ${unit}`;
  }
  return `INTERVAL '${(ms / 1_000).toFixed(3)}' SECOND`;
}

/** An interval literal such as `INTERVAL '5' MINUTE` or `INTERVAL '0.500' SECOND`, anywhere. */
export const SQL_INTERVAL = String.raw`INTERVAL\s+'(\d+(?:\.\d{1,3})?)'\s+(DAY|HOUR|MINUTE|SECOND)\b`;

/** The milliseconds of a literal matched by SQL_INTERVAL's two groups. */
export function intervalMs(amount: string, unit: string): number {
  const unitMs = UNITS.find(([name]) => name === unit.toUpperCase())![1];
  return Math.round(Number(amount) * unitMs);
}
