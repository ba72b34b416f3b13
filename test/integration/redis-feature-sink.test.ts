// FeatureSink against a real redis-server (test/setup/global-redis.ts): newest-wins per
// (entity, label), idempotent re-writes, TTL refresh, 10,000 windows, counts, metrics, outages.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FeatureflowError } from '../../src/core/errors.ts';
import { EVENT_TO_REDIS, REDIS_WRITES } from '../../src/core/metrics.ts';

import { createFeatureSink, type FeatureSink } from '../../src/core/sinks/redis-feature-sink.ts';
import { FIVE_MINUTES_MS, ONE_HOUR_MS, txnRow, uniqueId } from '../support/feature-rows.ts';
import { TRANSACTIONS as TRANSACTIONS_JOB } from '../support/job-events.ts';
import { findFreePort, startRedisServer } from '../support/redis-server.ts';

const redisUrl = inject('redisUrl');
const T0 = Date.UTC(2024, 0, 1);
let admin: Redis;
const sinks: FeatureSink[] = [];

function sink(options: { ttlMs?: number; batchSize?: number; windowsPerCall?: number } = {}) {
  const created = createFeatureSink({ redisUrl, ...options });
  sinks.push(created);
  return created;
}

beforeAll(() => {
  admin = new Redis(redisUrl);
});

afterAll(async () => {
  await Promise.all(sinks.map((s) => s.close()));
  admin.disconnect();
});

describe('FeatureSink: layout', () => {
  it('writes one hash per entity with <feature>_<label> fields and String(n) values', async () => {
    const id = uniqueId('card');
    const row = txnRow(id, T0 + 10 * 60_000, { amount_avg: 0.1 + 0.2, velocity_score: 1 / 3 });
    const result = await sink().writeFeatures([row], TRANSACTIONS_JOB);
    expect(result).toEqual({
      written: 1,
      stale: 0,
      failed: 0,
      failures: [],
      repaired: 0,
      repairs: [],
    });
    expect(await admin.hgetall(`features:card:${id}`)).toEqual({
      window_start_5m: String(row.window_start),
      window_end_5m: String(row.window_end),
      txn_count_5m: '2',
      amount_sum_5m: '40',
      amount_avg_5m: String(0.1 + 0.2),
      amount_max_5m: '30',
      amount_min_5m: '10',
      amount_std_5m: '10',
      distinct_merchants_5m: '2',
      distinct_countries_5m: '1',
      high_amount_count_5m: '0',
      velocity_score_5m: String(1 / 3),
    });
  });

  it('keeps unicode entity ids intact in the key', async () => {
    const id = `${uniqueId('karte')}-ü-€-日本`;
    await sink().writeFeatures([txnRow(id, T0 + FIVE_MINUTES_MS)], TRANSACTIONS_JOB);
    expect(await admin.hget(`features:card:${id}`, 'txn_count_5m')).toBe('2');
  });
});

