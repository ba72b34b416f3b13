// `featureflow submit` failures: each gives a clear message and a non-zero exit.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { findFreePort } from '../../src/stack/ports.ts';
import { runCli } from '../support/run-cli.ts';
import { stackEnv } from '../support/stack-endpoints.ts';

const stack = inject('stack');
const env = stackEnv(stack);
const dir = mkdtempSync(join(tmpdir(), 'featureflow-submit-'));

function sqlFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('featureflow submit errors', () => {
  it('shows the gateway message and the statement of a bad statement', async () => {
    const file = sqlFile(
      'bad.sql',
      "-- intent\nSET 'a' = 'b';\n\nSELECT no_such_column FROM no_such_table;\n",
    );
    const result = await runCli(['submit', file], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${file}:2: SET 'a' = 'b' -> OK`);
    expect(result.stderr).toContain(`${file}:4: SELECT no_such_column FROM no_such_table failed:`);
    expect(result.stderr).toMatch(/no_such_table/i);
  });

  it('names an unset placeholder before running anything', async () => {
    const file = sqlFile('unset.sql', "SET 'x' = '${FEATUREFLOW_TEST_NEVER_SET}';\n");
    const result = await runCli(['submit', file], env);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      'SQL placeholder ${FEATUREFLOW_TEST_NEVER_SET} is not set (pass --var FEATUREFLOW_TEST_NEVER_SET=VALUE or export FEATUREFLOW_TEST_NEVER_SET)',
    );
  });

  it('explains an unreachable gateway', async () => {
    const port = await findFreePort();
    const file = sqlFile('ok.sql', "SET 'a' = 'b';\n");
    const result = await runCli(['submit', file], {
      ...env,
      FLINK_SQL_GATEWAY: `http://127.0.0.1:${port}`,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `cannot reach the Flink SQL Gateway at http://127.0.0.1:${port}`,
    );
    expect(result.stderr).toContain("is the stack up? 'featureflow status'");
  });

  it('lists jobs through the gateway', async () => {
    const result = await runCli(['jobs'], env);
    expect(result.code, result.stderr).toBe(0);
  });
});
