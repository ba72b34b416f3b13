// The sink's hand-written RESP bytes must be exactly what a plain encoder makes of the argument
// strings (the form redis-benchmark and people see), for every kind of value.
import { describe, expect, it } from 'vitest';
import type { WindowedFeatureRow } from '../../src/core/jobs/job-definition.ts';

import { RespWriter } from '../../src/core/sinks/resp-writer.ts';
import { BatchPlanner } from '../../src/core/sinks/window-batch.ts';
import {
  encodeWriteWindowCall,
  type ScriptCommand,
  writeWindowCallArgs,
} from '../../src/core/sinks/write-window-call.ts';
import { txnRow } from '../support/feature-rows.ts';
import { TRANSACTIONS as TRANSACTIONS_JOB } from '../support/job-events.ts';

/** The textbook encoding: *<n> then $<bytes> <bytes> for each part. */
function naiveResp(parts: readonly string[]): Buffer {
  let out = `*${parts.length}\r\n`;
  for (const part of parts) out += `$${Buffer.byteLength(part)}\r\n${part}\r\n`;
  return Buffer.from(out, 'utf8');
}

const T0 = Date.UTC(2024, 0, 1);

describe('RespWriter', () => {
  it.each([
    0,
    7,
    9,
    10,
    99,
    100,
    1234567,
    T0,
    Number.MAX_SAFE_INTEGER,
    -0,
    -1,
    -42,
    0.1 + 0.2,
    1 / 3,
    1e21,
    1e-7,
    2 ** 53,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
  ])('writes %d exactly as String(n)', (n) => {
    const writer = new RespWriter(4);
    writer.number(n);
    expect(writer.take().toString('latin1')).toBe(`$${String(n).length}\r\n${String(n)}\r\n`);
  });

  it('writes unicode text with its byte length, and grows past its first buffer', () => {
    const writer = new RespWriter(8);
    writer.arrayHeader(3);
    writer.text('karte-ü-€-日本');
    writer.ascii('x'.repeat(100));
    writer.text('');
    expect(writer.take()).toEqual(naiveResp(['karte-ü-€-日本', 'x'.repeat(100), '']));
    expect(writer.byteLength).toBe(0);
  });
});

describe('encodeWriteWindowCall', () => {
  const rows: WindowedFeatureRow[] = [
    txnRow('c1', T0 + 300_000, { amount_avg: 0.1 + 0.2, amount_std: Math.SQRT2 }),
    txnRow('karte-ü-日本', T0 + 600_000, { amount_sum: -12.75, amount_max: 1e21 }),
    { ...txnRow('c3', T0 + 900_000), velocity_score: 'text-ü' as unknown as number },
  ];
  const [call] = new BatchPlanner(TRANSACTIONS_JOB, { ttlMs: 3_600_000, windowsPerCall: 10 }).plan(
    rows,
    0,
    rows.length,
  ).calls;

  it.each(['EVALSHA', 'EVAL'] as ScriptCommand[])(
    '%s bytes equal the argument strings',
    (command) => {
      const writer = new RespWriter(16);
      encodeWriteWindowCall(call!, command, writer);
      expect(writer.take()).toEqual(naiveResp([command, ...writeWindowCallArgs(call!, command)]));
    },
  );
});
