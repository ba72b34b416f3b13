// Packed rows come out of the byte encoder as exactly the UTF-8 bytes of JSON.stringify of each
// row (keys in schema order) and a newline, in order across batches: whatever the numbers, the
// entity ids (escapes, non-ASCII, lone surrogates), rows that travel as lines, windows that
// change mid-batch, and rows longer than the sink's buffer.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ByteSink } from '../../../src/io/byte-file-writer.ts';
import { createPackedRowEncoder } from '../../../src/replay/packed-row-bytes.ts';
import { RowPacker } from '../../../src/replay/packed-rows.ts';
import { TRANSACTION_FEATURE_NAMES } from '../../support/job-events.ts';

const names = TRANSACTION_FEATURE_NAMES;
const LIMIT = 2 ** 31 - 1;

/** A sink that keeps what it is handed in memory, with buffers of `bufferBytes`. */
class MemorySink implements ByteSink {
  buffer: Buffer;
  length = 0;
  private readonly handedOver: Buffer[] = [];

  constructor(private readonly bufferBytes: number) {
    this.buffer = this.newBuffer(bufferBytes);
  }

  reserve(bytes: number): void {
    if (this.buffer.length - this.length >= bytes) return;
    this.handedOver.push(this.buffer.subarray(0, this.length));
    this.buffer = this.newBuffer(Math.max(bytes, this.bufferBytes));
    this.length = 0;
  }

  bytes(): Buffer {
    return Buffer.concat([...this.handedOver, this.buffer.subarray(0, this.length)]);
  }

  /** Filled with a byte no row holds, so a byte the encoder forgets to write shows. */
  private newBuffer(bytes: number): Buffer {
    return Buffer.alloc(bytes, 0xff);
  }
}

const amount = fc.oneof(
  fc.integer({ min: -100_000, max: 100_000 }),
  fc.integer({ min: LIMIT - 100, max: LIMIT + 100 }),
  fc.integer({ min: -LIMIT - 100, max: -LIMIT + 100 }),
  fc.integer({ min: LIMIT, max: 100 * LIMIT }),
);
const number = fc.oneof(
  amount.map((hundredths) => hundredths / 100),
  // A sum or mean of amounts, with its rounding residue (165.64999999999998, 41.412499999999994).
  fc
    .array(amount, { minLength: 2, maxLength: 6 })
    .map((parts) => parts.reduce((sum, part) => sum + part / 100, 0) / parts.length),
  fc.double(),
  fc.integer(),
  fc.integer({ min: 0, max: 1_000_000 }).map((n) => 2 ** 53 - n),
  fc.integer({ min: 0, max: 1_000_000 }).map((n) => -(2 ** 53) + n),
  fc.integer({ min: 0, max: 100_000 }).map((n) => 1_704_067_200_000 + n * 60_000),
  fc.constantFrom(0, -0, 0.1, 1e21, 5e-324, 398.48, Number.NaN, Number.POSITIVE_INFINITY),
  fc.constant(Number.NEGATIVE_INFINITY),
  // Whole tenths (counts, scores such as velocity_score) and values just beside them.
  fc.integer({ min: -20, max: 1100 }).map((tenths) => tenths / 10),
  fc.constantFrom(102.3, 102.4, 102.30000000000001, -0.1, 0.30000000000000004, 0.05),
);
/** Any UTF-16 code unit, lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
const entityId = fc.oneof(
  fc.constantFrom('card-7', '', 'é"\\\n\u2028', '\ud800', 'a\udc00b', '😀', 'card-"1"', 'x\\y'),
  fc.nat(99_999).map((n) => `card-${n}`),
  fc.string({ unit: 'binary-ascii' }),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: codeUnit }),
);
/** Mostly numbers; now and then a value the packer cannot pack (a string, or missing). */
const value = fc.oneof({ weight: 20, arbitrary: number }, fc.constantFrom('high', undefined));
/** A few windows, so that runs of rows of one window form and break mid-batch. */
const windowBound = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(1_704_067_200_000, 1_704_067_260_000) },
  { weight: 1, arbitrary: number },
);

