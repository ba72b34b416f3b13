// Seeded, bounded fuzzing of replay's input: random and mutated NDJSON lines (bytes that are
// not UTF-8, huge numbers, deep nesting, blank look-alikes, over-long lines) and Avro container
// files cut or bit-flipped at random. Properties: nothing throws; every line or record is
// accounted for (valid + invalid = read, dead letters = invalid, late file = late), or the lost
// bytes are reported; the same seed gives the same result. The reading layer runs many cases;
// the whole command runs in-process on a few.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.ts';
import { readEventFile } from '../../src/io/event-file.ts';
import { type ContainerFile, writeTransactionsContainer } from '../support/avro-container.ts';
import { txn } from '../support/events.ts';

const SEED = 20_261_205;
const MAX_LINE_BYTES = 1 << 16;

let dir: string;
let file = 0;
const containers: Record<'null' | 'deflate', ContainerFile> = {} as never;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'replay-fuzz-'));
  containers.null = await writeTransactionsContainer(300, { blockBytes: 1024 });
  containers.deflate = await writeTransactionsContainer(300, {
    blockBytes: 2048,
    codec: 'deflate',
  });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// --- NDJSON inputs ---------------------------------------------------------------------------

// Built from the generated values only (no counter), so that a seed always gives the same lines.
const validLine = fc
  .record({
    transaction_id: fc.constantFrom('t1', 't2', 't3'),
    card_id: fc.constantFrom('c1', 'c2', 'ç', '日本', 'c\u2028'),
    timestamp: fc.integer({ min: 0, max: 900_000 }),
    amount: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  })
  .map((fields) => JSON.stringify({ ...txn(fields), ...fields }));

const nested = fc
  .tuple(fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constant(20_000)), fc.boolean())
  .map(([depth, asArray]) =>
    asArray
      ? `${'['.repeat(depth)}${']'.repeat(depth)}`
      : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
  );

const lineBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 6, arbitrary: validLine.map((line) => Buffer.from(line)) },
  // A byte that is not UTF-8 somewhere in a valid line.
  {
    weight: 2,
    arbitrary: fc
      .tuple(validLine, fc.nat(), fc.integer({ min: 0x80, max: 0xff }))
      .map(([line, at, byte]) => {
        const bytes = Buffer.from(line);
        const cut = at % bytes.length;
        return Buffer.concat([bytes.subarray(0, cut), Buffer.from([byte]), bytes.subarray(cut)]);
      }),
  },
  // Numbers past what a double or a timestamp can hold.
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        validLine,
        fc.constantFrom(
          '1e400',
          '-1e400',
          '123456789012345678901234567890',
          '1e21',
          '-0',
          '0.1e-400',
        ),
      )
      .map(([line, number]) =>
        Buffer.from(
          line
            .replace(/"timestamp":\d+/, `"timestamp":${number}`)
            .replace(/"amount":[^,}]+/, `"amount":${number}`),
        ),
      ),
  },
  // An extra field nested deep (valid events may carry extra fields).
  {
    weight: 1,
    arbitrary: fc
      .tuple(validLine, nested)
      .map(([line, value]) => Buffer.from(`${line.slice(0, -1)},"x":${value}}`)),
  },
  { weight: 1, arbitrary: nested.map((value) => Buffer.from(value)) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(
        '',
        ' ',
        '\t',
        '\r',
        ' \t\r',
        '\u00a0',
        '\u3000',
        '\u2028',
        '\ufeff',
        '\v',
        '\f',
      )
      .map((text) => Buffer.from(text)),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(validLine, fc.nat())
      .map(([line, at]) => Buffer.from(line.slice(0, at % line.length))),
  },
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ maxLength: 40 })
      .map((bytes) => Buffer.from(bytes).filter((b) => b !== 0x0a)),
  },
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(MAX_LINE_BYTES + 10, 0x61)) },
);

const ndjsonFile = fc
  .tuple(fc.array(lineBytes, { maxLength: 60 }), fc.constantFrom('\n', '\r\n'), fc.boolean())
  .map(([lines, newline, finalNewline]) =>
    Buffer.concat(
      lines.flatMap((line, i) =>
        i < lines.length - 1 || finalNewline ? [line, Buffer.from(newline)] : [line],
      ),
    ),
  );

/** The records an NDJSON file holds, counted apart from the reader: lines not blank. */
function recordsOf(bytes: Buffer): number {
  const text = bytes.toString('latin1');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.filter(
    (line, i) => !/^[ \t\r]*$/.test(i === 0 ? line.replace(/^\xef\xbb\xbf/, '') : line),
  ).length;
}

