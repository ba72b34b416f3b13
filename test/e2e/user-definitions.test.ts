// A user's definitions in a project of their own (a copy of examples/logins beside
// node_modules/featureflow): one more feature is one edit of the definition, and replay, the UDF
// service and the sink's write plan carry it with no other edit; and replay reuses a window's row
// for the next window with the same events only for a function that says it does not read the
// window's bounds.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadJobRegistry } from '../../src/core/jobs/load-definitions.ts';
import { BatchPlanner } from '../../src/core/sinks/window-batch.ts';
import { createUdfClient, type UdfClient } from '../../src/udf/client.ts';
import { featureFunctions } from '../../src/udf/feature-functions.ts';
import { createUdfServer, type UdfServer } from '../../src/udf/server.ts';
import { loginLines } from '../support/login-events.ts';
import { readNdjson } from '../support/ndjson.ts';
import { runCli } from '../support/run-cli.ts';
import { loginsCopy } from '../support/user-definitions.ts';

const dir = mkdtempSync(join(tmpdir(), 'featureflow-user-defs-'));

async function replay(definitions: string, lines: readonly string[], name: string) {
  const input = join(dir, `${name}.ndjson`);
  const output = join(dir, `${name}.rows`);
  writeFileSync(input, `${lines.join('\n')}\n`);
  const result = await runCli([
    'replay',
    '--definitions',
    definitions,
    '--job',
    'logins',
    '--input',
    input,
    '--output',
    output,
  ]);
  expect(result.code, result.stderr).toBe(0);
  return readNdjson(output);
}

describe('a feature added to a copy of a job', () => {
  // The one edit: the feature in the list, and its line in compute.
  const definitions = loginsCopy([
    [
      "    { name: 'failure_rate', type: 'double' },",
      "    { name: 'failure_rate', type: 'double' },\n    { name: 'success_count', type: 'long' },",
    ],
    [
      '    row.failure_rate = failed / events.length;',
      '    row.failure_rate = failed / events.length;\n    row.success_count = events.length - failed;',
    ],
  ]);
  let server: UdfServer;
  let client: UdfClient;

  beforeAll(async () => {
    server = await createUdfServer({
      address: '127.0.0.1:0',
      functions: featureFunctions(await loadJobRegistry(definitions)),
    });
    client = createUdfClient({ address: server.address });
  });
  afterAll(async () => {
    client?.close();
    await server?.close();
  });

  it('replay writes it, last, in every row', async () => {
    const rows = await replay(definitions, loginLines(2_000, 3), 'added');
    expect(rows.length).toBeGreaterThan(100);
    for (const row of rows) {
      expect(Object.keys(row).at(-1)).toBe('success_count');
      expect(row.success_count).toBe(
        (row.login_count as number) - (row.failed_login_count as number),
      );
    }
  });

  it('the UDF service describes it and computes it', async () => {
    const described = await client.describe();
    const fn = described.functions.find((f) => f.name === 'login_features')!;
    expect(fn.result.fields!.map((f) => `${f.name} ${f.type.kind}`).slice(-2)).toEqual([
      'failure_rate DOUBLE',
      'success_count BIGINT',
    ]);
    const [result] = await client.invoke('login_features', [
      {
        entityId: 'user-1',
        windowStart: 0,
        windowEnd: 600_000,
        events: [
          { success: true, ip: '10.0.0.1', country: 'NL' },
          { success: false, ip: '10.0.0.2', country: 'NL' },
          { success: true, ip: '10.0.0.1', country: 'BR' },
        ],
      },
    ]);
    expect(result).toEqual({
      ok: true,
      row: {
        entity_id: 'user-1',
        window_start: 0,
        window_end: 600_000,
        login_count: 3,
        failed_login_count: 1,
        distinct_ips: 2,
        distinct_countries: 2,
        failure_rate: 1 / 3,
        success_count: 2,
      },
    });
  });

  it("the sink writes it under its window label, in the job's own fields", async () => {
    const job = (await loadJobRegistry(definitions)).get('logins');
    const planner = new BatchPlanner(job, { ttlMs: 60_000, windowsPerCall: 10 });
    const row = { ...job.newFeatureRow(), entity_id: 'u', window_start: 0, window_end: 600_000 };
    const [call] = planner.plan([row], 0, 1).calls;
    expect(call!.fields.at(-1)).toBe('logins:success_count_10m');
  });
});

describe("replay's reuse of a row for a window with the same events", () => {
  // One event: all 10 windows of 10 minutes sliding by 1 minute hold exactly it.
  const lines = [
    JSON.stringify({
      event_id: 'e',
      user_id: 'u',
      ip: '1',
      country: 'NL',
      success: true,
      timestamp: 90_000,
    }),
  ];
  const readingTheBounds = (declared: string) =>
    loginsCopy([
      [
        "    { name: 'failure_rate', type: 'double' },",
        "    { name: 'failure_rate', type: 'double' },\n    { name: 'end_minute', type: 'long' },",
      ],
      [
        '  compute(events, _window, row) {',
        '  compute(events, window, row) {\n    row.end_minute = window.windowEnd / 60_000;',
      ],
      ['  dependsOnWindowBounds: false,', declared],
    ]);

  it('is off for a function that reads windowEnd: each row has its own window end', async () => {
    const rows = await replay(readingTheBounds('  dependsOnWindowBounds: true,'), lines, 'bounds');
    expect(rows).toHaveLength(10);
    for (const row of rows) expect(row.end_minute).toBe((row.window_end as number) / 60_000);
  });

  it('is off by default (a definition that says nothing)', async () => {
    const rows = await replay(readingTheBounds(''), lines, 'default');
    for (const row of rows) expect(row.end_minute).toBe((row.window_end as number) / 60_000);
  });

  it('is on for a function declared independent of the bounds (so the test above can fail)', async () => {
    const rows = await replay(readingTheBounds('  dependsOnWindowBounds: false,'), lines, 'reused');
    expect(new Set(rows.map((row) => row.end_minute)).size).toBe(1);
  });
});
