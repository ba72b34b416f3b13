// FeatureSink when Redis says no: out of memory (retried, only the rows still waiting, until
// Redis ends equal to a run without the fault), WRONGTYPE (refused for good, with the row for
// the dead letter), a stored window_end that is not a number (treated as absent and repaired),
// and a key that is not a hash as `features get` reports it. Real redis-servers throughout.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { WindowedFeatureRow } from '../../src/core/jobs/job-definition.ts';
import { createFeatureStore } from '../../src/core/sinks/feature-store.ts';
import { createFeatureSink, type FeatureSink } from '../../src/core/sinks/redis-feature-sink.ts';
import { writeFeaturesUntilDone } from '../../src/core/sinks/write-until-done.ts';
import { FIVE_MINUTES_MS, txnRow, uniqueId } from '../support/feature-rows.ts';
import { TRANSACTIONS as TRANSACTIONS_JOB } from '../support/job-events.ts';
import { waitFor } from '../support/kafka.ts';
import { type RedisServer, startRedisServer } from '../support/redis-server.ts';

const redisUrl = inject('redisUrl');
const T0 = Date.UTC(2024, 0, 1);
let admin: Redis;
const sinks: FeatureSink[] = [];

function sink(url: string, options: { batchSize?: number; maxBatchesInFlight?: number } = {}) {
  const created = createFeatureSink({ redisUrl: url, ...options });
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

/** Every key of a Redis with its hash (or its string), for comparing two whole databases. */
async function contents(client: Redis): Promise<Record<string, unknown>> {
  const keys = (await client.keys('*')).sort();
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    out[key] =
      (await client.type(key)) === 'hash' ? await client.hgetall(key) : await client.get(key);
  }
  return out;
}

/** 20,000 windows: 5,000 cards, four one-minute-apart windows each, in window order. */
function stream(prefix: string): WindowedFeatureRow[] {
  const rows: WindowedFeatureRow[] = [];
  for (let minute = 1; minute <= 4; minute++) {
    for (let i = 0; i < 5_000; i++) {
      rows.push(txnRow(`${prefix}-${i}`, T0 + minute * 60_000, { txn_count: minute * 10_000 + i }));
    }
  }
  return rows;
}

/** Writes `rows` in consumer-sized writes of `writeSize`, each until it is done. */
async function writeStream(
  s: FeatureSink,
  rows: readonly WindowedFeatureRow[],
  writeSize: number,
  log: (line: string) => void,
) {
  const total = { written: 0, stale: 0, failed: 0 };
  for (let start = 0; start < rows.length; start += writeSize) {
    const result = await writeFeaturesUntilDone(
      s,
      rows.slice(start, start + writeSize),
      TRANSACTIONS_JOB,
      { log, initialDelayMs: 50, maxDelayMs: 500 },
    );
    total.written += result.written;
    total.stale += result.stale;
    total.failed += result.failed;
  }
  return total;
}

