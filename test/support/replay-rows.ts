/** Runs `featureflow replay` on a file and returns its rows keyed by entity and window end. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { runCli } from './run-cli.ts';

export type FeatureRow = Record<string, number | string> & {
  entity_id: string;
  window_end: number;
};

export async function replayRows(
  job: string,
  input: string,
  output: string,
  env: NodeJS.ProcessEnv = {},
): Promise<Map<string, FeatureRow>> {
  const result = await runCli(['replay', '--job', job, '--input', input, '--output', output], env);
  expect(result.code, result.stderr).toBe(0);
  const rows = readFileSync(output, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as FeatureRow);
  return new Map(rows.map((row) => [rowKey(row), row]));
}

export const rowKey = (row: { entity_id: string; window_end: number }) =>
  `${row.entity_id}@${row.window_end}`;

/**
 * Equal within `relative` (1e-9 by default), exact for integers and strings. A double is
 * compared as one when either side is fractional: summing the same events in another order (as
 * a runtime that gathers them differently does) may turn 250 into 249.99999999999997, or a
 * standard deviation of 0 into 1e-14, so values near zero are compared within `relative` of 1.
 */
export function expectRowsClose(
  actual: FeatureRow,
  expected: FeatureRow,
  columns: readonly string[],
  relative = 1e-9,
): void {
  for (const column of columns) {
    const a = actual[column];
    const e = expected[column];
    // A double whose value happens to be whole (a sum of 722.0) is a double all the same: the
    // order of its additions (subtasks merge in any order) may leave it 1 ulp off.
    // Near zero the error is absolute (scale 1).
    if (
      typeof e === 'number' &&
      typeof a === 'number' &&
      (!Number.isInteger(e) || !Number.isInteger(a))
    ) {
      const scale = Math.max(Math.abs(e), Math.abs(a), 1);
      expect(
        Math.abs(a - e) / scale,
        `${rowKey(expected)} ${column}: ${a} vs ${e}`,
      ).toBeLessThanOrEqual(relative);
    } else {
      expect(a, `${rowKey(expected)} ${column}`).toEqual(e);
    }
  }
}