describe('FeatureSink: an older window never overwrites a newer one', () => {
  it('across calls: the older window is stale and changes nothing', async () => {
    const id = uniqueId('card');
    const s = sink();
    await s.writeFeatures([txnRow(id, T0 + 7 * 60_000, { txn_count: 7 })], TRANSACTIONS_JOB);
    const result = await s.writeFeatures(
      [txnRow(id, T0 + 6 * 60_000, { txn_count: 6 })],
      TRANSACTIONS_JOB,
    );
    expect(result).toMatchObject({ written: 0, stale: 1, failed: 0 });
    expect(await admin.hmget(`features:card:${id}`, 'txn_count_5m', 'window_end_5m')).toEqual([
      '7',
      String(T0 + 7 * 60_000),
    ]);
  });

  it('across batches of one call (batchSize 1): Redis refuses the older one', async () => {
    const id = uniqueId('card');
    const rows = [
      txnRow(id, T0 + 9 * 60_000, { txn_count: 9 }),
      txnRow(id, T0 + 8 * 60_000, { txn_count: 8 }),
    ];
    const result = await sink({ batchSize: 1 }).writeFeatures(rows, TRANSACTIONS_JOB);
    expect(result).toMatchObject({ written: 1, stale: 1, failed: 0 });
    expect(await admin.hget(`features:card:${id}`, 'txn_count_5m')).toBe('9');
  });

  it('within one batch: only the newest window is sent, in whatever order rows come', async () => {
    const id = uniqueId('card');
    const rows = [
      txnRow(id, T0 + 3 * 60_000, { txn_count: 3 }),
      txnRow(id, T0 + 5 * 60_000, { txn_count: 5 }),
      txnRow(id, T0 + 4 * 60_000, { txn_count: 4 }),
    ];
    const result = await sink().writeFeatures(rows, TRANSACTIONS_JOB);
    expect(result).toMatchObject({ written: 1, stale: 2, failed: 0 });
    expect(await admin.hget(`features:card:${id}`, 'txn_count_5m')).toBe('5');
  });

  it('labels are independent: 5m and 1h windows of one entity coexist', async () => {
    const id = uniqueId('card');
    const s = sink();
    const first = await s.writeFeatures(
      [
        txnRow(id, T0 + 10 * 60_000, { txn_count: 1 }, FIVE_MINUTES_MS),
        txnRow(id, T0 + 2 * ONE_HOUR_MS, { txn_count: 100 }, ONE_HOUR_MS),
      ],
      TRANSACTIONS_JOB,
    );
    expect(first).toMatchObject({ written: 2, stale: 0 });
    // A newer 5m window, and a 1h window that ends *before* the stored 5m window_end: each is
    // judged against its own label only.
    const second = await s.writeFeatures(
      [
        txnRow(id, T0 + 11 * 60_000, { txn_count: 2 }, FIVE_MINUTES_MS),
        txnRow(id, T0 + ONE_HOUR_MS, { txn_count: 50 }, ONE_HOUR_MS),
      ],
      TRANSACTIONS_JOB,
    );
    expect(second).toMatchObject({ written: 1, stale: 1 });
    const hash = await admin.hgetall(`features:card:${id}`);
    expect(hash.txn_count_5m).toBe('2');
    expect(hash.window_end_5m).toBe(String(T0 + 11 * 60_000));
    expect(hash.txn_count_1h).toBe('100');
    expect(hash.window_end_1h).toBe(String(T0 + 2 * ONE_HOUR_MS));
    expect(hash.window_start_1h).toBe(String(T0 + ONE_HOUR_MS));
  });
});

describe('FeatureSink: idempotence and TTL', () => {
  it('re-writing the same window leaves the same hash (and counts as written)', async () => {
    const id = uniqueId('card');
    const s = sink();
    const row = txnRow(id, T0 + 20 * 60_000, { amount_std: Math.SQRT2 });
    expect(await s.writeFeatures([row], TRANSACTIONS_JOB)).toMatchObject({ written: 1 });
    const before = await admin.hgetall(`features:card:${id}`);
    expect(await s.writeFeatures([row, row], TRANSACTIONS_JOB)).toMatchObject({
      written: 1,
      stale: 1,
    });
    expect(await s.writeFeatures([row], TRANSACTIONS_JOB)).toMatchObject({ written: 1 });
    expect(await admin.hgetall(`features:card:${id}`)).toEqual(before);
  });

  it('sets the TTL, refreshes it on every write, and leaves it alone on a stale one', async () => {
    const id = uniqueId('card');
    const key = `features:card:${id}`;
    const s = sink({ ttlMs: 60_000 });
    await s.writeFeatures([txnRow(id, T0 + 30 * 60_000)], TRANSACTIONS_JOB);
    const ttl = await admin.pttl(key);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);

    await admin.pexpire(key, 5_000);
    await s.writeFeatures([txnRow(id, T0 + 29 * 60_000)], TRANSACTIONS_JOB); // stale
    expect(await admin.pttl(key)).toBeLessThanOrEqual(5_000);

    await s.writeFeatures([txnRow(id, T0 + 30 * 60_000)], TRANSACTIONS_JOB); // equal: written
    expect(await admin.pttl(key)).toBeGreaterThan(50_000);

    await admin.pexpire(key, 5_000);
    await s.writeFeatures([txnRow(id, T0 + 31 * 60_000)], TRANSACTIONS_JOB); // newer
    expect(await admin.pttl(key)).toBeGreaterThan(50_000);
  });

  it('uses the 24 h default TTL', async () => {
    const id = uniqueId('card');
    await sink().writeFeatures([txnRow(id, T0 + FIVE_MINUTES_MS)], TRANSACTIONS_JOB);
    const ttl = await admin.pttl(`features:card:${id}`);
    expect(ttl).toBeGreaterThan(24 * ONE_HOUR_MS - 60_000);
    expect(ttl).toBeLessThanOrEqual(24 * ONE_HOUR_MS);
  });
});

