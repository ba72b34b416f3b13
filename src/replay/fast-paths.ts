/**
 * Replay's hand-written fast paths, by name, and the one switch that turns them off: each has
 * a plain counterpart (JSON.parse, a Map, String(v), new buffers...) that writes the very same
 * output. bench/replay-throughput.ts runs replay with each one off in turn
 * (FEATUREFLOW_REPLAY_PLAIN=<name>,...) to show what it adds to replay's speed, and a fast path
 * stays only while it pays. Read once per thread; the window thread inherits the environment.
 */
import { FeatureflowError } from '../core/errors.ts';

export const REPLAY_FAST_PATHS = [
  /** ./event-line-scanner.ts, against JSON.parse and the validator. */
  'line-scanner',
  /** ./string-indexes.ts, against a Map of cut-out strings. */
  'string-indexes',
  /** ./packed-row-bytes.ts, against a string per row written with JSON.stringify per value. */
  'row-bytes',
  /** ./json-number-bytes.ts's digits of cents and integers, against ./shortest-double-bytes.ts. */
  'number-digits',
  /** ./shortest-double-bytes.ts, against String(v). */
  'shortest-double',
  /** ./kept-feature-bytes.ts, against computing and formatting a window's features again. */
  'kept-features',
  /** ./recycled-buffers.ts, against a new buffer per batch. */
  'recycled-buffers',
] as const;

export type ReplayFastPath = (typeof REPLAY_FAST_PATHS)[number];

export const PLAIN_PATHS_VARIABLE = 'FEATUREFLOW_REPLAY_PLAIN';

const plainPaths = plainPathsOf(process.env[PLAIN_PATHS_VARIABLE]);

/** Whether replay takes the fast path `name` (all do, unless the benchmark said otherwise). */
export function usesFastPath(name: ReplayFastPath): boolean {
  return !plainPaths.has(name);
}

export function plainPathsOf(value: string | undefined): ReadonlySet<ReplayFastPath> {
  const names = (value ?? '').split(',').filter((name) => name !== '');
  for (const name of names) {
    if (!(REPLAY_FAST_PATHS as readonly string[]).includes(name)) {
      throw new FeatureflowError(
        'invalid_argument',
        `${PLAIN_PATHS_VARIABLE} names an unknown fast path: ${name} (one of ${REPLAY_FAST_PATHS.join(', ')}, comma-separated)`,
      );
    }
  }
  return new Set(names as ReplayFastPath[]);
}
