// Usage mistakes end with exit code 2 and one clear line naming the value and the fix: never
// "unexpected failure (please report it)", never a stack trace, never minutes of retries.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'featureflow-usage-'));
const missing = join(dir, 'missing.ndjson');
const folder = join(dir, 'a-folder');
mkdirSync(folder);
const events = join(dir, 'events.ndjson');
writeFileSync(events, '{}\n');

// Nothing answers on port 1: a command that connects before checking its flags would show it.
const UNREACHABLE = {
  KAFKA_BROKERS: '127.0.0.1:1',
  REDIS_URL: 'redis://127.0.0.1:1',
  FLINK_SQL_GATEWAY: 'http://127.0.0.1:1',
  UDF_ADDRESS: '127.0.0.1:1',
  FEATUREFLOW_RUN_DIR: join(dir, 'run'),
};

const CASES: readonly { args: readonly string[]; env?: NodeJS.ProcessEnv; message: string }[] = [
  {
    args: ['sink', '--topics', 'features.nope'],
    message: 'features.nope is not the feature topic of any job',
  },
  {
    args: ['features', 'get', 'card', 'c1'],
    env: { REDIS_URL: 'redis://:pa/ss@127.0.0.1:1' },
    message:
      "REDIS_URL / --redis is unusable: 'redis://:***@127.0.0.1:1' (not a URL: check the host and the port, and percent-encode / @ # in a password as %2F %40 %23)",
  },
  {
    args: ['sink', '--metrics-port', 'abc'],
    message: "--metrics-port must be a port number 0-65535 (0 picks a free one): got 'abc'",
  },
  {
    args: ['consume', '--job', 'transactions', '--metrics-port', '70000'],
    message:
      "--metrics-port / FEATUREFLOW_METRICS_PORT must be a port number 0-65535 (0 picks a free one): got '70000'",
  },
  {
    args: ['produce', '--job', 'transactions', '--input', missing],
    message: `cannot read --input ${missing}: ENOENT`,
  },
  {
    args: ['produce', '--job', 'transactions', '--input', folder],
    message: `--input is not a file: ${folder} (give an .ndjson or .avro file)`,
  },
  {
    args: ['replay', '--job', 'transactions', '--input', missing, '--output', join(dir, 'o')],
    message: `cannot read --input ${missing}: ENOENT`,
  },
  {
    args: ['replay', '--job', 'nope', '--input', events, '--output', join(dir, 'o')],
    message: "--job must be one of transactions, clickstream: got 'nope'",
  },
  {
    args: ['generate', '--job', 'transactions', '--events', '1', '--output', join(dir, 'no', 'x')],
    message: `cannot write ${join(dir, 'no', 'x')}: ENOENT`,
  },
  {
    args: ['submit', join(dir, 'missing.sql')],
    message: `cannot read SQL file ${join(dir, 'missing.sql')}: ENOENT`,
  },
  {
    args: ['submit', '--var', 'novalue', 'x.sql'],
    message: "--var must be NAME=VALUE: got 'novalue'",
  },
  {
    args: ['functions', '--tls-ca', join(dir, 'none.pem')],
    message: `cannot read the CA certificate: ${join(dir, 'none.pem')} (ENOENT; check --tls-ca)`,
  },
  { args: ['demo', '--rate', 'fast'], message: "--rate must be events per second: got 'fast'" },
  {
    args: ['up', '--task-slots', 'x'],
    message: "--task-slots / FEATUREFLOW_TASK_SLOTS is not a whole number: 'x'",
  },
  { args: ['cancel', 'xyz'], message: "job id must be 32 hex digits: got 'xyz'" },
  {
    args: ['consume', '--job', 'transactions', '--kafka-retry-timeout', 'soon'],
    message:
      "--kafka-retry-timeout is not a duration: 'soon' (write a whole number and a unit: 500ms, 30s, 5m, 1h, 1d)",
  },
  {
    args: ['sink', '--drain-timeout', '-1s'],
    message: "--drain-timeout is not a duration: '-1s'",
  },
  {
    args: ['features', 'get', 'card', 'c1', '--redis', 'redis://h:notaport'],
    message: "REDIS_URL / --redis is unusable: 'redis://h:notaport' (not a URL: check the host",
  },
  {
    args: ['consume', '--job', 'transactions', '--brokers', 'kafka'],
    message: "KAFKA_BROKERS / --brokers is unusable: 'kafka' (expected host:port)",
  },
];

describe('usage mistakes', () => {
  it.each(CASES)('$args.0 $args.1 $args.2: exit 2, $message', async ({ args, env, message }) => {
    const started = performance.now();
    const result = await runCli(args, { ...UNREACHABLE, ...env });
    const output = result.stdout + result.stderr;
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`featureflow: ${message}`);
    expect(output).not.toContain('unexpected failure');
    expect(output).not.toMatch(/^\s+at /m);
    // Found before any connection: no broker or Redis error, and no retrying.
    expect(output).not.toMatch(/ECONNREFUSED 127\.0\.0\.1:1\b|kafka /);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
