/**
 * The pieces of an Avro object container file below the records: its random-access byte window,
 * the zigzag varint `long` of the format, and the header (magic, metadata map, sync marker).
 * Every read is bounds-checked, so a cut or corrupt file gives `OutOfBytes` or `Malformed`,
 * never a huge allocation: every length is checked against the bytes there are.
 */
import type { FileHandle } from 'node:fs/promises';

/** The bytes ran out before the value did: at the end of the file, the file is cut short. */
export class OutOfBytes extends Error {}
/** The bytes cannot be what the format says is there. */
export class Malformed extends Error {}

export const MAGIC = Buffer.from('Obj\x01', 'latin1');
export const SYNC_BYTES = 16;

/** Bytes of the file from `start` on, read in windows of at least `windowBytes`. */
export class FileWindow {
  buffer: Buffer = Buffer.alloc(0);
  start = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly sizeBytes: number,
    private readonly windowBytes = 1 << 20,
  ) {}

  /** Makes the window hold [offset, offset + bytes), or up to the end of the file. */
  async load(offset: number, bytes: number): Promise<void> {
    const end = Math.min(offset + bytes, this.sizeBytes);
    if (offset >= this.start && end <= this.start + this.buffer.length) return;
    const length = Math.min(Math.max(bytes, this.windowBytes), this.sizeBytes - offset);
    const buffer = Buffer.allocUnsafe(Math.max(length, 0));
    let read = 0;
    while (read < length) {
      const { bytesRead } = await this.handle.read(buffer, read, length - read, offset + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    this.buffer = buffer.subarray(0, read);
    this.start = offset;
  }

  /** The window's bytes from file offset `offset` on. */
  from(offset: number): Buffer {
    return this.buffer.subarray(offset - this.start);
  }
}

/** Reads the format's values from a buffer, throwing OutOfBytes past its end. */
export class ByteCursor {
  constructor(
    readonly bytes: Buffer,
    public position = 0,
  ) {}

  /** A zigzag varint long, as a safe integer. */
  readLong(): number {
    let value = 0;
    let factor = 1;
    for (let i = 0; i < 10; i++) {
      if (this.position >= this.bytes.length) throw new OutOfBytes('a long is cut short');
      const byte = this.bytes[this.position++]!;
      value += (byte & 0x7f) * factor;
      if ((byte & 0x80) === 0) {
        if (value > Number.MAX_SAFE_INTEGER) {
          throw new Malformed(`a long is out of range (${value})`);
        }
        // Zigzag: even values are positive, odd ones negative.
        return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
      }
      factor *= 128;
    }
    throw new Malformed('a long runs over 10 bytes');
  }

  readBytes(length: number): Buffer {
    if (length < 0) throw new Malformed(`a length is negative (${length})`);
    if (this.position + length > this.bytes.length) throw new OutOfBytes('bytes are cut short');
    const bytes = this.bytes.subarray(this.position, this.position + length);
    this.position += length;
    return bytes;
  }
}

export interface ContainerHeader {
  /** The writer schema, as the file holds it. */
  schema: unknown;
  codec: string;
  sync: Buffer;
  /** The header's length: the first block starts here. */
  lengthBytes: number;
}

/** Parses the header at the start of `bytes`; OutOfBytes if it needs more of them. */
export function parseContainerHeader(bytes: Buffer): ContainerHeader {
  const cursor = new ByteCursor(bytes);
  if (!cursor.readBytes(MAGIC.length).equals(MAGIC)) {
    throw new Malformed('it does not start with "Obj\\x01"');
  }
  const meta = new Map<string, Buffer>();
  for (;;) {
    let count = cursor.readLong();
    if (count === 0) break;
    if (count < 0) {
      // A negative count is followed by the block's size in bytes.
      count = -count;
      cursor.readLong();
    }
    for (let i = 0; i < count; i++) {
      const key = cursor.readBytes(cursor.readLong()).toString('utf8');
      meta.set(key, Buffer.from(cursor.readBytes(cursor.readLong())));
    }
  }
  const sync = Buffer.from(cursor.readBytes(SYNC_BYTES));
  const schemaBytes = meta.get('avro.schema');
  if (schemaBytes === undefined) throw new Malformed('its metadata has no avro.schema');
  let schema: unknown;
  try {
    schema = JSON.parse(schemaBytes.toString('utf8'));
  } catch (error) {
    throw new Malformed(`its avro.schema is not JSON: ${(error as Error).message}`);
  }
  return {
    schema,
    codec: meta.get('avro.codec')?.toString('utf8') ?? 'null',
    sync,
    lengthBytes: cursor.position,
  };
}
