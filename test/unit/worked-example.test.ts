// The worked example of docs/windows.md, row by row, through the same engine and functions replay uses.
import { describe, expect, it } from 'vitest';
import type { WindowedFeatureRow } from '../../src/core/jobs/job-definition.ts';
import { WindowedEngine } from '../../src/engine/windowed-engine.ts';
import type { TransactionEvent } from '../../src/jobs/transactions.ts';
import { at, txn } from '../support/events.ts';
import { TRANSACTIONS } from '../support/job-events.ts';

function runWorkedExample() {
  const rows: WindowedFeatureRow[] = [];
  const firedAfterEvent: number[] = [];
  const engine = new WindowedEngine<TransactionEvent>({
    windowSizeMs: 5 * 60_000,
    slideMs: 60_000,
    maxOutOfOrdernessMs: 5_000,
    entityOf: (e) => e.card_id,
    timeOf: (e) => e.timestamp,
    onWindowFired: (w) => rows.push(TRANSACTIONS.computeFeatures(w.getEvents(), w)),
    onLateEvent: () => {
      throw new Error('no event of the example is late');
    },
  });
  const events = [
    txn({ card_id: 'c1', timestamp: at('00:00:10'), amount: 10, merchant_id: 'm1' }),
    txn({ card_id: 'c1', timestamp: at('00:02:00'), amount: 30, merchant_id: 'm2' }),
    txn({ card_id: 'c2', timestamp: at('00:10:00'), amount: 5 }),
  ];
  for (const event of events) {
    engine.process(event);
    firedAfterEvent.push(rows.length);
  }
  engine.flush();
  return { rows, firedAfterEvent, watermark: engine.watermark };
}

describe('the worked example of docs/windows.md', () => {
  const { rows, firedAfterEvent } = runWorkedExample();

  it('fires c1 00:01 after the second event, the rest of c1 after c2, c2 at the end: twelve rows', () => {
    expect(firedAfterEvent).toEqual([0, 1, 7]);
    expect(rows).toHaveLength(12);
    expect(rows.map((r) => [r.entity_id, r.window_end])).toEqual([
      ['c1', at('00:01:00')],
      ['c1', at('00:02:00')],
      ['c1', at('00:03:00')],
      ['c1', at('00:04:00')],
      ['c1', at('00:05:00')],
      ['c1', at('00:06:00')],
      ['c1', at('00:07:00')],
      ['c2', at('00:11:00')],
      ['c2', at('00:12:00')],
      ['c2', at('00:13:00')],
      ['c2', at('00:14:00')],
      ['c2', at('00:15:00')],
    ]);
  });

  it('windows ending 00:01 and 00:02 hold the first event only', () => {
    for (const row of rows.slice(0, 2)) {
      expect(row).toMatchObject({ txn_count: 1, amount_sum: 10, amount_avg: 10, amount_std: 0 });
      expect(row.velocity_score).toBeCloseTo(0.1, 12);
      expect(row.window_end - row.window_start).toBe(300_000);
    }
  });

  it('windows ending 00:03 to 00:05 hold both: count 2, sum 40, avg 20, std 10, velocity 0.2', () => {
    for (const row of rows.slice(2, 5)) {
      expect(row).toMatchObject({
        txn_count: 2,
        amount_sum: 40,
        amount_avg: 20,
        amount_max: 30,
        amount_min: 10,
        amount_std: 10,
        distinct_merchants: 2,
        distinct_countries: 1,
        high_amount_count: 0,
      });
      expect(row.velocity_score).toBeCloseTo(0.2, 12);
    }
  });

  it('windows ending 00:06 and 00:07 hold the second event only', () => {
    for (const row of rows.slice(5, 7)) {
      expect(row).toMatchObject({ txn_count: 1, amount_sum: 30, amount_min: 30, amount_max: 30 });
    }
  });

  it('the first window starts before the epoch: [-00:04, 00:01)', () => {
    expect(rows[0]!.window_start).toBe(-240_000);
  });
});
