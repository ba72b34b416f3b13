import { FeatureflowError } from '../errors.ts';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type DurationUnit = keyof typeof UNIT_MS;
const DURATION_PATTERN = /^(\d+)(ms|s|m|h|d)$/;

/** Parses "500ms", "30s", "5m", "1h", "1d" into milliseconds. A bare number is refused, since
 * "300" could mean seconds or milliseconds. */
export function parseDurationMs(text: string, what = 'duration'): number {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) {
    throw new FeatureflowError(
      'invalid_argument',
      `${what} is not a duration: '${text}' (write a whole number and a unit: 500ms, 30s, 5m, 1h, 1d)`,
      { context: { what, value: text } },
    );
  }
  return Number(match[1]) * UNIT_MS[match[2] as DurationUnit];
}

/**
 * The window label of docs/redis-layout.md: the size in the largest unit that divides it exactly
 * (300000 -> "5m", 90000 -> "90s", 86400000 -> "1d").
 */
export function windowLabel(sizeMs: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (sizeMs % UNIT_MS[unit] === 0) return `${sizeMs / UNIT_MS[unit]}${unit}`;
  }
  return `${sizeMs}ms`;
}

/** Formats milliseconds for people: the same form `parseDurationMs` reads. */
export function formatDurationMs(ms: number): string {
  return windowLabel(ms);
}
