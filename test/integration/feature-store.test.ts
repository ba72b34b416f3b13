// FeatureStore against a real redis-server: what the sink wrote comes back per label, as
// numbers, with window_start / window_end to judge freshness.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { FeatureflowError } from '../../src/core/errors.ts';

import { createFeatureStore } from '../../src/core/sinks/feature-store.ts';
import { createFeatureSink } from '../../src/core/sinks/redis-feature-sink.ts';
import { FIVE_MINUTES_MS, ONE_HOUR_MS, txnRow, uniqueId } from '../support/feature-rows.ts';
import { TRANSACTIONS as TRANSACTIONS_JOB } from '../support/job-events.ts';
import { findFreePort } from '../support/redis-server.ts';

const redisUrl = inject('redisUrl');
const T0 = Date.UTC(2024, 0, 1);
const sink = createFeatureSink({ redisUrl, ttlMs: 3_600_000 });
const store = createFeatureStore({ redisUrl });

afterAll(async () => {
  await sink.close();
  await store.close();
});

describe('FeatureStore.get', () => {
  it('returns undefined for an entity with no key', async () => {
    expect(await store.get('card', uniqueId('nobody'))).toBeUndefined();
  });

  it('reads back every label with its values as numbers, exactly as written', async () => {
    const id = uniqueId('card');
    const fiveMinutes = txnRow(id, T0 + 10 * 60_000, {
      amount_avg: 0.1 + 0.2,
      amount_std: Math.SQRT2,
      velocity_score: 1 / 3,
    });
    const oneHour = txnRow(id, T0 + ONE_HOUR_MS, { txn_count: 40, amount_sum: 1e21 }, ONE_HOUR_MS);
    await sink.writeFeatures([oneHour, fiveMinutes], TRANSACTIONS_JOB);

    const entity = await store.get('card', id);
    expect(entity).toBeDefined();
    expect(entity?.key).toBe(`features:card:${id}`);
    expect(entity?.ttlMs).toBeGreaterThan(3_500_000);
    expect(entity?.ttlMs).toBeLessThanOrEqual(3_600_000);
    expect(Object.keys(entity?.labels ?? {})).toEqual(['5m', '1h']); // smallest window first
    expect(entity?.unrecognizedFields).toEqual([]);
    for (const [label, row] of [
      ['5m', fiveMinutes],
      ['1h', oneHour],
    ] as const) {
      const { entity_id: _id, window_start, window_end, ...features } = row;
      expect(entity?.labels[label]).toEqual({ label, window_start, window_end, features });
    }
  });

  it('gives window_end so a caller can compute freshness', async () => {
    const id = uniqueId('card');
    const windowEnd = Date.now() - 90_000;
    await sink.writeFeatures([txnRow(id, windowEnd)], TRANSACTIONS_JOB);
    const entity = await store.get('card', id);
    const ageMs = Date.now() - (entity?.labels['5m']?.window_end ?? 0);
    expect(ageMs).toBeGreaterThanOrEqual(90_000);
    expect(ageMs).toBeLessThan(90_000 + 10_000);
  });

  it('keeps card and user keys apart', async () => {
    const id = uniqueId('shared');
    await sink.writeFeatures([txnRow(id, T0 + FIVE_MINUTES_MS)], TRANSACTIONS_JOB);
    expect(await store.get('user', id)).toBeUndefined();
    expect(await store.get('card', id)).toBeDefined();
  });

  it('reports an unreachable Redis with the URL and the fix', async () => {
    const port = await findFreePort();
    const url = `redis://127.0.0.1:${port}`;
    const offline = createFeatureStore({ redisUrl: url, connectTimeoutMs: 2_000 });
    try {
      const error = await offline.get('card', 'c1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FeatureflowError);
      expect((error as FeatureflowError).code).toBe('unavailable');
      expect((error as FeatureflowError).message).toBe(
        `cannot read features from Redis at ${url}: connect ECONNREFUSED 127.0.0.1:${port} (start Redis there, e.g. with 'featureflow up', or point REDIS_URL / --redis at a running server)`,
      );
    } finally {
      await offline.close();
    }
  });
});
