/**
 * Reads an Avro object container file (`.avro`) as batches of records, decoded with the writer
 * schema the file carries (avsc decodes each record).
 *
 * Damage does not end the read silently, nor throw: whatever is whole is read, and each damaged
 * part is reported (`InputDamage`: where, how many bytes, how many records when the block's
 * header says) so the caller can dead-letter it, count it, and fail the run. A block is whole
 * when its count and size are sane, it is followed by the file's sync marker, it decompresses,
 * and its records decode to exactly its bytes. After a corrupt block the read resumes after the
 * next sync marker, as Avro's own readers do (`DataFileReader.sync`); a file cut short loses the
 * block it ends in; a header that cannot be read loses the whole file.
 */
import { open } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import avro from 'avsc';
import {
  ByteCursor,
  type ContainerHeader,
  FileWindow,
  Malformed,
  OutOfBytes,
  parseContainerHeader,
  SYNC_BYTES,
} from './avro-container-bytes.ts';

export type InputDamageCode = 'avro_bad_header' | 'avro_truncated' | 'avro_corrupt_block';

/** A part of the input that could not be read. */
export interface InputDamage {
  code: InputDamageCode;
  /** "what went wrong: where, what was lost (the fix)". */
  message: string;
  /** Byte offset in the file where the damaged part starts. */
  offset: number;
  lostBytes: number;
  /** The records the damaged block said it held, when its header could be read. */
  lostRecords: number | undefined;
}

export interface AvroRecordBatch {
  /** 1-based index of the first record in `records`. */
  firstRecordNumber: number;
  records: unknown[];
  /** A damaged part found after `records`. */
  damage?: InputDamage;
}

const BATCH_RECORDS = 4096;
/** Larger headers or blocks are taken for garbage lengths (avsc writes blocks of 64 KiB). */
const MAX_HEADER_BYTES = 16 << 20;
const MAX_BLOCK_BYTES = 256 << 20;
/** The block header: two longs of at most 10 bytes each. */
const BLOCK_HEADER_MAX_BYTES = 20;

export async function* readAvroRecordBatches(path: string): AsyncGenerator<AvroRecordBatch> {
  const handle = await open(path, 'r');
  try {
    const window = new FileWindow(handle, (await handle.stat()).size);
    const header = await readHeader(window, path);
    if ('code' in header) {
      yield { firstRecordNumber: 1, records: [], damage: header };
      return;
    }
    const decode = blockDecoder(header);
    let next = 1;
    let batch: unknown[] = [];
    let offset = header.lengthBytes;
    while (offset < window.sizeBytes) {
      const block = await readBlock(window, header, offset, decode, path);
      if ('records' in block) {
        for (const record of block.records) batch.push(record);
        offset = block.end;
        if (batch.length >= BATCH_RECORDS) {
          yield { firstRecordNumber: next, records: batch };
          next += batch.length;
          batch = [];
        }
        continue;
      }
      yield { firstRecordNumber: next, records: batch, damage: block.damage };
      next += batch.length;
      batch = [];
      if (block.resumeAt === undefined) return;
      offset = block.resumeAt;
    }
    if (batch.length > 0) yield { firstRecordNumber: next, records: batch };
  } finally {
    await handle.close();
  }
}

async function readHeader(
  window: FileWindow,
  path: string,
): Promise<ContainerHeader | InputDamage> {
  const lost = (code: InputDamageCode, why: string): InputDamage => ({
    code,
    message: `Avro file ${path} has an unreadable header: ${why}; all ${window.sizeBytes} bytes lost (write the file again)`,
    offset: 0,
    lostBytes: window.sizeBytes,
    lostRecords: undefined,
  });
  if (window.sizeBytes === 0) return lost('avro_truncated', 'the file is empty');
  for (let bytes = 1 << 16; ; bytes *= 2) {
    await window.load(0, bytes);
    try {
      const header = parseContainerHeader(window.from(0));
      if (header.codec !== 'null' && header.codec !== 'deflate') {
        return lost(
          'avro_bad_header',
          `codec ${header.codec} is not supported (write it with codec null or deflate)`,
        );
      }
      try {
        avro.Type.forSchema(header.schema as avro.Schema);
      } catch (error) {
        return lost(
          'avro_bad_header',
          `its schema is not a valid Avro schema: ${(error as Error).message}`,
        );
      }
      return header;
    } catch (error) {
      if (error instanceof Malformed) return lost('avro_bad_header', error.message);
      if (!(error instanceof OutOfBytes)) throw error;
      if (bytes >= window.sizeBytes) return lost('avro_truncated', 'the file ends inside it');
      if (bytes >= MAX_HEADER_BYTES)
        return lost('avro_bad_header', `it is over ${MAX_HEADER_BYTES} bytes`);
    }
  }
}

type BlockDecoder = (data: Buffer, count: number) => unknown[];

