/**
 * A job file states its window twice: in the HOP and in the late filter's
 * `last_window_fire_time(event_time, slide, size)`. Both must be the same window, or late events
 * are misrouted without any error from Flink; `featureflow submit` refuses a file where they differ.
 */
import { FeatureflowError } from '../core/errors.ts';
import { formatDurationMs } from '../core/utils/durations.ts';
import { intervalMs, SQL_INTERVAL } from './sql-interval.ts';
import { stripComments } from './sql-script.ts';

export interface SqlWindow {
  readonly slideMs: number;
  readonly sizeMs: number;
}

const HOP = new RegExp(
  String.raw`\bHOP\s*\(\s*TABLE\s+[\w\`.]+\s*,\s*DESCRIPTOR\s*\([^)]*\)\s*,\s*${SQL_INTERVAL}\s*,\s*${SQL_INTERVAL}\s*\)`,
  'gi',
);
const LATE_FILTER = new RegExp(
  String.raw`\blast_window_fire_time\s*\(\s*[^,()]+\s*,\s*${SQL_INTERVAL}\s*,\s*${SQL_INTERVAL}\s*\)`,
  'gi',
);

function windowsOf(sql: string, pattern: RegExp): SqlWindow[] {
  return [...stripComments(sql).matchAll(pattern)].map((m) => ({
    slideMs: intervalMs(m[1]!, m[2]!),
    sizeMs: intervalMs(m[3]!, m[4]!),
  }));
}

export function hopWindowsOf(sql: string): SqlWindow[] {
  return windowsOf(sql, HOP);
}

export function lateFilterWindowsOf(sql: string): SqlWindow[] {
  return windowsOf(sql, LATE_FILTER);
}

const describe = (w: SqlWindow) =>
  `slide ${formatDurationMs(w.slideMs)}, size ${formatDurationMs(w.sizeMs)}`;

/** Throws when a late filter's window is not the file's HOP window. */
export function checkLateFiltersMatchHop(sql: string, file: string): void {
  const hops = hopWindowsOf(sql);
  if (hops.length === 0) return;
  const hop = hops[0]!;
  for (const window of [...hops.slice(1), ...lateFilterWindowsOf(sql)]) {
    if (window.slideMs !== hop.slideMs || window.sizeMs !== hop.sizeMs) {
      throw new FeatureflowError(
        'invalid_argument',
        `${file}: a window (${describe(window)}) differs from the HOP's (${describe(hop)}): late events would be misrouted (give HOP and last_window_fire_time the same two intervals)`,
        { context: { file } },
      );
    }
  }
}
