// The UDF service over real gRPC on ephemeral ports: Describe, batched Invoke against the
// in-process feature functions, per-row errors, deadlines, the message size limit, health and
// draining, metrics.
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUdfClient, type UdfClient } from '../../src/udf/client.ts';
import { encodeInvokeRequest } from '../../src/udf/codec/invoke-request.ts';
import { toSqlSignature, toSqlType } from '../../src/udf/data-types.ts';
import { featureFunctions } from '../../src/udf/feature-functions.ts';
import { createUdfServer, type UdfServer } from '../../src/udf/server.ts';
import { toInvokeRequest } from '../../src/udf/window-batch.ts';
import { TRANSACTIONS } from '../support/job-events.ts';
import { generateWindows, inProcessRow, slowTransactionFeatures } from '../support/udf-windows.ts';

const grpcCode = (error: unknown) =>
  ((error as { cause?: { code?: number } }).cause?.code ?? -1) as number;

let server: UdfServer;
let client: UdfClient;

beforeAll(async () => {
  server = await createUdfServer({
    address: '127.0.0.1:0',
    functions: [...featureFunctions(), slowTransactionFeatures(5)],
    maxRequestBytes: 4 * 1024 * 1024,
    metricsPort: 0,
  });
  client = createUdfClient({ address: server.address });
});

afterAll(async () => {
  client?.close();
  await server?.close();
});

describe('Describe', () => {
  it('lists both feature functions with argument and result types from the Avro schemas', async () => {
    const described = await client.describe();
    expect(described.protocol).toBe('featureflow.udf.v1');
    expect(described.maxRequestBytes).toBe(4 * 1024 * 1024);
    const byName = new Map(described.functions.map((f) => [f.name, f]));
    const txn = byName.get('transaction_features')!;
    const clicks = byName.get('clickstream_features')!;
    expect(txn.arguments.map((a) => [a.name, a.role, toSqlType(a.type)])).toEqual([
      ['card_id', 'ENTITY_ID', 'STRING'],
      ['window_start', 'WINDOW_START', 'TIMESTAMP(3)'],
      ['window_end', 'WINDOW_END', 'TIMESTAMP(3)'],
      [
        'events',
        'EVENTS',
        'ARRAY<ROW<`amount` DOUBLE NOT NULL, `merchant_id` STRING NOT NULL, `country` STRING NOT NULL, `timestamp` BIGINT NOT NULL> NOT NULL>',
      ],
    ]);
    expect(txn.result.fields!.map((f) => `${f.name} ${toSqlType(f.type)}`)).toEqual([
      'entity_id STRING NOT NULL',
      'window_start BIGINT NOT NULL',
      'window_end BIGINT NOT NULL',
      'txn_count BIGINT NOT NULL',
      'amount_sum DOUBLE NOT NULL',
      'amount_avg DOUBLE NOT NULL',
      'amount_max DOUBLE NOT NULL',
      'amount_min DOUBLE NOT NULL',
      'amount_std DOUBLE NOT NULL',
      'distinct_merchants BIGINT NOT NULL',
      'distinct_countries BIGINT NOT NULL',
      'high_amount_count BIGINT NOT NULL',
      'velocity_score DOUBLE NOT NULL',
    ]);
    // The enum of the click schema travels as the field's legal symbols.
    const eventType = clicks.arguments[3]!.type.element!.fields![0]!;
    expect(eventType.name).toBe('event_type');
    expect(eventType.type.symbols).toEqual([
      'page_view',
      'click',
      'add_to_cart',
      'purchase',
      'search',
    ]);
    expect(toSqlSignature(clicks)).toMatch(
      /^clickstream_features\(user_id STRING, window_start TIMESTAMP\(3\), window_end TIMESTAMP\(3\), events ARRAY<ROW<`event_type` STRING NOT NULL, .*>\) -> ROW<`entity_id` STRING NOT NULL, .*`avg_gap_seconds` DOUBLE NOT NULL>$/,
    );
  });
});

