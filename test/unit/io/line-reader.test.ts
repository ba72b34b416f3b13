// The lines read are exactly the file's lines, cut on the bytes, whatever the chunk size: plain
// ASCII (the fast path), a BOM, characters split across chunks, and lines that are not UTF-8 or
// are too long, which come as problems with their bytes instead of text.
import { isUtf8 } from 'node:buffer';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LONG_LINE_HEAD_BYTES, readLineBatches } from '../../../src/io/line-reader.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'line-reader-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type ReadLine = string | { invalid: string } | { tooLong: number; head: string };

/** What the file's lines are: cut on newline bytes, a final empty line dropped. */
function expectedLines(bytes: Buffer, maxLineBytes: number): ReadLine[] {
  const lines: Buffer[] = [];
  let from = 0;
  for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, from)) {
    lines.push(bytes.subarray(from, at));
    from = at + 1;
  }
  if (from < bytes.length) lines.push(bytes.subarray(from));
  return lines.map((line, index) => {
    if (line.length > maxLineBytes) {
      return { tooLong: line.length, head: line.subarray(0, LONG_LINE_HEAD_BYTES).toString('hex') };
    }
    if (!isUtf8(line)) return { invalid: line.toString('hex') };
    const text = line.toString('utf8');
    return index === 0 && text.startsWith('\uFEFF') ? text.slice(1) : text;
  });
}

async function readLines(
  path: string,
  chunkBytes: number,
  maxLineBytes?: number,
): Promise<ReadLine[]> {
  const lines: ReadLine[] = [];
  let expectedFirst = 1;
  for await (const batch of readLineBatches(path, chunkBytes, maxLineBytes)) {
    expect(batch.firstLineNumber).toBe(expectedFirst);
    expectedFirst += batch.lines.length;
    lines.push(...batch.lines);
    for (const problem of batch.problems ?? []) {
      const index = problem.lineNumber - 1;
      expect(lines[index]).toBe('');
      lines[index] =
        problem.code === 'invalid_utf8'
          ? { invalid: problem.raw.toString('hex') }
          : { tooLong: problem.byteLength, head: problem.raw.toString('hex') };
    }
  }
  return lines;
}

const asciiLine = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
});
const piece = fc.oneof(
  { weight: 8, arbitrary: asciiLine.map((text) => Buffer.from(text, 'latin1')) },
  { weight: 2, arbitrary: fc.constant(Buffer.from('\n')) },
  { weight: 1, arbitrary: fc.constantFrom('é', '€', '𝄞', '\u2028').map((c) => Buffer.from(c)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from([0xff]),
      Buffer.from([0xe2, 0x82]),
      Buffer.from([0x80]),
    ),
  },
);

describe('readLineBatches', () => {
  it('reads the lines of the file, UTF-8 or not, at any chunk size and line limit', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { maxLength: 40 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 80 }),
        async (pieces, chunkBytes, maxLineBytes) => {
          const bytes = Buffer.concat(pieces);
          const path = join(dir, `lines-${run++}.ndjson`);
          await writeFile(path, bytes);
          expect(await readLines(path, chunkBytes, maxLineBytes)).toEqual(
            expectedLines(bytes, maxLineBytes),
          );
        },
      ),
      { numRuns: 300, seed: 20261205 },
    );
  });

  it('drops a BOM at the start, as TextDecoder does', async () => {
    const path = join(dir, 'bom.ndjson');
    await writeFile(
      path,
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}\n{"b":2}')]),
    );
    expect(await readLines(path, 4)).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('decodes a character split across chunks after plain ASCII ones', async () => {
    const path = join(dir, 'split.ndjson');
    await writeFile(path, Buffer.from('abcdefgh\n€uro\n'));
    // The 3 bytes of € straddle the second and third chunk of 8 and 2 bytes.
    expect(await readLines(path, 10)).toEqual(['abcdefgh', '€uro']);
  });

  it('hands over a line that is not UTF-8 as its bytes, never as U+FFFD', async () => {
    const path = join(dir, 'not-utf8.ndjson');
    await writeFile(
      path,
      Buffer.concat([
        Buffer.from('{"card_id":"c'),
        Buffer.from([0xff]),
        Buffer.from('"}\n{"card_id":"c'),
        Buffer.from([0xfe]),
        Buffer.from('"}\n{"card_id":"c'),
        Buffer.from([0xc3]),
        Buffer.from('"}\n{"ok":"é"}\n'),
      ]),
    );
    const batches = [];
    for await (const batch of readLineBatches(path)) batches.push(batch);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.lines).toEqual(['', '', '', '{"ok":"é"}']);
    expect(
      batches[0]!.problems!.map((p) => [p.lineNumber, p.code, p.raw.toString('latin1')]),
    ).toEqual([
      [1, 'invalid_utf8', '{"card_id":"c\xff"}'],
      [2, 'invalid_utf8', '{"card_id":"c\xfe"}'],
      [3, 'invalid_utf8', '{"card_id":"c\xc3"}'],
    ]);
  });

  it('skips a line over the limit with memory bounded by the limit, and reads on', async () => {
    const path = join(dir, 'long.ndjson');
    const longLineBytes = 96 << 20;
    const file = await open(path, 'w');
    await file.write('{"first":1}\n');
    const block = Buffer.alloc(1 << 20, 0x61);
    for (let written = 0; written < longLineBytes; written += block.length) await file.write(block);
    await file.write('\n{"last":2}\n');
    await file.close();

    // What is still referenced, measured after a full collection.
    setFlagsFromString('--expose-gc');
    const collectGarbage = runInNewContext('gc') as () => void;
    const memory = () => {
      collectGarbage();
      const usage = process.memoryUsage();
      return usage.heapUsed + usage.arrayBuffers;
    };
    const before = memory();
    let peak = 0;
    const lines: string[] = [];
    const problems = [];
    for await (const batch of readLineBatches(path, 1 << 20, 1 << 20)) {
      peak = Math.max(peak, memory() - before);
      lines.push(...batch.lines);
      problems.push(...(batch.problems ?? []));
    }
    expect(lines).toEqual(['{"first":1}', '', '{"last":2}']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      lineNumber: 2,
      code: 'line_too_long',
      byteLength: longLineBytes,
    });
    expect(problems[0]!.raw).toEqual(Buffer.alloc(LONG_LINE_HEAD_BYTES, 0x61));
    // The 96 MiB line was never held, only a few chunks of 1 MiB at a time (up to 8 MiB were
    // seen, what the file stream had read ahead); holding the line would be 96 MiB and more.
    expect(peak).toBeLessThan(48 << 20);
  });
});
