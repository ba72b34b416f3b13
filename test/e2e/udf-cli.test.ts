// `featureflow functions` against a spawned `featureflow udf-server`, and the server's SIGTERM
// drain as an operator sees it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUdfClient } from '../../src/udf/client.ts';
import { runCli } from '../support/run-cli.ts';
import { startUdfServerProcess, type UdfServerProcess } from '../support/udf-server-process.ts';

describe('featureflow functions', () => {
  let server: UdfServerProcess;
  beforeAll(async () => {
    server = await startUdfServerProcess();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('lists the functions of the running service with their Flink SQL signatures', async () => {
    const result = await runCli(['functions', '--udf-address', server.address]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`UDF service ${server.address}: featureflow.udf.v1`);
    expect(result.stdout).toContain(
      'transaction_features(card_id STRING, window_start TIMESTAMP(3), window_end TIMESTAMP(3), events ARRAY<ROW<`amount` DOUBLE NOT NULL, `merchant_id` STRING NOT NULL, `country` STRING NOT NULL, `timestamp` BIGINT NOT NULL> NOT NULL>) -> ROW<`entity_id` STRING NOT NULL, `window_start` BIGINT NOT NULL',
    );
    expect(result.stdout).toContain(
      'clickstream_features(user_id STRING, window_start TIMESTAMP(3), window_end TIMESTAMP(3), events ARRAY<ROW<`event_type` STRING NOT NULL',
    );
  });

  it('reads UDF_ADDRESS and prints JSON on request', async () => {
    const result = await runCli(['functions', '--json'], { UDF_ADDRESS: server.address });
    expect(result.code).toBe(0);
    const described = JSON.parse(result.stdout) as { functions: { name: string }[] };
    expect(described.functions.map((f) => f.name)).toEqual([
      'transaction_features',
      'clickstream_features',
    ]);
  });

  it('says what to do when no service answers', async () => {
    const result = await runCli(['functions', '--udf-address', '127.0.0.1:1']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'featureflow: Describe on the UDF service at 127.0.0.1:1 failed: UNAVAILABLE',
    );
    expect(result.stderr).toContain("start it with 'featureflow udf-server'");
  });
});

describe('featureflow udf-server', () => {
  it('drains on SIGTERM: health NOT_SERVING, then exit 0', async () => {
    const server = await startUdfServerProcess(['--drain-grace', '500ms']);
    const client = createUdfClient({ address: server.address });
    const seen: string[] = [];
    const stop = client.watchHealth('', (s) => seen.push(s));
    try {
      await expect.poll(() => seen).toEqual(['SERVING']);
      const metrics = await (await fetch(server.metricsUrl!)).text();
      expect(metrics).toContain('featureflow_process_cpu_seconds_total');
      server.child.kill('SIGTERM');
      await expect.poll(() => seen).toEqual(['SERVING', 'NOT_SERVING']);
      // Still answering during the grace period, with the truth about its state.
      expect(await client.checkHealth('')).toBe('NOT_SERVING');
      expect(await server.stop()).toBe(0);
      expect(server.stderr()).toContain('udf-server: SIGTERM: draining');
      expect(server.stderr()).toContain('udf-server: drained, exiting');
    } finally {
      stop();
      client.close();
    }
  });

  it('logs the metrics address it bound: loopback by default, the one given by --metrics-address', async () => {
    const loopback = await startUdfServerProcess();
    const everywhere = await startUdfServerProcess(['--metrics-address', '0.0.0.0']);
    try {
      expect(loopback.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect(everywhere.metricsUrl).toMatch(/^http:\/\/0\.0\.0\.0:\d+\/metrics$/);
    } finally {
      await Promise.all([loopback.stop(), everywhere.stop()]);
    }
  });

  it('refuses an unusable limit with exit code 2 and what it takes', async () => {
    const result = await runCli([
      'udf-server',
      '--address',
      '127.0.0.1:0',
      '--max-concurrent-calls',
      'many',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "featureflow: --max-concurrent-calls / UDF_MAX_CONCURRENT_CALLS: 'many' is unusable",
    );
    expect(result.stderr).toContain("expected a positive whole number or 'off')");
  });

  it('refuses half a TLS configuration with exit code 2 and the fix', async () => {
    const result = await runCli([
      'udf-server',
      '--udf-address',
      '127.0.0.1:0',
      '--tls-cert',
      'a.pem',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'featureflow: TLS needs both a certificate and its key: got only --tls-cert a.pem (pass --tls-cert and --tls-key, or UDF_TLS_CERT and UDF_TLS_KEY)',
    );
  });
});
