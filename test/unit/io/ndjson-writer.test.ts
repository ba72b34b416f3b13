// The file holds every line written, in order, byte for byte: across many hand-overs (whose
// encoding buffers are used again once written), with characters of every UTF-8 length, and
// with a line longer than a hand-over buffer. A folder that does not exist is reported.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureflowError } from '../../../src/core/errors.ts';
import { NdjsonWriter } from '../../../src/io/ndjson-writer.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ndjson-writer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('NdjsonWriter', () => {
  it('writes every line in order, byte for byte', async () => {
    const path = join(dir, 'lines.ndjson');
    const writer = new NdjsonWriter(path);
    const lines: string[] = [];
    for (let i = 0; i < 60_000; i++) {
      const line =
        i === 30_000
          ? 'x'.repeat(1 << 20)
          : JSON.stringify({ i, text: i % 7 === 0 ? `é€𝄞-${i}` : `line-${i}` });
      lines.push(line);
      writer.writeLine(line);
      if (i % 5000 === 0) await writer.flushIfFull();
    }
    await writer.close();
    expect(writer.count).toBe(lines.length);
    expect(await readFile(path, 'utf8')).toBe(`${lines.join('\n')}\n`);
  });

  it('reports a file it cannot write, with the path', async () => {
    const path = join(dir, 'missing-folder', 'lines.ndjson');
    const writer = new NdjsonWriter(path);
    writer.writeLine('{}');
    const failure = await writer.close().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(FeatureflowError);
    expect((failure as Error).message).toContain(path);
  });
});