const rows = fc.array(
  fc
    .tuple(entityId, windowBound, windowBound, fc.array(value, { minLength: 10, maxLength: 10 }))
    .map(([id, start, end, values]) => row(id, start, end, values)),
  { maxLength: 40 },
);

function row(
  entityId: string,
  start: unknown,
  end: unknown,
  values: readonly unknown[],
): Record<string, unknown> {
  const result: Record<string, unknown> = {
    entity_id: entityId,
    window_start: start,
    window_end: end,
  };
  names.forEach((name, i) => {
    result[name] = values[i];
  });
  return result;
}

function expectedBytes(input: readonly object[]): Buffer {
  return Buffer.from(input.map((r) => `${JSON.stringify(r)}\n`).join(''), 'utf8');
}

/** Compared as latin1 text, one char a byte: exact, and far faster than toEqual on Buffers. */
function expectSameBytes(actual: Buffer, expected: Buffer): void {
  expect(actual.toString('latin1')).toBe(expected.toString('latin1'));
}

function packAndEncode(
  input: readonly object[],
  capacityRows: number,
  bufferBytes: number,
): Buffer {
  const packer = new RowPacker(names, capacityRows);
  const encode = createPackedRowEncoder(names);
  const sink = new MemorySink(bufferBytes);
  for (const r of input) {
    if (packer.isFull) encode(packer.take(), sink);
    packer.add(r);
  }
  encode(packer.take(), sink);
  return sink.bytes();
}

describe('createPackedRowEncoder', () => {
  it('writes the bytes of JSON.stringify of each row, in order, across batches', () => {
    fc.assert(
      fc.property(
        rows,
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 4096 }),
        (input, capacityRows, bufferBytes) => {
          expectSameBytes(packAndEncode(input, capacityRows, bufferBytes), expectedBytes(input));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('writes rows longer than the sink buffer, packed and as lines', () => {
    const numbers = names.map((_, i) => 1.5 * i);
    const input = [
      row('card-1', 1_704_067_200_000, 1_704_067_260_000, numbers),
      row(`é${'x'.repeat(100_000)}"\u0001😀`, 1_704_067_200_000, 1_704_067_260_000, numbers),
      row('y'.repeat(100_000), 1_704_067_200_000, 1_704_067_260_000, numbers),
      row('z'.repeat(100_000), 1_704_067_200_000, 1_704_067_260_000, ['high', ...numbers]),
      // The most bytes per char: control chars escaped to 6 bytes, '€' 3 bytes in UTF-8.
      row('\u0001'.repeat(50_000), 1_704_067_200_000, 1_704_067_260_000, numbers),
      row('€'.repeat(50_000), 1_704_067_200_000, 1_704_067_260_000, numbers),
      row('€'.repeat(50_000), 1_704_067_200_000, 1_704_067_260_000, ['high', ...numbers]),
      row('card-2', 1_704_067_260_000, 1_704_067_320_000, numbers),
    ];
    expectSameBytes(packAndEncode(input, 3, 4096), expectedBytes(input));
  });

  it('writes realistic transaction rows as JSON.stringify does', () => {
    const input = Array.from({ length: 5000 }, (_, i) =>
      row(
        `card-${(i * 7919) % 10_000}`,
        1_704_067_200_000 + Math.floor(i / 300) * 60_000,
        1_704_067_200_000 + Math.floor(i / 300) * 60_000 + 300_000,
        [
          1 + (i % 10),
          (i % 3 === 0 ? 165.64999999999998 : 56.45) + i,
          i % 3 === 0 ? 41.412499999999994 : 28.225,
          (i % 9000) / 100 + 12.34,
          (i % 500) / 100,
          i % 4 === 0 ? 0 : 22.31800212272595 + i / 7,
          1 + (i % 5),
          1 + (i % 3),
          i % 2,
          i % 6 === 0 ? 1 : 0.4,
        ],
      ),
    );
    expectSameBytes(packAndEncode(input, 4096, 1 << 18), expectedBytes(input));
  });
});
