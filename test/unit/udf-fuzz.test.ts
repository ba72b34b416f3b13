// Seeded, bounded fuzzing of the UDF service over real gRPC: random bytes, mutated valid
// requests and random window batches. Every call is answered with a response or a proper gRPC
// status (never INTERNAL, never a dropped connection), every row error stays short, and the
// server still answers health and real work afterwards.
import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUdfClient, type UdfClient } from '../../src/udf/client.ts';
import { encodeInvokeRequest } from '../../src/udf/codec/invoke-request.ts';
import { decodeInvokeResponse } from '../../src/udf/codec/invoke-response.ts';
import { featureFunctions } from '../../src/udf/feature-functions.ts';
import { createUdfServer, type UdfServer } from '../../src/udf/server.ts';
import { toInvokeRequest, type WindowInput } from '../../src/udf/window-batch.ts';
import { generateWindows, inProcessRow } from '../support/udf-windows.ts';

const SEED = 20_261_205;
/** Statuses a bad request may get; INTERNAL would be a bug, UNAVAILABLE a crash. */
const PROPER = new Set([status.INVALID_ARGUMENT, status.NOT_FOUND, status.RESOURCE_EXHAUSTED]);

const eventFields = featureFunctions()[0]!.eventFields.map((f) => ({
  name: f.name,
  column: f.column,
}));
const validRequest = encodeInvokeRequest(
  toInvokeRequest(
    'transaction_features',
    eventFields,
    generateWindows('transaction_features', 8, 1, 4),
  ),
);

let server: UdfServer;
let client: UdfClient;

beforeAll(async () => {
  // Small limits, so that the fuzzer reaches the refusals too.
  server = await createUdfServer({
    address: '127.0.0.1:0',
    maxRequestBytes: 64 * 1024,
    limits: { maxResponseBytes: 256 * 1024, maxEntityIdBytes: 256 },
  });
  client = createUdfClient({ address: server.address });
});

afterAll(async () => {
  client?.close();
  await server?.close();
});

/** The response (decodable), or the gRPC status code of the refusal. */
async function call(request: Uint8Array): Promise<number | 'ok'> {
  try {
    const response = await client.invokeBytes(Buffer.from(request), { timeoutMs: 5_000 });
    decodeInvokeResponse(response);
    return 'ok';
  } catch (error) {
    return ((error as { cause?: { code?: number } }).cause?.code ?? -1) as number;
  }
}

function expectProper(outcome: number | 'ok'): void {
  if (outcome !== 'ok') expect(PROPER, `gRPC status ${status[outcome]}`).toContain(outcome);
}

type Mutation =
  | { kind: 'set'; at: number; byte: number }
  | { kind: 'cut'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ maxLength: 16 }),
  }),
);

function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let out = Uint8Array.from(bytes);
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    if (m.kind === 'set') out[at] = m.byte;
    else if (m.kind === 'cut') out = out.slice(0, at);
    else out = Uint8Array.from([...out.slice(0, at), ...m.bytes, ...out.slice(at)]);
  }
  return out;
}

const number = fc.oneof(
  fc.double(),
  fc.constantFrom(
    0,
    -0,
    1e15,
    -1e15,
    1e15 + 0.125,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER,
    2 ** 53,
  ),
);
const text = fc.oneof(fc.string({ maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 300 }));
const windowBatch = fc.array(
  fc.record({
    entityId: text,
    windowStart: number,
    windowEnd: number,
    events: fc.array(
      fc.record({ amount: number, merchant_id: text, country: text, timestamp: number }),
      { maxLength: 5 },
    ),
  }),
  { maxLength: 30 },
);

describe('the UDF service under fuzzing', () => {
  it('answers random bytes with a response or a proper status', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2_000 }), async (bytes) => {
        expectProper(await call(bytes));
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('answers mutated valid requests with a response or a proper status', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 6 }), async (mutations) => {
        expectProper(await call(mutate(validRequest, mutations)));
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('answers random window batches with one row or one short error per window', async () => {
    await fc.assert(
      fc.asyncProperty(windowBatch, async (windows) => {
        const outputs = await client.invoke('transaction_features', windows as WindowInput[]);
        expect(outputs).toHaveLength(windows.length);
        for (const output of outputs) {
          if (output.ok) {
            for (const value of Object.values(output.row)) {
              if (typeof value === 'number') expect(Number.isFinite(value)).toBe(true);
            }
          } else {
            expect(output.reason.length).toBeLessThanOrEqual(320);
          }
        }
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it('still answers health and computes real windows afterwards', async () => {
    const asked = performance.now();
    expect(await client.checkHealth('', { timeoutMs: 1_000 })).toBe('SERVING');
    expect(performance.now() - asked).toBeLessThan(1_000);
    const windows = generateWindows('transaction_features', 5, 2, 4);
    const outputs = await client.invoke('transaction_features', windows);
    expect(outputs).toEqual(
      windows.map((w) => ({ ok: true, row: inProcessRow('transaction_features', w) })),
    );
  });
});
