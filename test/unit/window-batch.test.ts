// BatchPlanner: what one batch sends, without Redis. Newest window per (entity, label) only,
// the rest counted stale; one label per call; calls of windowsPerCall; bad rows explained.
import { describe, expect, it } from 'vitest';
import type { WindowedFeatureRow } from '../../src/core/jobs/job-definition.ts';
import { loadJobRegistry } from '../../src/core/jobs/load-definitions.ts';
import { clusterSlotOf } from '../../src/core/sinks/cluster-slot.ts';
import { featureKey } from '../../src/core/sinks/feature-fields.ts';
import { BatchPlanner } from '../../src/core/sinks/window-batch.ts';
import { writeWindowCallArgs } from '../../src/core/sinks/write-window-call.ts';
import { WRITE_WINDOW_SCRIPT_SHA } from '../../src/core/sinks/write-window-script.ts';
import { FIVE_MINUTES_MS, ONE_HOUR_MS, txnRow } from '../support/feature-rows.ts';
import { TRANSACTIONS as TRANSACTIONS_JOB } from '../support/job-events.ts';
import { LOGINS_EXAMPLE } from '../support/user-definitions.ts';

const T0 = Date.UTC(2024, 0, 1);
const planner = (windowsPerCall = 100) =>
  new BatchPlanner(TRANSACTIONS_JOB, { ttlMs: 86_400_000, windowsPerCall });
const plan = (rows: WindowedFeatureRow[], windowsPerCall = 100) =>
  planner(windowsPerCall).plan(rows, 0, rows.length);