describe('FeatureSink: volume', () => {
  it('lands a batch of 10,000 windows completely (every key checked)', async () => {
    const prefix = uniqueId('bulk');
    const rows = Array.from({ length: 10_000 }, (_, i) =>
      txnRow(`${prefix}-${i}`, T0 + FIVE_MINUTES_MS + (i % 7) * 60_000, {
        txn_count: i,
        amount_sum: i * 1.5,
      }),
    );
    const result = await sink({ batchSize: 10_000 }).writeFeatures(rows, TRANSACTIONS_JOB);
    expect(result).toEqual({
      written: 10_000,
      stale: 0,
      failed: 0,
      failures: [],
      repaired: 0,
      repairs: [],
    });

    const check = admin.pipeline();
    for (const row of rows) {
      check.hmget(
        `features:card:${row.entity_id}`,
        'window_end_5m',
        'txn_count_5m',
        'amount_sum_5m',
      );
    }
    const replies = (await check.exec()) ?? [];
    expect(replies).toHaveLength(10_000);
    const wrong = rows.filter((row, i) => {
      const [error, values] = replies[i] ?? [];
      return (
        error !== null ||
        JSON.stringify(values) !==
          JSON.stringify([String(row.window_end), String(row.txn_count), String(row.amount_sum)])
      );
    });
    expect(wrong.map((row) => row.entity_id)).toEqual([]);
  });
});