// --- Avro inputs -----------------------------------------------------------------------------

type AvroMutation =
  | { kind: 'cut'; at: number }
  | { kind: 'flip'; bits: [number, number][] }
  | { kind: 'overwrite'; at: number; bytes: Uint8Array };

const avroCase = fc.tuple(
  fc.constantFrom<'null' | 'deflate'>('null', 'deflate'),
  fc.oneof(
    fc.nat().map((at): AvroMutation => ({ kind: 'cut', at })),
    fc
      .array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 4 })
      .map((bits): AvroMutation => ({ kind: 'flip', bits })),
    fc
      .tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 12 }))
      .map(([at, bytes]): AvroMutation => ({ kind: 'overwrite', at, bytes })),
  ),
);

function mutate(source: Buffer, mutation: AvroMutation): Buffer {
  if (mutation.kind === 'cut') return source.subarray(0, mutation.at % source.length);
  const bytes = Buffer.from(source);
  if (mutation.kind === 'flip') {
    for (const [at, bit] of mutation.bits) bytes[at % bytes.length]! ^= 1 << bit;
  } else {
    Buffer.from(mutation.bytes).copy(bytes, mutation.at % bytes.length);
  }
  return bytes;
}

/** With no damage reported, the records must be those of the blocks the file still wholly holds. */
function wholeRecords(container: ContainerFile, length: number): number {
  return container.blocks
    .filter((block) => block.end <= length)
    .reduce((sum, block) => sum + block.count, 0);
}

// --- the reading layer, many cases -------------------------------------------------------------

async function readAll(path: string) {
  const seen = {
    records: 0,
    handed: 0,
    undecodable: [] as string[],
    damage: [] as { lostBytes: number; lostRecords: number | undefined }[],
  };
  const summary = await readEventFile(
    path,
    {
      onLine: () => false,
      onValue: () => {
        seen.handed++;
      },
      onUndecodable: (_line, problem) => {
        seen.handed++;
        seen.undecodable.push(problem.reason);
      },
      onDamage: (_line, damage) => {
        seen.damage.push(damage);
      },
      onBatchEnd: async () => {},
    },
    { maxLineBytes: MAX_LINE_BYTES },
  );
  seen.records = summary.records;
  return seen;
}

