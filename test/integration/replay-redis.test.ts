// `featureflow replay --redis <url>`: a backfill writes each entity's newest windows through the
// live sink's script, so a newer window Redis already holds is kept and everything else (absent
// entities, older windows) is written. The real bin, a redis-server of this file's own.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WindowedFeatureRow } from '../../src/core/jobs/job-definition.ts';
import { createFeatureSink } from '../../src/core/sinks/redis-feature-sink.ts';
import { generateEvents } from '../support/generated-events.ts';
import { TRANSACTION_FEATURE_NAMES, TRANSACTIONS } from '../support/job-events.ts';
import {
  expectRedisHoldsNewestWindows,
  newestWindowPerEntity,
} from '../support/redis-expectations.ts';
import { type RedisServer, startRedisServer } from '../support/redis-server.ts';
import { type FeatureRow, replayRows } from '../support/replay-rows.ts';
import { runCli } from '../support/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'featureflow-replay-redis-'));
let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  await redis.stop();
});

describe('featureflow replay --redis', () => {
  it('backfills the newest windows and never overwrites a newer one already in Redis', async () => {
    const input = await generateEvents(join(dir, 'events.ndjson'), { events: 2_000, seed: 41 });
    const rows = [...(await replayRows('transactions', input, join(dir, 'plain.ndjson'))).values()];
    const newest = newestWindowPerEntity(rows);
    const [live, older] = [...newest.values()];
    // `live`: the live sink already wrote a newer window; `older`: Redis holds an older one.
    const newer = {
      ...live!,
      window_start: (live!.window_start as number) + 60_000,
      window_end: live!.window_end + 60_000,
      txn_count: 999,
    };
    const stale = {
      ...older!,
      window_start: (older!.window_start as number) - 60_000,
      window_end: older!.window_end - 60_000,
      txn_count: 111,
    };
    const sink = createFeatureSink({ redisUrl: redis.url });
    await sink
      .writeFeatures([newer, stale] as unknown as WindowedFeatureRow[], TRANSACTIONS)
      .finally(() => sink.close());

    const output = join(dir, 'backfill.ndjson');
    const run = await runCli([
      'replay',
      '--job',
      'transactions',
      '--input',
      input,
      '--output',
      output,
      '--redis',
      redis.url,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      `backfill -> Redis at ${redis.url}: ${newest.size} newest windows of ${rows.length} rows, ${newest.size - 1} written, 1 kept a newer stored window, 0 refused\n`,
    );

    const expected = new Map<string, FeatureRow>(newest);
    expected.set(live!.entity_id, newer);
    await expectRedisHoldsNewestWindows(
      redis.url,
      'card',
      expected,
      TRANSACTION_FEATURE_NAMES,
      10_000,
    );
    const admin = new Redis(redis.url);
    try {
      expect(await admin.hget(`features:card:${live!.entity_id}`, 'txn_count_5m')).toBe('999');
      expect(await admin.hget(`features:card:${older!.entity_id}`, 'txn_count_5m')).toBe(
        String(older!.txn_count),
      );
      expect(await admin.dbsize()).toBe(newest.size);
    } finally {
      admin.disconnect();
    }
  });
});
