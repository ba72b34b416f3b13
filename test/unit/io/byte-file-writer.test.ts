// The file holds every byte written, in order, byte for byte: across many buffer hand-overs
// (the buffers are used again once written) and past the stream's in-flight limit, with text of
// every UTF-8 length encoded into the buffer and writes longer than a buffer. A folder that
// does not exist is reported with the path and the fix.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureflowError } from '../../../src/core/errors.ts';
import { ByteFileWriter } from '../../../src/io/byte-file-writer.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'byte-file-writer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** As the row encoder writes the lines of rows it could not pack. */
function writeText(writer: ByteFileWriter, text: string): void {
  // A UTF-16 code unit takes at most 3 bytes in UTF-8 (a surrogate pair, 2 units, takes 4).
  writer.reserve(text.length * 3);
  writer.length += writer.buffer.write(text, writer.length, 'utf8');
}

describe('ByteFileWriter', () => {
  it('writes every byte in order, across many hand-overs', async () => {
    const path = join(dir, 'bytes.ndjson');
    const writer = new ByteFileWriter(path);
    const expected: Buffer[] = [];
    for (let i = 0; i < 60_000; i++) {
      if (i % 3 === 0) {
        const text =
          i === 30_000 ? `é${'x'.repeat(1 << 20)}😀\n` : `{"i":${i},"text":"é€𝄞\ud800-${i}"}\n`;
        writeText(writer, text);
        expected.push(Buffer.from(text, 'utf8'));
      } else {
        // Bytes written straight into the buffer, as the row encoder does; now and then more
        // than a buffer holds.
        const length = i === 40_001 ? 3 << 20 : 1 + ((i * 7919) % 400);
        writer.reserve(length);
        const at = writer.length;
        for (let k = 0; k < length; k++) writer.buffer[at + k] = (i + k) & 0xff;
        writer.length += length;
        expected.push(Buffer.from(writer.buffer.subarray(at, at + length)));
      }
      if (i % 1000 === 0) await writer.flushIfFull();
      if (i % 25_000 === 0) await writer.flush();
    }
    await writer.close();
    const written = await readFile(path);
    // Compared as latin1 text, one char a byte: exact, and far faster than toEqual on Buffers.
    expect(written.toString('latin1')).toBe(Buffer.concat(expected).toString('latin1'));
  });

  it('writes an empty file when nothing is written', async () => {
    const path = join(dir, 'empty.ndjson');
    const writer = new ByteFileWriter(path);
    writer.reserve(100);
    await writer.close();
    expect((await readFile(path)).length).toBe(0);
  });

  it('reports a file it cannot write, with the path and the fix', async () => {
    const path = join(dir, 'missing-folder', 'bytes.ndjson');
    const writer = new ByteFileWriter(path);
    writeText(writer, '{}\n');
    const failure = await writer.close().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(FeatureflowError);
    expect((failure as FeatureflowError).code).toBe('invalid_argument');
    expect((failure as Error).message).toMatch(
      new RegExp(`^cannot write ${path}: ENOENT.*\\(check the folder exists and is writable\\)$`),
    );
  });
});
