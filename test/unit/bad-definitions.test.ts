// A definition that cannot work fails when it is loaded, naming the job and the field, as a
// usage error (the CLI exits 2 with one line), never a stack trace: each row is a user's
// mistake in a copy of examples/logins.
import { describe, expect, it } from 'vitest';
import { FeatureflowError } from '../../src/core/errors.ts';
import { loadJobRegistry } from '../../src/core/jobs/load-definitions.ts';
import { runCli } from '../support/run-cli.ts';
import { loginsCopy, userProject } from '../support/user-definitions.ts';

const MISTAKES: readonly (readonly [string, readonly (readonly [string, string])[], RegExp])[] = [
  [
    'a field in reads that the event schema does not have',
    [["reads: ['success', 'ip', 'country']", "reads: ['success', 'ip', 'contry']"]],
    /^job logins: reads field 'contry', which is not a field of the event schema login_event\.avsc \(fields: event_id, user_id, ip, country, success, timestamp\)$/,
  ],
  [
    'a feature type that disagrees with the output schema',
    [
      [
        "  reads: ['success'",
        `  featureSchema: { type: 'record', name: 'LoginFeatures', fields: [
    { name: 'entity_id', type: 'string' }, { name: 'window_start', type: 'long' },
    { name: 'window_end', type: 'long' }, { name: 'login_count', type: 'long' },
    { name: 'failed_login_count', type: 'long' }, { name: 'distinct_ips', type: 'long' },
    { name: 'distinct_countries', type: 'long' }, { name: 'failure_rate', type: 'long' } ] },
  reads: ['success'`,
      ],
    ],
    /^job logins: feature 'failure_rate' is declared double but the feature schema the featureSchema of job logins says long$/,
  ],
  [
    'a feature the output schema does not have',
    [
      [
        "  reads: ['success'",
        `  featureSchema: { type: 'record', name: 'LoginFeatures', fields: [
    { name: 'entity_id', type: 'string' }, { name: 'window_start', type: 'long' },
    { name: 'window_end', type: 'long' }, { name: 'login_count', type: 'long' } ] },
  reads: ['success'`,
      ],
    ],
    /^job logins: feature 'failed_login_count' is not field 5 of the feature schema/,
  ],
  [
    'an entity field the event schema does not have',
    [["entity: { kind: 'user', field: 'user_id' }", "entity: { kind: 'user', field: 'uid' }"]],
    /^job logins: the entity field 'uid' is not a field of the event schema login_event\.avsc/,
  ],
  [
    'the name of a built-in job',
    [["name: 'logins',", "name: 'transactions',"]],
    /^job transactions: the name is defined twice \(in .*jobs[/\\]index\.ts and .*index\.ts; give each job its own name\)$/,
  ],
  [
    'a topic of a built-in job',
    [["events: 'login.events'", "events: 'txn.events'"]],
    /^job logins: topic txn\.events is already a topic of job transactions \(give each job its own topics\)$/,
  ],
  [
    'two jobs of one name in one module',
    [
      [
        '\n  },\n});\n',
        "\n  },\n});\nexport const again = defineJob({ ...logins, topics: { events: 'o.events', features: 'features.o' }, functionName: 'other' });\n",
      ],
    ],
    /^job logins: the name is defined twice \(in .*index\.ts and .*index\.ts; give each job its own name\)$/,
  ],
  [
    'a module that does not load',
    [['const ipOf', 'throw new Error("no database here");\nconst ipOf']],
    /^definitions .*index\.ts do not load: no database here \(fix the module; it must export the results of defineJob\)$/,
  ],
  [
    'a module that exports no job',
    [['export const logins = defineJob', 'const logins = defineJob']],
    /^definitions .*index\.ts export no job \(export the result of defineJob\(\{\.\.\.\}\), or an array of them\)$/,
  ],
  [
    'a time field that is not a long',
    [["  reads: ['success'", "  timeField: 'ip',\n  reads: ['success'"]],
    /^job logins: the time field 'ip' of login_event\.avsc must be a long of epoch milliseconds: got "string"$/,
  ],
];

describe('bad definitions fail at load', () => {
  it.each(MISTAKES)('%s', async (_mistake, edits, message) => {
    const error = await loadJobRegistry(loginsCopy(edits)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FeatureflowError);
    expect((error as FeatureflowError).code).toBe('invalid_argument');
    expect((error as Error).message).toMatch(message);
  });

  it('loads the unchanged copy (the rows above fail for their edit alone)', async () => {
    const jobs = await loadJobRegistry(loginsCopy());
    expect(jobs.names).toEqual(['transactions', 'clickstream', 'logins']);
  });

  it('says which path does not exist, and a folder without an index', async () => {
    await expect(loadJobRegistry('/no/such/definitions')).rejects.toThrow(
      /^definitions \/no\/such\/definitions do not exist/,
    );
    await expect(loadJobRegistry(userProject({}))).rejects.toThrow(
      /has no index\.ts, index\.mts, index\.js, index\.mjs/,
    );
  });

  it('the CLI exits 2 with the one line, no stack trace', async () => {
    const dir = loginsCopy([
      ["reads: ['success', 'ip', 'country']", "reads: ['success', 'ip', 'contry']"],
    ]);
    const result = await runCli(['replay', '--job', 'logins', '--input', 'x', '--output', 'y'], {
      FEATUREFLOW_DEFINITIONS: dir,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "featureflow: job logins: reads field 'contry', which is not a field of the event schema login_event.avsc (fields: event_id, user_id, ip, country, success, timestamp)\n",
    );
  });

  it('the sink refuses the feature topic of a job it was not given, exit 2 and one line', async () => {
    const result = await runCli([
      'sink',
      '--topics',
      'features.logins',
      '--brokers',
      '127.0.0.1:1',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'featureflow: features.logins is not the feature topic of any job (feature topics: features.transactions, features.clickstream; a job of your own is loaded with --definitions or FEATUREFLOW_DEFINITIONS)\n',
    );
  });
});