describe('BatchPlanner', () => {
  it('names keys features:card:<id> and features:user:<id>', () => {
    expect(featureKey('card', 'c1')).toBe('features:card:c1');
    expect(featureKey('user', 'u:1')).toBe('features:user:u:1');
  });

  it.each([
    ['newest first', [5, 3, 4], 5],
    ['newest last', [3, 4, 5], 5],
    ['newest in the middle', [3, 5, 4], 5],
  ])('keeps only the newest window per entity and label (%s)', (_, minutes, newest) => {
    const rows = minutes.map((m) => txnRow('c1', T0 + m * 60_000, { txn_count: m }));
    const batch = plan(rows);
    expect(batch.stale).toBe(2);
    expect(batch.invalid).toEqual([]);
    expect(batch.calls).toHaveLength(1);
    expect(batch.calls[0]!.rows.map((r) => r.txn_count)).toEqual([newest]);
  });

  it('keeps the later row of two with the same window_end (rows apply in order)', () => {
    const batch = plan([
      txnRow('c1', T0 + FIVE_MINUTES_MS, { txn_count: 1 }),
      txnRow('c1', T0 + FIVE_MINUTES_MS, { txn_count: 2 }),
    ]);
    expect(batch.stale).toBe(1);
    expect(batch.calls[0]!.rows.map((r) => r.txn_count)).toEqual([2]);
  });

  it('treats each label on its own and puts one label per call', () => {
    const batch = plan([
      txnRow('c1', T0 + FIVE_MINUTES_MS, {}, FIVE_MINUTES_MS),
      txnRow('c1', T0 + ONE_HOUR_MS, {}, ONE_HOUR_MS),
      txnRow('c2', T0 + FIVE_MINUTES_MS, {}, FIVE_MINUTES_MS),
    ]);
    expect(batch.stale).toBe(0);
    expect(batch.calls.map((c) => [c.label, c.rows.map((r) => r.entity_id)])).toEqual([
      ['5m', ['c1', 'c2']],
      ['1h', ['c1']],
    ]);
    expect(batch.calls[1]!.fields).toContain('txn_count_1h');
  });

  it('splits a label into calls of windowsPerCall', () => {
    const rows = Array.from({ length: 7 }, (_, i) => txnRow(`c${i}`, T0 + FIVE_MINUTES_MS));
    expect(plan(rows, 3).calls.map((c) => c.rows.length)).toEqual([3, 3, 1]);
  });

  it('for a Redis Cluster, puts the keys of one hash slot only in a call and names the slot', () => {
    // c1 and c7649 share a slot; the others each have one of their own.
    const ids = ['c1', 'c2', 'c3', 'c7649', 'c4'];
    expect(clusterSlotOf('features:card:c1')).toBe(clusterSlotOf('features:card:c7649'));
    const rows = ids.map((id) => txnRow(id, T0 + FIVE_MINUTES_MS));
    const clustered = new BatchPlanner(TRANSACTIONS_JOB, {
      ttlMs: 1,
      windowsPerCall: 100,
      cluster: true,
    }).plan(rows, 0, rows.length);
    for (const call of clustered.calls) {
      for (const row of call.rows) {
        expect(clusterSlotOf(call.keyPrefix + row.entity_id)).toBe(call.slot);
      }
    }
    expect(clustered.calls.map((c) => c.rows.map((r) => r.entity_id))).toEqual([
      ['c1', 'c7649'],
      ['c2'],
      ['c3'],
      ['c4'],
    ]);
    // A single Redis takes any keys in one call, and no slot is named.
    expect(plan(rows).calls.map((c) => [c.slot, c.rows.length])).toEqual([[undefined, 5]]);
  });

  it('plans only rows[start, end)', () => {
    const rows = Array.from({ length: 5 }, (_, i) => txnRow(`c${i}`, T0 + FIVE_MINUTES_MS));
    const batch = planner().plan(rows, 1, 3);
    expect(batch.calls[0]!.rows.map((r) => r.entity_id)).toEqual(['c1', 'c2']);
  });

  it.each([
    [{ entity_id: '' }, 'entity_id must be a non-empty string: got ""'],
    [{ window_start: 1.5 }, 'window_start and window_end must be integer epoch ms: got 1.5, '],
    [{ window_start: T0 + FIVE_MINUTES_MS }, 'window_end must be after window_start: got '],
    [{ amount_sum: undefined }, 'feature amount_sum is missing (the row does not match the job'],
  ])('reports a row it cannot write with the reason (%o)', (override, reason) => {
    const row = { ...txnRow('c1', T0 + FIVE_MINUTES_MS), ...override } as WindowedFeatureRow;
    const batch = plan([row, txnRow('c2', T0 + FIVE_MINUTES_MS)]);
    expect(batch.invalid).toHaveLength(1);
    expect(batch.invalid[0]!.reason.startsWith(reason)).toBe(true);
    expect(batch.calls[0]!.rows.map((r) => r.entity_id)).toEqual(['c2']);
  });

  it('lays out the script arguments: keys, window fields, ttl, fields, then per window its values', () => {
    const row = txnRow('c1', T0 + FIVE_MINUTES_MS, { amount_avg: 0.1 + 0.2 });
    const [call] = plan([row, txnRow('c2', T0 + FIVE_MINUTES_MS)]).calls;
    const args = writeWindowCallArgs(call!, 'EVALSHA');
    const names = TRANSACTIONS_JOB.featureNames;
    expect(args.slice(0, 8 + names.length)).toEqual([
      WRITE_WINDOW_SCRIPT_SHA,
      '2',
      'features:card:c1',
      'features:card:c2',
      'window_start_5m',
      'window_end_5m',
      '86400000',
      String(names.length),
      ...names.map((n) => `${n}_5m`),
    ]);
    const firstWindow = args.slice(8 + names.length, 8 + names.length + 2 + names.length);
    expect(firstWindow).toEqual([
      String(row.window_start),
      String(row.window_end),
      ...names.map((n) => String(row[n as keyof typeof row])),
    ]);
    expect(firstWindow).toContain(String(0.1 + 0.2));
    expect(args).toHaveLength(8 + names.length + 2 * (2 + names.length));
  });

  it("names a user job's fields <job>:<feature>_<label>; a built-in job's stay bare", async () => {
    const logins = (await loadJobRegistry(LOGINS_EXAMPLE)).get('logins');
    const row: WindowedFeatureRow = {
      entity_id: 'u1',
      window_start: T0,
      window_end: T0 + 10 * 60_000,
      ...Object.fromEntries(logins.featureNames.map((name) => [name, 1])),
    };
    const [call] = new BatchPlanner(logins, { ttlMs: 1, windowsPerCall: 10 }).plan(
      [row],
      0,
      1,
    ).calls;
    expect(call).toMatchObject({
      keyPrefix: 'features:user:',
      startField: 'logins:window_start_10m',
      endField: 'logins:window_end_10m',
      fields: logins.featureNames.map((name) => `logins:${name}_10m`),
    });
    const [builtIn] = plan([txnRow('c1', T0 + FIVE_MINUTES_MS)]).calls;
    expect(builtIn).toMatchObject({ startField: 'window_start_5m', endField: 'window_end_5m' });
    expect(builtIn!.fields[0]).toBe('txn_count_5m');
  });
});
