// The logins example, a job defined outside featureflow's source, through `featureflow replay
// --definitions examples/logins`: every row equal to a naive computation (the brute-force engine
// and the features counted by hand), the late events and the dead letters as docs/bad-input.md says.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LoginEvent, loginLines } from '../support/login-events.ts';
import { runNaiveEngine } from '../support/naive-engine.ts';
import { readNdjson } from '../support/ndjson.ts';
import { runCli } from '../support/run-cli.ts';
import { LOGINS_EXAMPLE } from '../support/user-definitions.ts';

const dir = mkdtempSync(join(tmpdir(), 'featureflow-logins-'));
const path = (name: string) => join(dir, name);

/** Valid exactly as docs/events.md words it, checked field by field. */
function isValidLogin(
  value: Record<string, unknown>,
): value is LoginEvent & Record<string, unknown> {
  const filled = (v: unknown) => typeof v === 'string' && v !== '';
  return (
    filled(value.event_id) &&
    filled(value.user_id) &&
    filled(value.ip) &&
    filled(value.country) &&
    typeof value.success === 'boolean' &&
    Number.isSafeInteger(value.timestamp) &&
    (value.timestamp as number) >= 0
  );
}

/** The features of one window, counted by hand. */
function naiveFeatures(events: readonly LoginEvent[]) {
  const failed = events.filter((e) => !e.success).length;
  return {
    login_count: events.length,
    failed_login_count: failed,
    distinct_ips: new Set(events.map((e) => e.ip)).size,
    distinct_countries: new Set(events.map((e) => e.country)).size,
    failure_rate: failed / events.length,
  };
}

describe('featureflow replay --definitions examples/logins', () => {
  it('gives the naive rows (10 min windows sliding by 1 min, 5 s), late events and dead letters', async () => {
    const lines = loginLines(5_000, 11);
    writeFileSync(path('logins.ndjson'), `${lines.join('\n')}\n`);
    const result = await runCli([
      'replay',
      '--definitions',
      LOGINS_EXAMPLE,
      '--job',
      'logins',
      '--input',
      path('logins.ndjson'),
      '--output',
      path('rows.ndjson'),
      '--late-output',
      path('late.ndjson'),
      '--dead-letter',
      path('dead.ndjson'),
    ]);
    expect(result.code, result.stderr).toBe(0);

    const values = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const valid = values.filter(isValidLogin);
    const { fired, late } = runNaiveEngine(valid, {
      windowSizeMs: 10 * 60_000,
      slideMs: 60_000,
      maxOutOfOrdernessMs: 5_000,
      entityOf: (e) => e.user_id,
      timeOf: (e) => e.timestamp,
    });
    const expected = fired.map((w) => ({
      entity_id: w.entityId,
      window_start: w.windowStart,
      window_end: w.windowEnd,
      ...naiveFeatures(w.events),
    }));
    const rows = readNdjson(path('rows.ndjson'));
    expect(rows.length).toBeGreaterThan(1_000);
    expect(rows).toEqual(expected);
    // The features, in the order of the definition.
    expect(Object.keys(rows[0]!)).toEqual([
      'entity_id',
      'window_start',
      'window_end',
      'login_count',
      'failed_login_count',
      'distinct_ips',
      'distinct_countries',
      'failure_rate',
    ]);
    expect(late.length).toBeGreaterThan(0);
    expect(readNdjson(path('late.ndjson'))).toEqual(late);

    const dead = readNdjson(path('dead.ndjson'));
    expect(dead.length).toBe(values.length - valid.length);
    expect(new Set(dead.map((d) => `${d.field}:${d.code}`))).toEqual(
      new Set([
        'success:wrong_type',
        'timestamp:bad_timestamp',
        'ip:empty_string',
        'user_id:wrong_type',
        'country:missing_field',
      ]),
    );
  });

  it('generate says the job has no sample generator, exit 2, and writes nothing', async () => {
    const result = await runCli([
      'generate',
      '--definitions',
      LOGINS_EXAMPLE,
      '--job',
      'logins',
      '--events',
      '10',
      '--output',
      path('generated.ndjson'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'featureflow: job logins has no sample generator: generate cannot make its events (add sample to its definition, or produce a file of your own events)\n',
    );
    expect(existsSync(path('generated.ndjson'))).toBe(false);
  });
});
