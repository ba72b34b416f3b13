// The UDF service's limits over real gRPC: large entity ids are refused per row and never
// echoed, a batch whose response could pass the limit is refused before computing, calls and
// bytes beyond what the server takes on at once get RESOURCE_EXHAUSTED, and health answers
// within a second while batches compute.
import { type Metadata, status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { createUdfClient } from '../../src/udf/client.ts';
import { encodeInvokeRequest } from '../../src/udf/codec/invoke-request.ts';
import { decodeInvokeResponse } from '../../src/udf/codec/invoke-response.ts';
import { featureFunctions } from '../../src/udf/feature-functions.ts';
import { createUdfServer, type UdfServerOptions } from '../../src/udf/server.ts';
import { toInvokeRequest, type WindowInput } from '../../src/udf/window-batch.ts';
import {
  generateWindows,
  slowTransactionFeatures,
  transactionsWindowFunction,
} from '../support/udf-windows.ts';

const grpcCode = (error: unknown) =>
  ((error as { cause?: { code?: number } }).cause?.code ?? -1) as number;
/** The refusal's retry pushback trailer (ms), or undefined when it has none. */
const pushbackMs = (error: unknown): number | undefined => {
  const value = (error as { cause?: { metadata?: Metadata } }).cause?.metadata?.get(
    'grpc-retry-pushback-ms',
  )[0];
  return value === undefined ? undefined : Number(value);
};

const eventFields = featureFunctions()[0]!.eventFields.map((f) => ({
  name: f.name,
  column: f.column,
}));

async function withServer(
  options: Omit<UdfServerOptions, 'address'>,
  body: (client: ReturnType<typeof createUdfClient>, address: string) => Promise<void>,
): Promise<void> {
  const server = await createUdfServer({ address: '127.0.0.1:0', ...options });
  const client = createUdfClient({ address: server.address });
  try {
    await body(client, server.address);
  } finally {
    client.close();
    await server.close();
  }
}

describe('UDF service limits', () => {
  it('answers 1,000 empty windows sharing a 100 kB entity id with short row errors, not 200 MB', async () => {
    const entityId = `card-${'x'.repeat(100_000)}`;
    const windows: WindowInput[] = Array.from({ length: 1000 }, (_, i) => ({
      entityId,
      windowStart: i * 60_000,
      windowEnd: i * 60_000 + 300_000,
      events: [],
    }));
    const request = encodeInvokeRequest(
      toInvokeRequest('transaction_features', eventFields, windows),
    );
    await withServer({}, async (client) => {
      const response = await client.invokeBytes(request);
      expect(response.length).toBeLessThan(400_000);
      const decoded = decodeInvokeResponse(response);
      expect(decoded.errors).toHaveLength(1000);
      expect(decoded.errors[7]!.reason).toBe(
        `transaction_features row 7 (entity '${entityId.slice(0, 64)}...' (100005 characters), window [420000, 720000)): the entity id is 100005 bytes long (at most 1024, --max-entity-id-bytes; entity ids are keys such as a card id)`,
      );
      for (const error of decoded.errors) expect(error.reason.length).toBeLessThanOrEqual(320);
    });
  });

  it('refuses a batch whose response could pass --max-response-bytes before computing any window', async () => {
    const computed = { windows: 0 };
    await withServer(
      { functions: [slowTransactionFeatures(0, computed)], limits: { maxResponseBytes: 65_536 } },
      async (client) => {
        const windows = generateWindows('transaction_features', 200, 3, 2);
        const error = await client
          .invoke('slow_transaction_features', windows)
          .catch((e: unknown) => e);
        expect(grpcCode(error)).toBe(status.RESOURCE_EXHAUSTED);
        expect(String(error)).toMatch(
          /slow_transaction_features: the response to 200 windows could take \d+ bytes, more than --max-response-bytes 65536 \(send fewer windows per call\)/,
        );
        expect(computed.windows).toBe(0);
        const [one] = await client.invoke('slow_transaction_features', windows.slice(0, 1));
        expect(one!.ok).toBe(true);
      },
    );
  });

  it('refuses calls over --max-concurrent-calls, and health answers within 1 s while two compute', async () => {
    const computed = { windows: 0 };
    await withServer(
      { functions: [slowTransactionFeatures(20, computed)], limits: { maxConcurrentCalls: 2 } },
      async (client) => {
        // 60 windows at 20 ms: each call holds the thread for 1.2 s in all.
        const windows = generateWindows('transaction_features', 60, 5, 2);
        await client.describe();
        const calls = [0, 1, 2, 3].map((i) =>
          // Staggered so that the first two are admitted first.
          new Promise((resolve) => setTimeout(resolve, i * 20)).then(() =>
            client.invoke('slow_transaction_features', windows, { timeoutMs: 20_000 }).then(
              () => 'ok',
              (e: unknown) => e,
            ),
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, 200));
        const asked = performance.now();
        expect(await client.checkHealth('', { timeoutMs: 5_000 })).toBe('SERVING');
        expect(performance.now() - asked).toBeLessThan(1_000);
        const outcomes = await Promise.all(calls);
        expect(outcomes.slice(0, 2)).toEqual(['ok', 'ok']);
        for (const refused of outcomes.slice(2)) {
          expect(grpcCode(refused)).toBe(status.RESOURCE_EXHAUSTED);
          expect(String(refused)).toContain(
            'the UDF server is busy: 2 Invoke calls in progress (the limit, --max-concurrent-calls 2; retry with backoff, or raise the limit)',
          );
          // Busy, so worth sending again: gRPC's pushback says when (the Flink bridge honours it).
          expect(pushbackMs(refused)).toBeGreaterThanOrEqual(100);
          expect(pushbackMs(refused)).toBeLessThan(200);
        }
        expect(computed.windows).toBe(120);
      },
    );
  });

  it('refuses a call that would pass --max-bytes-in-flight, and one that alone needs more', async () => {
    const computed = { windows: 0 };
    const windows = generateWindows('transaction_features', 40, 7, 2);
    await withServer(
      { functions: [slowTransactionFeatures(20, computed)], limits: { maxBytesInFlight: 60_000 } },
      async (client) => {
        const first = client
          .invoke('slow_transaction_features', windows, { timeoutMs: 20_000 })
          .then(() => 'ok');
        await new Promise((resolve) => setTimeout(resolve, 150));
        const second = await client
          .invoke('slow_transaction_features', windows)
          .catch((e: unknown) => e);
        expect(grpcCode(second)).toBe(status.RESOURCE_EXHAUSTED);
        expect(String(second)).toMatch(
          /the UDF server is busy: \d+ bytes in flight and this call's \d+ would pass --max-bytes-in-flight 60000/,
        );
        expect(pushbackMs(second)).toBeGreaterThanOrEqual(100);
        expect(await first).toBe('ok');
        const big = generateWindows('transaction_features', 200, 7, 2);
        const alone = await client
          .invoke('slow_transaction_features', big)
          .catch((e: unknown) => e);
        expect(String(alone)).toMatch(
          /the call needs \d+ bytes \(its request plus its largest possible response\), more than --max-bytes-in-flight 60000 \(send fewer windows per call\)/,
        );
        // Never fits: no pushback, so a client does not retry it.
        expect(pushbackMs(alone)).toBeUndefined();
        const huge = generateWindows('transaction_features', 2000, 7, 2);
        const requestAlone = await client
          .invoke('slow_transaction_features', huge)
          .catch((e: unknown) => e);
        expect(String(requestAlone)).toMatch(
          /the call's request alone is \d+ bytes, more than --max-bytes-in-flight 60000 \(send fewer windows per call\)/,
        );
        expect(pushbackMs(requestAlone)).toBeUndefined();
      },
    );
  });

  it('cuts the row error of a function that throws a message quoting unbounded input', async () => {
    const echoing = transactionsWindowFunction({
      name: 'echoing_transaction_features',
      doc: 'throws with every event in its message',
      compute: (events) => {
        throw new Error(`cannot compute ${JSON.stringify(events).repeat(1000)}`);
      },
    });
    await withServer({ functions: [echoing] }, async (client) => {
      const windows = generateWindows('transaction_features', 50, 3, 20);
      const rows = await client.invoke('echoing_transaction_features', windows);
      expect(rows).toHaveLength(50);
      for (const row of rows) {
        if (row.ok) throw new Error(`expected a row error, got ${JSON.stringify(row.row)}`);
        const reason = row.reason;
        expect(reason).toMatch(
          /^echoing_transaction_features row \d+ \(entity 'card-\d+', window \[\d+, \d+\)\): cannot compute \[\{/,
        );
        expect(reason.length).toBe(320);
        expect(reason.endsWith('...')).toBe(true);
      }
    });
  });

  it('quotes at most 64 characters of an unknown function name', async () => {
    const name = `f${'n'.repeat(1_000_000)}`;
    const request = encodeInvokeRequest(toInvokeRequest(name, eventFields, []));
    await withServer({}, async (client) => {
      const error = await client.invokeBytes(request).catch((e: unknown) => e);
      expect(grpcCode(error)).toBe(status.NOT_FOUND);
      expect(String(error)).toContain(`unknown function '${name.slice(0, 61)}...' (this server`);
      expect(String(error).length).toBeLessThan(1_000);
    });
  });
});
