// Avro container files written by avsc, then cut or corrupted at chosen places: what is whole
// comes through, and every lost part is reported with its offset, bytes and (when known) records.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InputDamage, readAvroRecordBatches } from '../../../src/io/avro-file-reader.ts';
import { type ContainerFile, writeTransactionsContainer } from '../../support/avro-container.ts';

let dir: string;
let file: ContainerFile;
let run = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'avro-reader-'));
  file = await writeTransactionsContainer(600);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function read(bytes: Buffer) {
  const path = join(dir, `file-${run++}.avro`);
  await writeFile(path, bytes);
  const records: object[] = [];
  const damage: (InputDamage & { recordNumber: number })[] = [];
  for await (const batch of readAvroRecordBatches(path)) {
    expect(batch.firstRecordNumber).toBe(records.length + 1);
    records.push(...batch.records.map((record) => ({ ...(record as object) })));
    if (batch.damage) damage.push({ ...batch.damage, recordNumber: records.length + 1 });
  }
  return { records, damage, path };
}

/** The records of every block but those listed. */
function recordsWithout(...lostBlocks: number[]): object[] {
  return file.blocks
    .filter((_, i) => !lostBlocks.includes(i))
    .flatMap((block) => file.records.slice(block.firstRecord, block.firstRecord + block.count));
}

/** The file with `bytes` written over it at `offset`. */
function overwritten(offset: number, bytes: number[]): Buffer {
  const copy = Buffer.from(file.bytes);
  Buffer.from(bytes).copy(copy, offset);
  return copy;
}

describe('readAvroRecordBatches', () => {
  it('reads a whole file with no damage', async () => {
    expect(file.blocks.length).toBeGreaterThan(10);
    const { records, damage } = await read(file.bytes);
    expect(records).toEqual(file.records);
    expect(damage).toEqual([]);
  });

  it('reads the blocks before a cut, and reports the cut block with its records', async () => {
    const block = file.blocks[5]!;
    const cut = block.start + 100;
    const { records, damage, path } = await read(file.bytes.subarray(0, cut));
    expect(records).toEqual(recordsWithout(...[...file.blocks.keys()].filter((i) => i >= 5)));
    expect(damage).toEqual([
      {
        code: 'avro_truncated',
        message: `Avro file ${path} is cut short inside the block at byte ${block.start}: 100 bytes (${block.count} records) lost (write the file again)`,
        offset: block.start,
        lostBytes: 100,
        lostRecords: block.count,
        recordNumber: block.firstRecord + 1,
      },
    ]);
  });

  it('reports a cut inside a block header or the sync marker as a cut', async () => {
    for (const cut of [file.blocks[3]!.start + 1, file.blocks[3]!.end - 1]) {
      const { records, damage } = await read(file.bytes.subarray(0, cut));
      expect(records).toHaveLength(file.blocks[3]!.firstRecord);
      expect(damage).toMatchObject([{ code: 'avro_truncated', offset: file.blocks[3]!.start }]);
    }
  });

  it.each([2, 30, -1])(
    'loses the whole file to a header cut at byte %i (-1: its last byte)',
    async (cutAt) => {
      const cut = cutAt === -1 ? file.blocks[0]!.start - 1 : cutAt;
      const { records, damage, path } = await read(file.bytes.subarray(0, cut));
      expect(records).toEqual([]);
      expect(damage).toEqual([
        {
          code: 'avro_truncated',
          message: expect.stringContaining(`Avro file ${path} has an unreadable header`),
          offset: 0,
          lostBytes: cut,
          lostRecords: undefined,
          recordNumber: 1,
        },
      ]);
    },
  );

  it('skips a block whose records do not decode, and reads on after its sync marker', async () => {
    const block = file.blocks[4]!;
    // 0xff bytes are varint continuations: a string length there reads as garbage.
    const { records, damage } = await read(overwritten(block.start + 40, Array(12).fill(0xff)));
    expect(records).toEqual(recordsWithout(4));
    expect(damage).toMatchObject([
      {
        code: 'avro_corrupt_block',
        offset: block.start,
        lostBytes: block.end - block.start,
        lostRecords: block.count,
      },
    ]);
    expect(damage[0]!.message).toContain(`has a corrupt block at byte ${block.start} (`);
    expect(damage[0]!.message).toContain(
      `): ${block.end - block.start} bytes (${block.count} records) lost, read on from the next sync marker at byte ${block.end}`,
    );
  });

  it('skips a block whose count is one oversized long, instead of ending the file', async () => {
    const block = file.blocks[2]!;
    // A zigzag varint of 10 bytes, far past any safe integer.
    const { records, damage } = await read(
      overwritten(block.start, [...Array(9).fill(0xfe), 0x7f]),
    );
    expect(records).toEqual(recordsWithout(2));
    expect(damage).toMatchObject([
      { code: 'avro_corrupt_block', offset: block.start, lostBytes: block.end - block.start },
    ]);
  });

  it('skips a block whose size runs past the end of the file, when a sync marker follows', async () => {
    const block = file.blocks[7]!;
    const countBytes = block.start + 1; // the count of a block of under 64 records is one byte
    // A size of 1 MiB (zigzag 2^21), in a file of some 27 KB.
    const { records, damage } = await read(overwritten(countBytes, [0x80, 0x80, 0x80, 0x01]));
    expect(records).toEqual(recordsWithout(7));
    expect(damage).toMatchObject([{ code: 'avro_corrupt_block', offset: block.start }]);
    expect(damage[0]!.message).toContain('(its size 1048576 runs past the end of the file)');
  });

  it('loses the block before a broken sync marker and the next one, as Avro readers do', async () => {
    const block = file.blocks[6]!;
    const { records, damage } = await read(overwritten(block.end - 3, [0, 0, 0]));
    expect(records).toEqual(recordsWithout(6, 7));
    expect(damage).toMatchObject([
      {
        code: 'avro_corrupt_block',
        offset: block.start,
        lostBytes: file.blocks[7]!.end - block.start,
      },
    ]);
  });

  it('reports every damaged part of a file damaged in several places', async () => {
    const damaged = Buffer.from(file.bytes);
    Buffer.from(Array(12).fill(0xff)).copy(damaged, file.blocks[1]!.start + 40);
    Buffer.from(Array(12).fill(0xff)).copy(damaged, file.blocks[9]!.start + 40);
    const cut = damaged.subarray(0, file.blocks.at(-1)!.start + 10);
    const { records, damage } = await read(cut);
    expect(records).toEqual(recordsWithout(1, 9, file.blocks.length - 1));
    expect(damage.map((part) => [part.code, part.offset])).toEqual([
      ['avro_corrupt_block', file.blocks[1]!.start],
      ['avro_corrupt_block', file.blocks[9]!.start],
      ['avro_truncated', file.blocks.at(-1)!.start],
    ]);
  });

  it('reads a deflate file the same way, cut or whole', async () => {
    const deflated = await writeTransactionsContainer(600, { codec: 'deflate', blockBytes: 4096 });
    expect((await read(deflated.bytes)).records).toEqual(deflated.records);
    const block = deflated.blocks[2]!;
    const { records, damage } = await read(deflated.bytes.subarray(0, block.start + 20));
    expect(records).toEqual(deflated.records.slice(0, block.firstRecord));
    expect(damage).toMatchObject([
      { code: 'avro_truncated', offset: block.start, lostRecords: block.count },
    ]);
  });
});