describe('FeatureSink: Redis out of memory (maxmemory + noeviction)', () => {
  let oom: RedisServer;
  let reference: RedisServer;

  beforeAll(async () => {
    oom = await startRedisServer({ extraArgs: ['--maxmemory-policy', 'noeviction'] });
    reference = await startRedisServer();
  });

  afterAll(async () => {
    await oom.stop();
    await reference.stop();
  });

  it('retries the windows Redis refused until memory is raised, and ends equal to the no-fault run', async () => {
    const prefix = uniqueId('oom');
    const rows = stream(prefix);
    const oomAdmin = new Redis(oom.url);
    const referenceAdmin = new Redis(reference.url);
    try {
      const noFault = await writeStream(sink(reference.url), rows, 1_000, () => undefined);
      expect(noFault).toEqual({ written: 20_000, stale: 0, failed: 0 });

      const lines: string[] = [];
      const faulty = sink(oom.url);
      // A quarter of the stream lands; then Redis runs out of memory mid-stream.
      await writeStream(faulty, rows.slice(0, 5_000), 1_000, (line) => lines.push(line));
      expect(await oomAdmin.dbsize()).toBe(5_000);
      await oomAdmin.config('SET', 'maxmemory', '1mb');
      const rest = writeStream(faulty, rows.slice(5_000), 1_000, (line) => lines.push(line));
      await waitFor('the sink to report the OOM and wait', 30_000, () =>
        lines.some((line) =>
          /^1000 of 1000 windows wait for Redis \(attempt 1\): Redis at redis:\/\/127\.0\.0\.1:\d+ cannot take writes now: OOM command not allowed when used memory > 'maxmemory'\. \(the windows are written once it can: raise maxmemory/.test(
            line,
          ),
        )
          ? true
          : undefined,
      );
      // Nothing refused was counted as done: the second write is still retrying.
      const waited = lines.length;
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(await oomAdmin.hget(`features:card:${prefix}-0`, 'window_end_5m')).toBe(
        String(T0 + 60_000),
      );
      // Backoff to 500 ms over 1.5 s is several attempts, but the report is rate-limited.
      expect(lines.length).toBe(waited);

      await oomAdmin.config('SET', 'maxmemory', '0');
      expect(await rest).toEqual({ written: 15_000, stale: 0, failed: 0 });
      expect(lines.at(-1)).toMatch(
        /^Redis took the 1000 waiting windows on attempt \d+ \(1000 in this write\)$/,
      );
      expect(await contents(oomAdmin)).toEqual(await contents(referenceAdmin));
    } finally {
      oomAdmin.disconnect();
      referenceAdmin.disconnect();
    }
  });
});

describe('FeatureSink: rows Redis refuses for good', () => {
  it('returns each WRONGTYPE row with its reason (for the dead letter) and writes the others', async () => {
    const wrongType = uniqueId('card');
    const fine = uniqueId('card');
    await admin.set(`features:card:${wrongType}`, 'not a hash');
    const rows = [txnRow(wrongType, T0 + FIVE_MINUTES_MS), txnRow(fine, T0 + FIVE_MINUTES_MS)];
    const lines: string[] = [];
    const result = await writeFeaturesUntilDone(sink(redisUrl), rows, TRANSACTIONS_JOB, {
      log: (line) => lines.push(line),
    });
    expect(result).toMatchObject({ written: 1, failed: 1 });
    expect(result.failures).toEqual([
      {
        entity_id: wrongType,
        window_end: T0 + FIVE_MINUTES_MS,
        row: rows[0],
        reason: `Redis refused the write to features:card:${wrongType}: WRONGTYPE Operation against a key holding the wrong kind of value (the key must be a feature hash; delete or rename what is there)`,
      },
    ]);
    // Not retried: a WRONGTYPE does not pass by waiting.
    expect(lines).toEqual([]);
  });
});

describe('FeatureSink: a stored window_end that is not a number', () => {
  it.each(['garbage', 'inf', 'nan', '-inf', ''])(
    'treats %j as absent: the new window replaces it, counted as repaired',
    async (stored) => {
      const id = uniqueId('card');
      const key = `features:card:${id}`;
      await admin.hset(key, 'window_end_5m', stored, 'txn_count_5m', '99');
      const row = txnRow(id, T0 + FIVE_MINUTES_MS, { txn_count: 3 });
      const result = await sink(redisUrl).writeFeatures([row], TRANSACTIONS_JOB);
      expect(result).toMatchObject({ written: 1, stale: 0, failed: 0, repaired: 1 });
      expect(result.repairs.map((repair) => repair.reason)).toEqual([
        `stored window_end_5m of ${key} was not a number: ${JSON.stringify(stored)} (treated as absent: this window replaced it)`,
      ]);
      expect(await admin.hmget(key, 'window_end_5m', 'txn_count_5m')).toEqual([
        String(row.window_end),
        '3',
      ]);
      // Repaired: the next older window is stale again, as for any readable window_end.
      const older = await sink(redisUrl).writeFeatures(
        [txnRow(id, T0 + FIVE_MINUTES_MS - 60_000)],
        TRANSACTIONS_JOB,
      );
      expect(older).toMatchObject({ written: 0, stale: 1, repaired: 0 });
    },
  );
});

describe('FeatureStore: a key that is not a feature hash', () => {
  it('says what the key holds and what to do, instead of calling Redis unavailable', async () => {
    const id = uniqueId('card');
    await admin.rpush(`features:card:${id}`, 'x');
    const store = createFeatureStore({ redisUrl });
    try {
      const error = await store.get('card', id).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({
        code: 'failed_precondition',
        message: `key features:card:${id} at ${redisUrl} holds a list, not a feature hash: the sink cannot write this entity's features there (inspect it with 'redis-cli -u ${redisUrl} TYPE features:card:${id}'; if nothing needs it, delete it with 'redis-cli -u ${redisUrl} DEL features:card:${id}' and the next window is written as a hash)`,
      });
    } finally {
      await store.close();
    }
  });
});
