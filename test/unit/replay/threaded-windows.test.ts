// The window thread and the rows written back here end to end: the rows file holds exactly what the engine and the
// feature function give in this thread, serialized, and the late count agrees.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FeatureflowError } from '../../../src/core/errors.ts';
import { resolveFeatureJobConfig } from '../../../src/core/models/config.ts';
import { WindowedEngine } from '../../../src/engine/windowed-engine.ts';
import type { TransactionEvent } from '../../../src/jobs/transactions.ts';
import { createRowSerializer } from '../../../src/replay/row-serializer.ts';
import { ThreadedWindows } from '../../../src/replay/threaded-windows.ts';
import { BUILT_IN, TRANSACTIONS as TRANSACTIONS_JOB } from '../../support/job-events.ts';

const dir = mkdtempSync(join(tmpdir(), 'featureflow-windows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const config = resolveFeatureJobConfig({ job: 'transactions' }, BUILT_IN, {});

/** 40,000 events over 200 cards, 20 ms apart, with disorder and a late one every 997. */
function events(): TransactionEvent[] {
  return Array.from({ length: 40_000 }, (_, i) => ({
    transaction_id: `t${i}`,
    card_id: `card-${(i * 7919) % 200}`,
    user_id: 'u',
    merchant_id: `m-${(i * 31) % 50}`,
    merchant_category: 'grocery',
    amount: ((i * 37) % 10_000) / 100,
    currency: 'EUR',
    country: i % 5 === 0 ? 'FR' : 'DE',
    channel: 'pos',
    timestamp: 1_704_067_200_000 + i * 20 - (i % 13) * 150 - (i % 997 === 996 ? 400_000 : 0),
  }));
}

function expectedRows(input: readonly TransactionEvent[]): { lines: string[]; late: number } {
  const serialize = createRowSerializer(TRANSACTIONS_JOB.featureNames);
  const lines: string[] = [];
  let late = 0;
  const engine = new WindowedEngine<TransactionEvent>({
    ...config,
    entityOf: (event) => event.card_id,
    timeOf: (event) => event.timestamp,
    onWindowFired: (window) =>
      lines.push(serialize(TRANSACTIONS_JOB.computeFeatures(window.getEvents(), window))),
    onLateEvent: () => {
      late++;
    },
  });
  for (const event of input) engine.process(event);
  engine.flush();
  return { lines, late };
}

describe('ThreadedWindows', () => {
  it('writes the rows the engine gives in this thread, in the same order', async () => {
    const input = events();
    const path = join(dir, 'rows.ndjson');
    const windows = new ThreadedWindows(config, path);
    for (const [i, event] of input.entries()) {
      windows.add(event, event.timestamp);
      if (i % 5000 === 0) await windows.flushIfFull();
    }
    const result = await windows.finish();
    const expected = expectedRows(input);
    expect(expected.late).toBeGreaterThan(0);
    expect(result).toEqual({ windows: expected.lines.length, late: expected.late });
    expect(readFileSync(path, 'utf8')).toBe(`${expected.lines.join('\n')}\n`);
  });

  it('reports a rows file it cannot write', async () => {
    const path = join(dir, 'missing-folder', 'rows.ndjson');
    const windows = new ThreadedWindows(config, path);
    for (const event of events().slice(0, 100)) windows.add(event, event.timestamp);
    const error = await windows.finish().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(FeatureflowError);
    expect((error as FeatureflowError).code).toBe('invalid_argument');
    expect((error as Error).message).toMatch(/^cannot write .*rows\.ndjson: ENOENT/);
  });
});
