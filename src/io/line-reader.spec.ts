// The lines read are exactly those of TextDecoder over the whole file, whatever the chunk size:
// plain ASCII (the fast path), a BOM, characters split across chunks after ASCII chunks, and
// bytes that are not UTF-8.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLineBatches } from './line-reader.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'line-reader-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** What the file's lines are: decoded whole, split, a final empty line dropped. */
function expectedLines(bytes: Uint8Array): string[] {
  const lines = new TextDecoder('utf-8').decode(bytes).split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

async function readLines(path: string, chunkBytes: number): Promise<string[]> {
  const lines: string[] = [];
  let expectedFirst = 1;
  for await (const batch of readLineBatches(path, chunkBytes)) {
    expect(batch.firstLineNumber).toBe(expectedFirst);
    expectedFirst += batch.lines.length;
    lines.push(...batch.lines);
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
  it('reads the lines TextDecoder gives for the whole file, at any chunk size', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { maxLength: 40 }),
        fc.integer({ min: 1, max: 64 }),
        async (pieces, chunkBytes) => {
          const bytes = Buffer.concat(pieces);
          const path = join(dir, `lines-${run++}.ndjson`);
          await writeFile(path, bytes);
          expect(await readLines(path, chunkBytes)).toEqual(expectedLines(bytes));
        },
      ),
      { numRuns: 300 },
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
});