describe('replay input fuzzing: the reading layer', () => {
  it('hands over every non-blank NDJSON line once, as a value or with its reason', async () => {
    await fc.assert(
      fc.asyncProperty(ndjsonFile, async (bytes) => {
        const path = join(dir, `read-${file++}.ndjson`);
        await writeFile(path, bytes);
        const seen = await readAll(path);
        expect(seen.records).toBe(recordsOf(bytes));
        expect(seen.handed).toBe(seen.records);
        expect(seen.damage).toEqual([]);
        for (const reason of seen.undecodable)
          expect(['not_json', 'invalid_utf8', 'line_too_long']).toContain(reason);
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('reads what is whole of a cut or bit-flipped Avro file, and reports any loss', async () => {
    await fc.assert(
      fc.asyncProperty(avroCase, async ([codec, mutation]) => {
        const container = containers[codec];
        const bytes = mutate(container.bytes, mutation);
        const path = join(dir, `read-${file++}.avro`);
        await writeFile(path, bytes);
        const seen = await readAll(path);
        expect(seen.handed).toBe(seen.records);
        expect(seen.records).toBeLessThanOrEqual(container.records.length);
        if (seen.damage.length === 0) {
          expect(seen.records).toBe(wholeRecords(container, bytes.length));
        } else {
          // Only an empty file loses no bytes (it lacks even the header).
          for (const part of seen.damage)
            expect(part.lostBytes > 0 || bytes.length === 0).toBe(true);
          const knownLost = seen.damage.reduce((sum, part) => sum + (part.lostRecords ?? 0), 0);
          expect(seen.records + knownLost).toBeLessThanOrEqual(container.records.length);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

// --- the whole command, in-process -----------------------------------------------------------

/** Runs `featureflow ...` in this process, as bin/featureflow.js would, capturing stderr. */
async function runInProcess(args: readonly string[]): Promise<{ code: number; stderr: string }> {
  const write = process.stderr.write;
  let stderr = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stderr.write;
  process.exitCode = undefined;
  try {
    return { code: await runCli(args), stderr };
  } finally {
    process.stderr.write = write;
    process.exitCode = undefined;
  }
}

async function linesOf(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line.length > 0);
}

const digest = (bytes: Buffer | string) =>
  createHash('sha256').update(bytes).digest('hex').slice(0, 16);

/** Replays `bytes` through the CLI and checks the properties; returns what the run gave. */
async function replayChecked(
  bytes: Buffer,
  extension: 'ndjson' | 'avro',
  expectedRecords?: number,
) {
  const base = join(dir, `cli-${file++}`);
  await writeFile(`${base}.${extension}`, bytes);
  const { code, stderr } = await runInProcess([
    'replay',
    '--job',
    'transactions',
    '--input',
    `${base}.${extension}`,
    '--output',
    `${base}.rows`,
    '--late-output',
    `${base}.late`,
    '--dead-letter',
    `${base}.dead`,
    '--max-line-bytes',
    String(MAX_LINE_BYTES),
  ]);
  // Exit 0, or 1 for lost input, always with the summary and never with a stack trace.
  expect([0, 1], stderr).toContain(code);
  expect(stderr).not.toContain('unexpected failure');
  expect(stderr).not.toMatch(/\n\s+at /);
  const summary =
    /(\d[\d,]*) events read, (\d[\d,]*) valid, (\d[\d,]*) late, (\d[\d,]*) invalid/.exec(stderr);
  expect(summary, stderr).not.toBeNull();
  const [read, valid, late, invalid] = summary!.slice(1).map((n) => Number(n.replace(/,/g, '')));
  expect(valid! + invalid!).toBe(read);
  if (expectedRecords !== undefined) expect(read).toBe(expectedRecords);
  const dead = (await linesOf(`${base}.dead`)).map(
    (line) => JSON.parse(line) as { code: string; lost_bytes?: number },
  );
  const damage = dead.filter((letter) => letter.code.startsWith('avro_'));
  expect(dead.length - damage.length).toBe(invalid);
  expect((await linesOf(`${base}.late`)).length).toBe(late);
  expect(code).toBe(damage.length > 0 ? 1 : 0);
  for (const part of damage) expect(part.lost_bytes! > 0 || bytes.length === 0).toBe(true);
  return {
    code,
    counts: [read, valid, late, invalid],
    rows: digest(await readFile(`${base}.rows`)),
    // The reasons name the input file, which differs from run to run.
    dead: digest(JSON.stringify(dead).replaceAll(base, '<base>')),
  };
}

describe('replay input fuzzing: the whole command', () => {
  const NDJSON_RUNS = 6;
  const AVRO_RUNS = 6;

  // Found by this suite: a late event with an extra field nested 20,000 deep crashed replay
  // (JSON.stringify of it for the late output overflowed the stack).
  const deepLateEvent = Buffer.from(
    [
      JSON.stringify({ ...txn({ card_id: 'c1', timestamp: 900_000 }), transaction_id: 't1' }),
      `${JSON.stringify({ ...txn({ card_id: 'c1', timestamp: 1_000 }), transaction_id: 't2' }).slice(0, -1)},"x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`,
    ].join('\n'),
  );

  async function ndjsonOutcomes(numRuns: number) {
    const outcomes: unknown[] = [];
    await fc.assert(
      fc.asyncProperty(ndjsonFile, async (bytes) => {
        outcomes.push(await replayChecked(bytes, 'ndjson', recordsOf(bytes)));
      }),
      { seed: SEED, numRuns, examples: [[deepLateEvent]] },
    );
    return outcomes;
  }

  async function avroOutcomes(numRuns: number) {
    const outcomes: unknown[] = [];
    await fc.assert(
      fc.asyncProperty(avroCase, async ([codec, mutation]) => {
        outcomes.push(await replayChecked(mutate(containers[codec].bytes, mutation), 'avro'));
      }),
      { seed: SEED, numRuns },
    );
    return outcomes;
  }

  it('replays mutated NDJSON without a crash, every line accounted for, the same for the same seed', async () => {
    const outcomes = await ndjsonOutcomes(NDJSON_RUNS);
    expect(await ndjsonOutcomes(3)).toEqual(outcomes.slice(0, 3));
  }, 60_000);

  it('replays damaged Avro files without a crash, losses reported, the same for the same seed', async () => {
    const outcomes = await avroOutcomes(AVRO_RUNS);
    expect(await avroOutcomes(2)).toEqual(outcomes.slice(0, 2));
  }, 60_000);
});
