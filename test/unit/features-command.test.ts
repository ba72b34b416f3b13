// How `featureflow features get` shows freshness and values (formatting only; the command end to
// end is in test/integration/features-cli.test.ts).
import { describe, expect, it } from 'vitest';
import { describeAge, formatAge, formatEntity } from '../../src/cli/commands/features.ts';

describe('formatAge / describeAge', () => {
  it.each([
    [0, '0ms'],
    [950, '950ms'],
    [1_000, '1s'],
    [42_400, '42s'],
    [192_000, '3m 12s'],
    [3_600_000, '1h 0m'],
    [7_500_000, '2h 5m'],
    [273_600_000 + 59_000, '3d 4h'],
  ])('%d ms -> %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });

  it('says when a window ends in the future (clock skew, synthetic data)', () => {
    expect(describeAge(5_000)).toBe('5s ago');
    expect(describeAge(-5_000)).toBe('in the future by 5s');
    expect(describeAge(Number.NaN)).toBe('unknown');
  });
});

describe('formatEntity', () => {
  it('prints the key, TTL, each job and label with its window and age, then aligned values', () => {
    const now = Date.UTC(2024, 0, 1, 0, 10);
    const window = {
      label: '5m',
      window_start: Date.UTC(2024, 0, 1, 0, 2),
      window_end: Date.UTC(2024, 0, 1, 0, 7),
      features: { txn_count: 2, amount_avg: 20.5 },
    };
    const text = formatEntity(
      {
        entityType: 'card',
        entityId: 'c1',
        key: 'features:card:c1',
        ttlMs: 3_600_000,
        labels: { '5m': window },
        jobs: { transactions: { '5m': window } },
        unrecognizedFields: ['owner'],
      },
      'redis://127.0.0.1:6380',
      now,
    );
    expect(text).toBe(
      [
        'features:card:c1 at redis://127.0.0.1:6380 (expires in 1h 0m)',
        '',
        'transactions 5m window 2024-01-01T00:02:00.000Z .. 2024-01-01T00:07:00.000Z',
        '  window_end age: 3m 0s ago',
        '  txn_count   2',
        '  amount_avg  20.5',
        '',
        'other fields (not written by the sink): owner',
        '',
      ].join('\n'),
    );
  });
});
