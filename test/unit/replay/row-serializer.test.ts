// Rows whose keys are not in schema order are still written in schema order.
import { describe, expect, it } from 'vitest';
import { createRowSerializer } from '../../../src/replay/row-serializer.ts';

describe('createRowSerializer', () => {
  const serialize = createRowSerializer(['txn_count', 'amount_sum']);

  it('writes a row in schema order as JSON.stringify does', () => {
    const row = {
      entity_id: 'c1',
      window_start: 0,
      window_end: 60_000,
      txn_count: 2,
      amount_sum: 1.5,
    };
    expect(serialize(row)).toBe(JSON.stringify(row));
  });

  it('puts the keys of a row built in another order into schema order', () => {
    const row = {
      amount_sum: 1.5,
      window_end: 60_000,
      entity_id: 'c1',
      txn_count: 2,
      window_start: 0,
    };
    expect(serialize(row)).toBe(
      '{"entity_id":"c1","window_start":0,"window_end":60000,"txn_count":2,"amount_sum":1.5}',
    );
  });

  it('leaves out keys that are not in the schema', () => {
    const row = {
      entity_id: 'c1',
      window_start: 0,
      window_end: 60_000,
      txn_count: 2,
      amount_sum: 1.5,
      debug: 'x',
    };
    expect(serialize(row)).toBe(
      '{"entity_id":"c1","window_start":0,"window_end":60000,"txn_count":2,"amount_sum":1.5}',
    );
  });
});
