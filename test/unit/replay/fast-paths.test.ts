// The switch the replay benchmark turns fast paths off with: known names, and a clear error for
// a misspelt one rather than a benchmark that silently measures every fast path on.
import { describe, expect, it } from 'vitest';
import { plainPathsOf, REPLAY_FAST_PATHS } from '../../../src/replay/fast-paths.ts';

describe('plainPathsOf', () => {
  it('reads nothing as no plain path, and a comma-separated list of names', () => {
    expect([...plainPathsOf(undefined)]).toEqual([]);
    expect([...plainPathsOf('')]).toEqual([]);
    expect([...plainPathsOf('line-scanner,row-bytes')]).toEqual(['line-scanner', 'row-bytes']);
    expect([...plainPathsOf(REPLAY_FAST_PATHS.join(','))]).toEqual([...REPLAY_FAST_PATHS]);
  });

  it('refuses an unknown name, naming it and the known ones', () => {
    expect(() => plainPathsOf('line-scanner,linescanner')).toThrow(
      'FEATUREFLOW_REPLAY_PLAIN names an unknown fast path: linescanner (one of line-scanner, string-indexes, row-bytes, number-digits, shortest-double, kept-features, recycled-buffers, comma-separated)',
    );
  });
});