function blockDecoder(header: ContainerHeader): BlockDecoder {
  const type = avro.Type.forSchema(header.schema as avro.Schema);
  const inflate = header.codec === 'deflate';
  return (stored, count) => {
    const data = inflate ? inflateRawSync(stored, { maxOutputLength: MAX_BLOCK_BYTES }) : stored;
    // Every event record holds at least one byte: more records than bytes is a garbage count.
    if (count > data.length)
      throw new Malformed(`it claims ${count} records in ${data.length} bytes`);
    const records = new Array<unknown>(count);
    let position = 0;
    for (let i = 0; i < count; i++) {
      const decoded = type.decode(data, position);
      if (decoded.offset < 0) throw new Malformed(`record ${i + 1} of ${count} does not decode`);
      records[i] = decoded.value;
      position = decoded.offset;
    }
    if (position !== data.length) {
      throw new Malformed(
        `its ${count} records end ${data.length - position} bytes before it does`,
      );
    }
    return records;
  };
}

type BlockResult =
  | { records: unknown[]; end: number }
  | { damage: InputDamage; resumeAt: number | undefined };

async function readBlock(
  window: FileWindow,
  header: ContainerHeader,
  offset: number,
  decode: BlockDecoder,
  path: string,
): Promise<BlockResult> {
  const fileEnd = window.sizeBytes;
  const cutShort = (count: number | undefined): BlockResult => ({
    damage: {
      code: 'avro_truncated',
      message: `Avro file ${path} is cut short inside the block at byte ${offset}: ${fileEnd - offset} bytes${count === undefined ? '' : ` (${count} records)`} lost (write the file again)`,
      offset,
      lostBytes: fileEnd - offset,
      lostRecords: count,
    },
    resumeAt: undefined,
  });

  await window.load(offset, BLOCK_HEADER_MAX_BYTES);
  const cursor = new ByteCursor(window.from(offset));
  let count: number;
  let size: number;
  try {
    count = cursor.readLong();
    size = cursor.readLong();
    if (count < 0 || size < 0 || size > MAX_BLOCK_BYTES) {
      throw new Malformed(`its count ${count} or size ${size} is out of range`);
    }
  } catch (error) {
    if (error instanceof OutOfBytes && offset + cursor.bytes.length >= fileEnd) {
      return cutShort(undefined);
    }
    return corruptBlock(window, header, offset, undefined, (error as Error).message, path);
  }
  const dataStart = offset + cursor.position;
  const end = dataStart + size + SYNC_BYTES;
  if (end > fileEnd) {
    // Past the end: a file cut short, unless a sync marker follows (then the size is garbage).
    if ((await findSync(window, header.sync, offset + 1)) === undefined) return cutShort(count);
    return corruptBlock(
      window,
      header,
      offset,
      undefined,
      `its size ${size} runs past the end of the file`,
      path,
    );
  }
  await window.load(dataStart, size + SYNC_BYTES);
  const bytes = window.from(dataStart);
  if (!bytes.subarray(size, size + SYNC_BYTES).equals(header.sync)) {
    return corruptBlock(
      window,
      header,
      offset,
      undefined,
      'it is not followed by the sync marker',
      path,
    );
  }
  try {
    return { records: decode(bytes.subarray(0, size), count), end };
  } catch (error) {
    return corruptBlock(window, header, offset, count, (error as Error).message, path);
  }
}

async function corruptBlock(
  window: FileWindow,
  header: ContainerHeader,
  offset: number,
  count: number | undefined,
  why: string,
  path: string,
): Promise<BlockResult> {
  const sync = await findSync(window, header.sync, offset);
  const resumeAt = sync === undefined ? undefined : sync + SYNC_BYTES;
  const lostBytes = (resumeAt ?? window.sizeBytes) - offset;
  const records = count === undefined ? '' : ` (${count} records)`;
  return {
    damage: {
      code: 'avro_corrupt_block',
      message:
        resumeAt === undefined
          ? `Avro file ${path} has a corrupt block at byte ${offset} (${why}) and no sync marker after it: the rest, ${lostBytes} bytes${records}, lost (write the file again)`
          : `Avro file ${path} has a corrupt block at byte ${offset} (${why}): ${lostBytes} bytes${records} lost, read on from the next sync marker at byte ${resumeAt} (write the file again to keep them)`,
      offset,
      lostBytes,
      lostRecords: count,
    },
    resumeAt: resumeAt !== undefined && resumeAt < window.sizeBytes ? resumeAt : undefined,
  };
}

/** The offset of the first sync marker at or after `from`, if any. */
async function findSync(
  window: FileWindow,
  sync: Buffer,
  from: number,
): Promise<number | undefined> {
  const step = 1 << 20;
  for (let start = from; start < window.sizeBytes; start += step) {
    // Windows overlap by the marker's length less one, so a marker across two is found.
    await window.load(start, step + SYNC_BYTES - 1);
    const at = window
      .from(start)
      .subarray(0, step + SYNC_BYTES - 1)
      .indexOf(sync);
    if (at !== -1) return start + at;
  }
  return undefined;
}

/** True when the file starts with the Avro container magic "Obj" 0x01. */
export function looksLikeAvroContainer(firstBytes: Buffer): boolean {
  return (
    firstBytes.length >= 4 &&
    firstBytes[0] === 0x4f &&
    firstBytes[1] === 0x62 &&
    firstBytes[2] === 0x6a &&
    firstBytes[3] === 0x01
  );
}