describe('Invoke', () => {
  for (const fn of ['transaction_features', 'clickstream_features'] as const) {
    it(`${fn}: 3000 generated windows in batches equal the in-process function, every column exactly`, async () => {
      const windows = generateWindows(fn, 3000, fn.length);
      for (let start = 0; start < windows.length; start += 512) {
        const batch = windows.slice(start, start + 512);
        const outputs = await client.invoke(fn, batch);
        expect(outputs).toHaveLength(batch.length);
        outputs.forEach((output, i) => {
          expect(output).toEqual({ ok: true, row: inProcessRow(fn, batch[i]!) });
        });
      }
    });
  }

  it('gives a per-row error for each malformed window and still computes every other row', async () => {
    const good = generateWindows('transaction_features', 6, 11, 5);
    const first = good[0]!;
    const event0 = first.events[0]!;
    const malformed = [
      { ...first, events: [] },
      { ...first, events: [{ ...event0, amount: Number.NaN }] },
      { ...first, events: [event0, { ...event0, merchant_id: '' }] },
      { ...first, events: [{ ...event0, timestamp: -5 }] },
      { ...first, windowEnd: first.windowStart },
      { ...first, entityId: '' },
    ];
    // Interleave: good, bad, good, bad...
    const windows = good.flatMap((w, i) => [w, malformed[i]!]);
    const outputs = await client.invoke('transaction_features', windows);
    const reasons = outputs.filter((o) => !o.ok).map((o) => (o.ok ? '' : o.reason));
    expect(reasons).toEqual([
      `transaction_features row 1 (entity '${first.entityId}', window [${first.windowStart}, ${first.windowEnd})): job transactions: window [${first.windowStart}, ${first.windowEnd}) of '${first.entityId}' has no events (empty windows emit no row)`,
      `transaction_features row 3 (entity '${first.entityId}', window [${first.windowStart}, ${first.windowEnd})): event 0 of the window: amount is NaN (expected a finite number)`,
      `transaction_features row 5 (entity '${first.entityId}', window [${first.windowStart}, ${first.windowEnd})): event 1 of the window: merchant_id is empty (expected a non-empty string)`,
      `transaction_features row 7 (entity '${first.entityId}', window [${first.windowStart}, ${first.windowEnd})): event 0 of the window: timestamp is -5 (expected epoch milliseconds: a non-negative integer below 2^53)`,
      `transaction_features row 9 (entity '${first.entityId}', window [${first.windowStart}, ${first.windowStart})): the window ends before it starts (expected window_start < window_end)`,
      `transaction_features row 11 (entity '', window [${first.windowStart}, ${first.windowEnd})): the entity id is empty (expected a non-empty string)`,
    ]);
    good.forEach((window, i) => {
      expect(outputs[2 * i]).toEqual({
        ok: true,
        row: inProcessRow('transaction_features', window),
      });
    });
  });

  it('refuses an unknown event_type symbol per row (the Avro enum of click events)', async () => {
    const [window] = generateWindows('clickstream_features', 1, 3, 3);
    const bad = { ...window!, events: [{ ...window!.events[0]!, event_type: 'hover' }] };
    const [ok, failed] = await client.invoke('clickstream_features', [window!, bad]);
    expect(ok).toEqual({ ok: true, row: inProcessRow('clickstream_features', window!) });
    expect(failed).toEqual({
      ok: false,
      reason: expect.stringContaining(
        "event_type is 'hover' (expected one of page_view, click, add_to_cart, purchase, search)",
      ),
    });
  });

  it('answers NOT_FOUND for an unknown function and INVALID_ARGUMENT for columns that do not fit', async () => {
    const windows = generateWindows('transaction_features', 2, 5, 3);
    const fields = featureFunctions()[0]!.eventFields.map((f) => ({
      name: f.name,
      column: f.column,
    }));
    const unknown = encodeInvokeRequest(toInvokeRequest('no_such_function', fields, windows));
    await expect(client.invokeBytes(unknown)).rejects.toThrow(
      "unknown function 'no_such_function' (this server offers transaction_features, clickstream_features, slow_transaction_features",
    );
    const tooFew = encodeInvokeRequest(
      toInvokeRequest('transaction_features', fields.slice(0, 3), windows),
    );
    const error = await client.invokeBytes(tooFew).catch((e: unknown) => e);
    expect(grpcCode(error)).toBe(status.INVALID_ARGUMENT);
    expect(String(error)).toContain(
      'transaction_features: 3 event columns (expected 4: amount, merchant_id, country, timestamp)',
    );
    const garbage = await client.invokeBytes(Buffer.from([0x0a, 0xff])).catch((e: unknown) => e);
    expect(grpcCode(garbage)).toBe(status.INVALID_ARGUMENT);
  });

  it('stops at the deadline with DEADLINE_EXCEEDED instead of computing the whole batch', async () => {
    // 400 windows at 5 ms each would hold the server for 2 s; the deadline is 150 ms.
    const windows = generateWindows('transaction_features', 400, 9, 3);
    const started = performance.now();
    const error = await client
      .invoke('slow_transaction_features', windows, { timeoutMs: 150 })
      .catch((e: unknown) => e);
    expect(grpcCode(error)).toBe(status.DEADLINE_EXCEEDED);
    // The server is free again well before the 2 s the whole batch would take.
    await client.describe();
    expect(performance.now() - started).toBeLessThan(1_500);
    const metrics = await (await fetch(server.metricsUrl!)).text();
    expect(metrics).toMatch(
      /featureflow_udf_calls_total\{function="slow_transaction_features",status="deadline_exceeded"\} 400/,
    );
  });

  it('refuses a request over the size limit with RESOURCE_EXHAUSTED and keeps serving', async () => {
    const limited = await createUdfServer({ address: '127.0.0.1:0', maxRequestBytes: 256 * 1024 });
    const limitedClient = createUdfClient({ address: limited.address });
    try {
      const windows = generateWindows('transaction_features', 3000, 13, 20);
      const fields = featureFunctions()[0]!.eventFields.map((f) => ({
        name: f.name,
        column: f.column,
      }));
      const request = encodeInvokeRequest(toInvokeRequest('transaction_features', fields, windows));
      expect(request.length).toBeGreaterThan(256 * 1024);
      const error = await limitedClient.invokeBytes(request).catch((e: unknown) => e);
      expect(grpcCode(error)).toBe(status.RESOURCE_EXHAUSTED);
      expect(String(error)).toMatch(/larger than max/);
      const [small] = await limitedClient.invoke('transaction_features', windows.slice(0, 1));
      expect(small!.ok).toBe(true);
    } finally {
      limitedClient.close();
      await limited.close();
    }
  });

  it('counts calls, rows and latency in /metrics', async () => {
    const windows = generateWindows('clickstream_features', 10, 21, 3);
    const before = await (await fetch(server.metricsUrl!)).text();
    await client.invoke('clickstream_features', windows);
    const after = await (await fetch(server.metricsUrl!)).text();
    const value = (text: string, pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
    const ok = /featureflow_udf_calls_total\{function="clickstream_features",status="ok"\} (\d+)/;
    expect(value(after, ok) - value(before, ok)).toBe(10);
    const calls = /featureflow_udf_batch_rows_count (\d+)/;
    expect(value(after, calls) - value(before, calls)).toBe(1);
    expect(after).toContain('featureflow_udf_latency_seconds_bucket');
  });
});

describe('health and draining', () => {
  it('reports SERVING, then NOT_SERVING while draining, finishes the call in flight, then refuses calls', async () => {
    const draining = await createUdfServer({
      address: '127.0.0.1:0',
      functions: [slowTransactionFeatures(3)],
      // Longer than the ~300 ms call below, even on a busy machine: the Check during the grace
      // period must still be answered.
      drainGraceMs: 1_500,
      drainTimeoutMs: 5_000,
    });
    const drainingClient = createUdfClient({ address: draining.address });
    const seen: string[] = [];
    const stopWatching = drainingClient.watchHealth('', (s) => seen.push(s));
    try {
      expect(await drainingClient.checkHealth('')).toBe('SERVING');
      expect(await drainingClient.checkHealth('featureflow.udf.v1.UdfService')).toBe('SERVING');
      await expect(drainingClient.checkHealth('no.such.Service')).rejects.toThrow(/NOT_FOUND/);
      await expect.poll(() => seen).toEqual(['SERVING']);

      // A call of ~300 ms goes out, then the drain starts while it is on its way.
      const windows = generateWindows('transaction_features', 100, 17, 3);
      const inFlight = drainingClient.invoke('slow_transaction_features', windows);
      const drained = draining.drain();
      expect(await drainingClient.checkHealth('')).toBe('NOT_SERVING');
      await expect.poll(() => seen).toEqual(['SERVING', 'NOT_SERVING']);
      const outputs = await inFlight;
      expect(outputs.every((o) => o.ok)).toBe(true);

      await drained;
      const refused = await drainingClient.describe({ timeoutMs: 2_000 }).catch((e: unknown) => e);
      expect(grpcCode(refused)).toBe(status.UNAVAILABLE);
    } finally {
      stopWatching();
      drainingClient.close();
      await draining.close();
    }
  });
});