describe('FeatureSink: counts, failures and metrics', () => {
  function writesMetric(): Promise<Record<string, number>> {
    return REDIS_WRITES.get().then((metric) =>
      Object.fromEntries(metric.values.map((v) => [String(v.labels.status), v.value])),
    );
  }

  it('counts written, stale and failed (with reasons) and adds them to REDIS_WRITES', async () => {
    const id = uniqueId('card');
    const wrongType = uniqueId('card');
    await admin.set(`features:card:${wrongType}`, 'not a hash');
    const s = sink();
    await s.writeFeatures([txnRow(id, T0 + 40 * 60_000)], TRANSACTIONS_JOB);
    const before = await writesMetric();

    const { amount_sum: _dropped, ...missingFeature } = txnRow(uniqueId('card'), T0 + 40 * 60_000);
    const rows = [
      txnRow(uniqueId('card'), T0 + 40 * 60_000), // written
      txnRow(uniqueId('card'), T0 + 40 * 60_000), // written
      txnRow(id, T0 + 39 * 60_000), // stale in Redis
      txnRow(id, T0 + 38 * 60_000), // stale in the batch
      txnRow(wrongType, T0 + 40 * 60_000), // failed: WRONGTYPE
      missingFeature as ReturnType<typeof txnRow>, // failed: missing feature
    ];
    const result = await s.writeFeatures(rows, TRANSACTIONS_JOB);
    expect(result).toMatchObject({ written: 2, stale: 2, failed: 2 });
    expect(result.failures.map((f) => f.reason).sort()).toEqual([
      expect.stringMatching(
        /^Redis refused the write to features:card:card-\w+: WRONGTYPE Operation against a key holding the wrong kind of value \(the key must be a feature hash; delete or rename what is there\)$/,
      ),
      "feature amount_sum is missing (the row does not match the job's feature list)",
    ]);
    expect(result.failures.find((f) => f.reason.includes('WRONGTYPE'))?.entity_id).toBe(wrongType);

    const after = await writesMetric();
    expect({
      written: (after.written ?? 0) - (before.written ?? 0),
      stale: (after.stale ?? 0) - (before.stale ?? 0),
      failed: (after.failed ?? 0) - (before.failed ?? 0),
    }).toEqual({ written: 2, stale: 2, failed: 2 });
  });

  it('observes freshness (window end to Redis acknowledgement) for written windows only', async () => {
    const histogram = async () => {
      const values = (await EVENT_TO_REDIS.get()).values;
      const total = (suffix: string) =>
        values.find((v) => v.metricName === `featureflow_event_to_redis_seconds_${suffix}`)
          ?.value ?? 0;
      return { count: total('count'), sum: total('sum') };
    };
    const id = uniqueId('card');
    const s = sink();
    const windowEnd = Math.floor((Date.now() - 2_000) / 60_000) * 60_000;
    await s.writeFeatures([txnRow(id, windowEnd)], TRANSACTIONS_JOB);
    const before = await histogram();
    const sentAt = Date.now();
    // One newer window (written) and one older (stale, not fresh data: not observed).
    const result = await s.writeFeatures(
      [txnRow(id, windowEnd + 60_000), txnRow(uniqueId('card'), windowEnd)],
      TRANSACTIONS_JOB,
    );
    const ackedBy = Date.now();
    expect(result.written).toBe(2);
    await s.writeFeatures([txnRow(id, windowEnd)], TRANSACTIONS_JOB); // stale
    const after = await histogram();
    expect(after.count - before.count).toBe(2);
    const observed = after.sum - before.sum;
    const lowest = (sentAt - (windowEnd + 60_000)) / 1000 + (sentAt - windowEnd) / 1000;
    expect(observed).toBeGreaterThanOrEqual(lowest - 0.001);
    expect(observed).toBeLessThanOrEqual(lowest + (2 * (ackedBy - sentAt)) / 1000 + 0.001);
  });

  it('re-loads the script after SCRIPT FLUSH (NOSCRIPT -> EVAL)', async () => {
    const id = uniqueId('card');
    const s = sink();
    await s.writeFeatures([txnRow(id, T0 + FIVE_MINUTES_MS)], TRANSACTIONS_JOB);
    await admin.script('FLUSH');
    const result = await s.writeFeatures([txnRow(id, T0 + 2 * FIVE_MINUTES_MS)], TRANSACTIONS_JOB);
    expect(result).toMatchObject({ written: 1, failed: 0 });
    expect(await admin.hget(`features:card:${id}`, 'window_end_5m')).toBe(
      String(T0 + 2 * FIVE_MINUTES_MS),
    );
  });

  it('groups windows into calls of windowsPerCall and still writes them all', async () => {
    const prefix = uniqueId('calls');
    const rows = Array.from({ length: 25 }, (_, i) =>
      txnRow(`${prefix}-${i}`, T0 + FIVE_MINUTES_MS),
    );
    const result = await sink({ windowsPerCall: 7, batchSize: 10 }).writeFeatures(
      rows,
      TRANSACTIONS_JOB,
    );
    expect(result).toMatchObject({ written: 25, stale: 0, failed: 0 });
    const ends = await Promise.all(
      rows.map((row) => admin.hget(`features:card:${row.entity_id}`, 'window_end_5m')),
    );
    expect(ends).toEqual(rows.map((row) => String(row.window_end)));
  });
});

