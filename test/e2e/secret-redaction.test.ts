// A password planted in REDIS_URL (userinfo, `?password=`, one with a '/', a cluster's), in
// FLINK_SQL_GATEWAY, in KAFKA_SASL_PASSWORD and in flags never shows in any command's output:
// help, start-up lines, usage errors and connection errors alike.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.ts';
import { trackCliProcesses } from '../support/cli-process.ts';
import { runCli } from '../support/run-cli.ts';

const PLANTED = 'Pl4ntedPw';
const dir = mkdtempSync(join(tmpdir(), 'featureflow-redaction-'));
const sqlFile = join(dir, 'one.sql');
writeFileSync(sqlFile, "SET 'a' = 'b';\n");

// Nothing listens on port 1: every connection fails at once.
const ENVIRONMENTS: Record<string, NodeJS.ProcessEnv> = {
  userinfo: {
    REDIS_URL: `redis://app:${PLANTED}@127.0.0.1:1/0`,
    FLINK_SQL_GATEWAY: `http://gw:${PLANTED}@127.0.0.1:1`,
    KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
    KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
    KAFKA_SASL_USERNAME: 'app',
    KAFKA_SASL_PASSWORD: `sasl-${PLANTED}`,
    KAFKA_BROKERS: '127.0.0.1:1',
    UDF_ADDRESS: '127.0.0.1:1',
    FEATUREFLOW_RUN_DIR: join(dir, 'run'),
  },
  query: {
    REDIS_URL: `redis://127.0.0.1:1/0?password=${PLANTED}`,
    KAFKA_BROKERS: '127.0.0.1:1',
    FEATUREFLOW_RUN_DIR: join(dir, 'run'),
  },
  slash: {
    REDIS_URL: `redis://:${PLANTED}/x@127.0.0.1:1`,
    KAFKA_BROKERS: '127.0.0.1:1',
    FEATUREFLOW_RUN_DIR: join(dir, 'run'),
  },
  cluster: {
    REDIS_URL: `redis+cluster://app:${PLANTED}@127.0.0.1:1,127.0.0.1:2`,
    KAFKA_BROKERS: '127.0.0.1:1',
    FEATUREFLOW_RUN_DIR: join(dir, 'run'),
  },
};

/** Commands that read REDIS_URL: they run in every environment, the others in the first. */
const READ_REDIS_URL = new Set(['features', 'consume', 'sink', 'up']);

/** Per command, runs that reach its error paths (none starts a stack or a server). */
const ERROR_PATHS: Record<string, readonly (readonly string[])[]> = {
  replay: [
    [
      'replay',
      '--job',
      'transactions',
      '--input',
      join(dir, 'none.ndjson'),
      '--output',
      join(dir, 'o'),
    ],
  ],
  generate: [['generate', '--job', 'transactions', '--events', 'x', '--output', join(dir, 'g')]],
  features: [
    ['features', 'get', 'card', 'c1'],
    ['features', 'get', 'card', 'c1', '--redis', `http://:${PLANTED}@127.0.0.1:1`],
  ],
  produce: [['produce', '--job', 'transactions', '--input', join(dir, 'none.ndjson')]],
  submit: [['submit', sqlFile]],
  jobs: [['jobs']],
  cancel: [['cancel', 'nope']],
  consume: [
    [
      'consume',
      '--job',
      'transactions',
      '--metrics-port',
      'x',
      '--redis',
      `redis://u:${PLANTED}@127.0.0.1:1`,
    ],
  ],
  sink: [['sink', '--topics', 'features.nope']],
  demo: [['demo', '--events', '0']],
  up: [['up', '--redis', `http://:${PLANTED}@127.0.0.1:1`]],
  down: [['down', '--stop-timeout', 'x']],
  status: [['status']],
  'udf-server': [['udf-server', '--udf-address', 'nope']],
  functions: [['functions']],
  sql: [['sql', '--job', 'transactions', '--definitions', `redis://u:${PLANTED}@nowhere/x`]],
};

function expectNoSecret(output: string): void {
  expect(output).not.toMatch(new RegExp(PLANTED, 'i'));
}

describe('secrets never reach the output', () => {
  const start = trackCliProcesses(afterEach);

  it('every command has error paths in this table', async () => {
    const names = (await buildProgram()).commands.map((command) => command.name());
    expect(Object.keys(ERROR_PATHS).sort()).toEqual([...names].sort());
  });

  it.each(Object.keys(ERROR_PATHS))('%s --help', async (name) => {
    const args = name === 'features' ? ['features', 'get', '--help'] : [name, '--help'];
    const result = await runCli(args, ENVIRONMENTS.userinfo);
    expect(result.code).toBe(0);
    expectNoSecret(result.stdout + result.stderr);
  });

  const runs = Object.entries(ERROR_PATHS).flatMap(([name, paths]) =>
    paths.flatMap((args) =>
      (READ_REDIS_URL.has(name) ? Object.keys(ENVIRONMENTS) : ['userinfo']).map((environment) => ({
        args,
        environment,
      })),
    ),
  );
  it.each(runs)('$args.0 $args.1 ($environment)', async ({ args, environment }) => {
    const result = await runCli(args, ENVIRONMENTS[environment]);
    expect(result.code).not.toBe(0);
    expectNoSecret(result.stdout + result.stderr);
  });

  it.each(['consume', 'sink'])('%s prints its start-up line without the password', async (name) => {
    const args = name === 'consume' ? ['consume', '--job', 'transactions'] : ['sink'];
    for (const environment of ['userinfo', 'query']) {
      const process = start(args, ENVIRONMENTS[environment]!);
      await expect.poll(() => process.output(), { timeout: 20_000 }).toMatch(/-> redis/);
      await process.stop('SIGKILL');
      expect(process.output()).toMatch(
        /-> redis:\/\/(app:\*\*\*@127\.0\.0\.1:1\/0|127\.0\.0\.1:1\/0\?password=\*\*\*)/,
      );
      expectNoSecret(process.output());
    }
  });
});
