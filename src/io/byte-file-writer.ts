/**
 * A file written from bytes an encoder puts straight into a reused buffer, with backpressure:
 * the encoder asks for room (`reserve`), writes into `buffer` from `length` on and moves
 * `length` past what it wrote; `flushIfFull` / `flush` await the disk.
 *
 * Rows built as strings, joined and then encoded to UTF-8 (./ndjson-writer.ts) cost more in
 * garbage collection, joining and encoding than in formatting their numbers, so here the bytes
 * are written where they go. A full buffer is handed to the file stream and used again once the
 * file has it, because new memory is faulted in page by page, which is slow.
 */

import { HandOverWriter } from './file-output.ts';

/** Where an encoder writes bytes: into `buffer` from `length` on, after `reserve`. */
export interface ByteSink {
  buffer: Buffer;
  length: number;
  /** Makes room for `bytes` more bytes after `length`; may replace `buffer` and `length`. */
  reserve(bytes: number): void;
}

/** The size of a buffer handed over: large enough that hand-overs are rare (one per ~900 rows). */
const BUFFER_BYTES = 1 << 18;
/**
 * How much may wait for the disk before `flushIfFull` waits for it. With a few MiB in flight,
 * the disk and the encoding overlap instead of taking turns.
 */
const IN_FLIGHT_BYTES = 8 << 20;
/**
 * Enough buffers kept to cover what is in flight, plus what a caller writes past the limit
 * before it next calls `flushIfFull` (replay: one batch of rows, some 1.2 MB).
 */
const MAX_KEPT_BUFFERS = IN_FLIGHT_BYTES / BUFFER_BYTES + 8;

export class ByteFileWriter extends HandOverWriter implements ByteSink {
  buffer: Buffer = Buffer.allocUnsafeSlow(BUFFER_BYTES);
  length = 0;
  private readonly keptBuffers: Buffer[] = [];

  constructor(path: string) {
    super(path, IN_FLIGHT_BYTES);
  }

  reserve(bytes: number): void {
    if (this.buffer.length - this.length >= bytes) return;
    this.handOver();
    // Something longer than a buffer (a row with a huge entity id) gets a buffer of its own,
    // left to the garbage collector once written.
    if (bytes > this.buffer.length) {
      this.keep(this.buffer);
      this.buffer = Buffer.allocUnsafeSlow(bytes);
    }
  }

  /** Hands the filled part of the buffer to the stream and takes an empty buffer. */
  protected handOver(): void {
    if (this.length === 0) return;
    const filled = this.buffer;
    const length = this.length;
    this.buffer = this.keptBuffers.pop() ?? Buffer.allocUnsafeSlow(BUFFER_BYTES);
    this.length = 0;
    // After a failure the bytes go nowhere: the next flush reports it.
    if (this.file.hasFailed) {
      this.keep(filled);
      return;
    }
    this.file.write(filled.subarray(0, length), (error) => {
      if (!error) this.keep(filled);
    });
  }

  private keep(buffer: Buffer): void {
    if (buffer.length === BUFFER_BYTES && this.keptBuffers.length < MAX_KEPT_BUFFERS) {
      this.keptBuffers.push(buffer);
    }
  }
}
