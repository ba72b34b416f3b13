// `featureflow features get` end to end: the real bin, a real redis-server, rows the sink wrote.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { JobDefinition, WindowedFeatureRow } from '../../src/core/jobs/job-definition.ts';
import { loadJobRegistry } from '../../src/core/jobs/load-definitions.ts';

import { createFeatureSink } from '../../src/core/sinks/redis-feature-sink.ts';
import { ONE_HOUR_MS, txnRow, uniqueId } from '../support/feature-rows.ts';
import { CLICKSTREAM, TRANSACTIONS as TRANSACTIONS_JOB } from '../support/job-events.ts';
import { findFreePort } from '../support/redis-server.ts';
import { LOGINS_EXAMPLE } from '../support/user-definitions.ts';

const redisUrl = inject('redisUrl');
const BIN = fileURLToPath(new URL('../../bin/featureflow.js', import.meta.url));
const id = uniqueId('card');
const windowEnd = Date.now() - 3 * 60_000;

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function featureflow(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, REDIS_URL: '', ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

beforeAll(async () => {
  const sink = createFeatureSink({ redisUrl });
  try {
    await sink.writeFeatures(
      [
        txnRow(id, windowEnd, { txn_count: 3, amount_avg: 12.5 }),
        txnRow(id, windowEnd, { txn_count: 30 }, ONE_HOUR_MS),
      ],
      TRANSACTIONS_JOB,
    );
  } finally {
    await sink.close();
  }
});

describe('featureflow features get', () => {
  it('prints every label with its window, freshness and values', async () => {
    const run = await featureflow(['features', 'get', 'card', id, '--redis', redisUrl]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = run.stdout;
    expect(out).toContain(`features:card:${id} at ${redisUrl} (expires in 23h 59m)`);
    expect(out).toContain(
      `5m window ${new Date(windowEnd - 5 * 60_000).toISOString()} .. ${new Date(windowEnd).toISOString()}`,
    );
    expect(out).toMatch(/window_end age: 3m \d{1,2}s ago/);
    expect(out).toMatch(/^ {2}txn_count +3$/m);
    expect(out).toMatch(/^ {2}amount_avg +12\.5$/m);
    expect(out).toContain('1h window');
    expect(out).toMatch(/^ {2}txn_count +30$/m);
    expect(out.indexOf('5m window')).toBeLessThan(out.indexOf('1h window'));
  });

  it('prints JSON with --json, reading REDIS_URL from the environment', async () => {
    const run = await featureflow(['features', 'get', 'card', id, '--json'], {
      REDIS_URL: redisUrl,
    });
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({
      found: true,
      entity_type: 'card',
      entity_id: id,
      key: `features:card:${id}`,
      labels: {
        '5m': { window_end: windowEnd, features: { txn_count: 3, amount_avg: 12.5 } },
        '1h': { window_end: windowEnd, features: { txn_count: 30 } },
      },
    });
    expect(json.labels['5m'].age_ms).toBeGreaterThanOrEqual(3 * 60_000);
  });

  it('says clearly when the entity has nothing, and exits 1', async () => {
    const missing = uniqueId('card');
    const run = await featureflow(['features', 'get', 'card', missing, '--redis', redisUrl]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `no features in Redis for card '${missing}': key features:card:${missing} does not exist at ${redisUrl} (check the id and the entity type; keys expire after their TTL, 24 h by default, without writes)\n`,
    );
  });

  it('refuses an unknown entity type (exit 2)', async () => {
    const run = await featureflow(['features', 'get', 'account', id, '--redis', redisUrl]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "featureflow: entity type must be card or user: got 'account' (card for transaction features, user for clickstream features)\n",
    );
  });

  it('reports an unreachable Redis in one line (exit 1)', async () => {
    const port = await findFreePort();
    const run = await featureflow([
      'features',
      'get',
      'card',
      id,
      '--redis',
      `redis://127.0.0.1:${port}`,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `featureflow: cannot read features from Redis at redis://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port} (start Redis there, e.g. with 'featureflow up', or point REDIS_URL / --redis at a running server)\n`,
    );
  });

  it('says what a key that is not a hash holds and what to do (exit 1), not that Redis is down', async () => {
    const stray = uniqueId('card');
    const admin = new Redis(redisUrl);
    await admin.set(`features:card:${stray}`, 'hello').finally(() => admin.disconnect());
    const run = await featureflow(['features', 'get', 'card', stray, '--redis', redisUrl]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `featureflow: key features:card:${stray} at ${redisUrl} holds a string, not a feature hash: the sink cannot write this entity's features there (inspect it with 'redis-cli -u ${redisUrl} TYPE features:card:${stray}'; if nothing needs it, delete it with 'redis-cli -u ${redisUrl} DEL features:card:${stray}' and the next window is written as a hash)\n`,
    );
  });
});

describe('two jobs of one entity type (clickstream and the logins example, both user)', () => {
  /** A row of `job` whose every feature is `value`, for a window of `sizeMs` ending at `end`. */
  const rowOf = (job: JobDefinition, user: string, end: number, value: number, sizeMs = 600_000) =>
    ({
      entity_id: user,
      window_start: end - sizeMs,
      window_end: end,
      ...Object.fromEntries(job.featureNames.map((name) => [name, value])),
    }) as WindowedFeatureRow;

  it('keeps newest-wins per job: neither overwrites nor blocks the other; features get shows both', async () => {
    const logins = (await loadJobRegistry(LOGINS_EXAMPLE)).get('logins');
    const user = uniqueId('user');
    const end = Date.now() - 60_000;
    const sink = createFeatureSink({ redisUrl });
    try {
      // Same label (10m): the click window is newer than the login window.
      expect(
        await sink.writeFeatures([rowOf(CLICKSTREAM, user, end, 7)], CLICKSTREAM),
      ).toMatchObject({ written: 1 });
      expect(
        await sink.writeFeatures([rowOf(logins, user, end - 120_000, 3)], logins),
      ).toMatchObject({
        written: 1,
        stale: 0,
      });
      // Newest-wins still holds within each job.
      expect(
        await sink.writeFeatures([rowOf(logins, user, end - 180_000, 1)], logins),
      ).toMatchObject({ written: 0, stale: 1 });
      expect(
        await sink.writeFeatures([rowOf(CLICKSTREAM, user, end - 60_000, 1)], CLICKSTREAM),
      ).toMatchObject({ written: 0, stale: 1 });
    } finally {
      await sink.close();
    }
    const admin = new Redis(redisUrl);
    const hash = await admin.hgetall(`features:user:${user}`).finally(() => admin.disconnect());
    // The built-in job's fields stay bare; the user job's carry its name.
    expect(hash.window_end_10m).toBe(String(end));
    expect(hash[`${CLICKSTREAM.featureNames[0]}_10m`]).toBe('7');
    expect(hash['logins:window_end_10m']).toBe(String(end - 120_000));
    expect(hash['logins:login_count_10m']).toBe('3');

    const run = await featureflow(['features', 'get', 'user', user, '--redis', redisUrl, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json.jobs.logins).toEqual({
      '10m': {
        window_start: end - 120_000 - 600_000,
        window_end: end - 120_000,
        age_ms: expect.any(Number),
        features: Object.fromEntries(logins.featureNames.map((name) => [name, 3])),
      },
    });
    expect(json.jobs.clickstream['10m']).toMatchObject({
      window_end: end,
      features: Object.fromEntries(CLICKSTREAM.featureNames.map((name) => [name, 7])),
    });
    expect(json.unrecognized_fields).toEqual([]);

    const table = await featureflow(['features', 'get', 'user', user, '--redis', redisUrl]);
    expect(table.stdout).toContain(
      `clickstream 10m window ${new Date(end - 600_000).toISOString()}`,
    );
    expect(table.stdout).toContain(`logins 10m window ${new Date(end - 720_000).toISOString()}`);
    expect(table.stdout).toMatch(/^ {2}login_count +3$/m);
  });
});
