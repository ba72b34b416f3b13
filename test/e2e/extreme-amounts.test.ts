// One rule for extreme amounts in every runtime: a transaction's amount must satisfy
// |amount| <= 1e15 (the transactions definition's `maxAbs`), else the event is invalid with
// reason out_of_range. Replay dead-letters it and writes only finite features; the validator
// the consumer and `produce` use says the same; the UDF service fails the window with the same
// words. Two 1e308 amounts once made replay write amount_sum null.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUdfClient, type UdfClient } from '../../src/udf/client.ts';
import { createUdfServer, type UdfServer } from '../../src/udf/server.ts';
import { TRANSACTIONS } from '../support/job-events.ts';
import { readNdjson } from '../support/ndjson.ts';
import { runCli } from '../support/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'featureflow-amounts-'));
/** The next double above 1e15 (doubles there are 0.125 apart). */
const JUST_OVER = 1e15 + 0.125;
const BOUND_MESSAGE =
  'amount must be at most 1000000000000000 in magnitude (a payment amount; larger ones would overflow window sums)';

function transaction(id: string, amount: number, timestamp: number) {
  return {
    transaction_id: id,
    card_id: 'card-x',
    user_id: 'user-x',
    merchant_id: 'm-1',
    merchant_category: 'fuel',
    amount,
    currency: 'EUR',
    country: 'DE',
    channel: 'pos',
    timestamp,
  };
}

describe('the amount bound', () => {
  it('is the validator rule: 1e15 and -1e15 are valid, 1e15 + 0.125 and 1e308 are out_of_range', () => {
    expect(TRANSACTIONS.validate(transaction('a', 1e15, 0)).ok).toBe(true);
    expect(TRANSACTIONS.validate(transaction('b', -1e15, 0)).ok).toBe(true);
    for (const amount of [JUST_OVER, -JUST_OVER, 1e308, -1e308]) {
      expect(TRANSACTIONS.findProblem(transaction('c', amount, 0))).toEqual({
        ok: false,
        reason: 'out_of_range',
        field: 'amount',
        message: `${BOUND_MESSAGE}: got ${amount}`,
      });
    }
  });

  it('replay dead-letters out-of-range amounts and writes only finite features', async () => {
    const input = join(dir, 'events.ndjson');
    const events = [
      transaction('huge-1', 1e308, 10_000),
      transaction('huge-2', 1e308, 11_000),
      transaction('top', 1e15, 12_000),
      transaction('bottom', -1e15, 13_000),
      // JSON text 1000000000000000.1 reads as the double just above 1e15.
      transaction('over', JUST_OVER, 14_000),
    ];
    writeFileSync(input, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const result = await runCli([
      'replay',
      '--job',
      'transactions',
      '--input',
      input,
      '--output',
      join(dir, 'rows.ndjson'),
      '--dead-letter',
      join(dir, 'dead.ndjson'),
    ]);
    expect(result.code, result.stderr).toBe(0);
    const dead = readNdjson(join(dir, 'dead.ndjson'));
    expect(dead.map((d) => [d.line, d.code])).toEqual([
      [1, 'out_of_range'],
      [2, 'out_of_range'],
      [5, 'out_of_range'],
    ]);
    expect(dead[0]!.reason).toBe(`${BOUND_MESSAGE}: got 1e+308`);
    const rows = readNdjson(join(dir, 'rows.ndjson'));
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      for (const value of Object.values(row)) expect(value).not.toBeNull();
      expect(row).toMatchObject({
        txn_count: 2,
        amount_sum: 0,
        amount_max: 1e15,
        amount_min: -1e15,
      });
    }
  });
});

describe('the UDF service', () => {
  let server: UdfServer;
  let client: UdfClient;
  beforeAll(async () => {
    server = await createUdfServer({ address: '127.0.0.1:0' });
    client = createUdfClient({ address: server.address });
  });
  afterAll(async () => {
    client?.close();
    await server?.close();
  });

  it('fails a window holding an out-of-range amount with the validator words, and computes the bound itself', async () => {
    const window = (amounts: number[]) => ({
      entityId: 'card-x',
      windowStart: 0,
      windowEnd: 300_000,
      events: amounts.map((amount, i) => transaction(`t${i}`, amount, 10_000 + i)),
    });
    const [huge, bounds, over] = await client.invoke('transaction_features', [
      window([1e308, 1e308]),
      window([1e15, -1e15]),
      window([10, JUST_OVER]),
    ]);
    expect(huge).toEqual({
      ok: false,
      reason: `transaction_features row 0 (entity 'card-x', window [0, 300000)): event 0 of the window: ${BOUND_MESSAGE}: got 1e+308 (invalid: out_of_range)`,
    });
    expect(bounds).toEqual({
      ok: true,
      row: expect.objectContaining({ txn_count: 2, amount_sum: 0, amount_max: 1e15 }),
    });
    expect(over).toEqual({
      ok: false,
      reason: expect.stringContaining(
        `event 1 of the window: ${BOUND_MESSAGE}: got ${JUST_OVER} (invalid: out_of_range)`,
      ),
    });
  });
});