describe('FeatureSink: Redis unavailable', () => {
  it('says what failed, where, and how to fix it', async () => {
    const port = await findFreePort();
    const url = `redis://127.0.0.1:${port}`;
    const s = createFeatureSink({ redisUrl: url, connectTimeoutMs: 2_000 });
    sinks.push(s);
    const error = await s
      .writeFeatures([txnRow(uniqueId('card'), T0 + FIVE_MINUTES_MS)], TRANSACTIONS_JOB)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(FeatureflowError);
    const ffError = error as FeatureflowError;
    expect(ffError.code).toBe('unavailable');
    expect(ffError.retriable).toBe(true);
    expect(ffError.message).toBe(
      `cannot write features to Redis at ${url}: connect ECONNREFUSED 127.0.0.1:${port} (start Redis there, e.g. with 'featureflow up', or point REDIS_URL / --redis at a running server)`,
    );
  });

  it('fails a call whose connection drops mid-way, counting what was not confirmed as retried', async () => {
    const server = await startRedisServer();
    const s = createFeatureSink({ redisUrl: server.url, batchSize: 500, connectTimeoutMs: 2_000 });
    sinks.push(s);
    const prefix = uniqueId('drop');
    const rows = Array.from({ length: 200_000 }, (_, i) =>
      txnRow(`${prefix}-${i}`, T0 + FIVE_MINUTES_MS),
    );
    const failedBefore = (await REDIS_WRITES.get()).values.find(
      (v) => v.labels.status === 'retried',
    )?.value;
    try {
      await s.writeFeatures(rows.slice(0, 1), TRANSACTIONS_JOB); // connected
      // Settled into a value at once, so the rejection is handled while Redis is stopped.
      const outcome = s.writeFeatures(rows, TRANSACTIONS_JOB).then(
        () => 'written all',
        (error: unknown) => error,
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      await server.stop();
      // Which socket error comes first depends on where the stop caught the batch: a reply
      // being read, a command being written, or the next command finding no connection.
      const error = await outcome;
      expect(error, String(error)).toMatchObject({
        code: 'unavailable',
        message: expect.stringMatching(
          /^cannot write features to Redis at redis:\/\/127\.0\.0\.1:\d+: ((read|write) (ECONNRESET|EPIPE)|the connection closed|not connected|connect ECONNREFUSED).* \(start Redis there/,
        ),
      });
    } finally {
      await server.stop();
    }
    const failedAfter = (await REDIS_WRITES.get()).values.find(
      (v) => v.labels.status === 'retried',
    )?.value;
    expect((failedAfter ?? 0) - (failedBefore ?? 0)).toBeGreaterThan(0);
  });

  it('recovers when Redis comes back: the same write, retried, lands', async () => {
    const server = await startRedisServer();
    const s = createFeatureSink({ redisUrl: server.url, connectTimeoutMs: 2_000 });
    sinks.push(s);
    const id = uniqueId('card');
    const row = txnRow(id, T0 + FIVE_MINUTES_MS);
    try {
      expect(await s.writeFeatures([row], TRANSACTIONS_JOB)).toMatchObject({ written: 1 });
      await server.stop();
      await expect(s.writeFeatures([row], TRANSACTIONS_JOB)).rejects.toMatchObject({
        code: 'unavailable',
      });
      // Same port, empty memory and script cache: a retry with backoff, as callers do.
      const restarted = await startRedisServer({ port: server.port });
      try {
        const result = await retry(() => s.writeFeatures([row], TRANSACTIONS_JOB));
        expect(result).toMatchObject({ written: 1, failed: 0 });
        const check = new Redis(restarted.url);
        expect(await check.hget(`features:card:${id}`, 'window_end_5m')).toBe(
          String(row.window_end),
        );
        check.disconnect();
      } finally {
        await restarted.stop();
      }
    } finally {
      await server.stop();
    }
  });
});

/** What the consumer runtime and the sink connector do: retry 'unavailable' with backoff. */
async function retry<T>(attempt: () => Promise<T>, attempts = 20): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof FeatureflowError && error.retriable) || i >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(50 * i, 500)));
    }
  }
}
