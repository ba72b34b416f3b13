// parseFeatureHash: a Redis feature hash back into windows per label (docs/redis-layout.md).
import { describe, expect, it } from 'vitest';
import { parseFeatureHash } from '../../src/core/sinks/feature-store.ts';

describe('parseFeatureHash', () => {
  it('splits fields by label at the last underscore; feature names keep theirs', () => {
    const parsed = parseFeatureHash({
      window_start_1h: '0',
      window_end_1h: '3600000',
      amount_sum_1h: '12.5',
      window_end_5m: '3600000',
      window_start_5m: '3300000',
      amount_sum_5m: '0.30000000000000004',
      high_amount_count_5m: '1',
      velocity_score_5m: '1e+21',
    });
    expect(parsed.unrecognizedFields).toEqual([]);
    expect(Object.keys(parsed.labels)).toEqual(['5m', '1h']);
    expect(parsed.labels['5m']).toEqual({
      label: '5m',
      window_start: 3_300_000,
      window_end: 3_600_000,
      features: { amount_sum: 0.1 + 0.2, high_amount_count: 1, velocity_score: 1e21 },
    });
    expect(parsed.labels['1h']?.features).toEqual({ amount_sum: 12.5 });
  });

  it('orders labels by window size, not by text', () => {
    const hash = Object.fromEntries(
      ['1d', '90s', '1h', '5m', '30s'].map((label) => [`window_end_${label}`, '1']),
    );
    expect(Object.keys(parseFeatureHash(hash).labels)).toEqual(['30s', '90s', '5m', '1h', '1d']);
  });

  it('keeps text that is not a number as text, and lists fields of no known label', () => {
    const parsed = parseFeatureHash({
      window_end_5m: '10',
      note_5m: 'hello',
      blank_5m: '',
      nan_5m: 'NaN',
      txn_count_2m: '3',
      owner: 'someone',
    });
    expect(parsed.labels['5m']?.features).toEqual({ note: 'hello', blank: '', nan: Number.NaN });
    expect(parsed.labels['5m']?.window_start).toBeNaN();
    expect(parsed.unrecognizedFields.sort()).toEqual(['owner', 'txn_count_2m']);
  });
});

describe('parseFeatureHash: several jobs in one hash', () => {
  it('groups <job>: fields per job with bare feature names, apart from the built-in fields', () => {
    const parsed = parseFeatureHash({
      window_start_5m: '0',
      window_end_5m: '300000',
      click_count_5m: '4',
      'logins:window_start_5m': '60000',
      'logins:window_end_5m': '360000',
      'logins:login_count_5m': '2',
      'logins:failure_rate_5m': '0.5',
      'logins:stray': 'x',
    });
    expect(parsed.labels).toEqual({
      '5m': { label: '5m', window_start: 0, window_end: 300_000, features: { click_count: 4 } },
    });
    expect(parsed.jobs).toEqual({
      logins: {
        '5m': {
          label: '5m',
          window_start: 60_000,
          window_end: 360_000,
          features: { login_count: 2, failure_rate: 0.5 },
        },
      },
    });
    expect(parsed.unrecognizedFields).toEqual(['logins:stray']);
  });

  it('marks a window_end that is not a finite number, keeping its text', () => {
    const parsed = parseFeatureHash({ window_end_5m: 'garbage', 'logins:window_end_5m': 'inf' });
    expect(parsed.labels['5m']?.unreadableWindowEnd).toBe('garbage');
    expect(parsed.jobs.logins?.['5m']?.unreadableWindowEnd).toBe('inf');
  });
});
