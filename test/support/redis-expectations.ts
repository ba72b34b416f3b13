/**
 * What Redis must hold after a run: for every entity, its newest window of the replay rows
 * (docs/redis-layout.md: newest window wins). Polls until it does, then compares every feature.
 */
import { expect } from 'vitest';
import type { EntityType } from '../../src/core/jobs/job-definition.ts';
import { createFeatureStore } from '../../src/core/sinks/feature-store.ts';
import { windowLabel } from '../../src/core/utils/durations.ts';
import { waitFor } from './kafka.ts';
import type { FeatureRow } from './replay-rows.ts';

export function newestWindowPerEntity(rows: Iterable<FeatureRow>): Map<string, FeatureRow> {
  const newest = new Map<string, FeatureRow>();
  for (const row of rows) {
    const current = newest.get(row.entity_id);
    if (!current || row.window_end > current.window_end) newest.set(row.entity_id, row);
  }
  return newest;
}

/** The window label the sink writes a row under (`5m`, `10m`...). */
const labelOf = (row: FeatureRow) =>
  windowLabel((row.window_end as number) - (row.window_start as number));

export async function expectRedisHoldsNewestWindows(
  redisUrl: string,
  entityType: EntityType,
  expected: Map<string, FeatureRow>,
  featureNames: readonly string[],
  timeoutMs = 120_000,
  /** The job whose windows to read; default: the built-in job's (fields without a prefix). */
  jobName?: string,
): Promise<void> {
  const store = createFeatureStore({ redisUrl });
  try {
    await waitFor(
      `Redis to hold the newest window of all ${expected.size} entities`,
      timeoutMs,
      async () => {
        for (const [entityId, row] of expected) {
          const stored = await store.get(entityType, entityId);
          const windows = jobName === undefined ? stored?.labels : stored?.jobs[jobName];
          if (windows?.[labelOf(row)]?.window_end !== row.window_end) return undefined;
        }
        return true;
      },
    );
    for (const [entityId, row] of expected) {
      const stored = (await store.get(entityType, entityId))!;
      const window = (jobName === undefined ? stored.labels : stored.jobs[jobName]!)[labelOf(row)]!;
      expect(window.window_start).toBe(row.window_start);
      for (const name of featureNames) {
        const actual = window.features[name] as number;
        const wanted = row[name] as number;
        expect(
          Math.abs(actual - wanted),
          `${entityId} ${name}: ${actual} vs ${wanted}`,
        ).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(wanted)));
      }
    }
  } finally {
    await store.close();
  }
}
