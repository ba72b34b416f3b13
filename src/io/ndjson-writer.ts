/**
 * A buffered writer of NDJSON lines to a file, with backpressure: `writeLine` is synchronous
 * (it is called from inside the engine's callbacks) and `flushIfFull` / `flush` await the disk.
 *
 * Lines are joined and handed to the file stream as soon as 64 KiB of them are buffered, from
 * `writeLine` itself: the stream copies them into bytes at once, so the line strings die young
 * instead of surviving a garbage collection while a whole input batch is processed, which
 * costs far more CPU. The stream may hold a few MiB for the disk; past that, `flushIfFull`
 * waits for it to drain.
 */

import { HandOverWriter } from './file-output.ts';

const HAND_OVER_AT_CHARS = 1 << 16;
/**
 * How much may wait for the disk before `flushIfFull` waits for it. The stream's default, 16
 * KiB, is less than one hand-over, so the disk and the computation would take turns; with a
 * few MiB in flight they overlap.
 */
const IN_FLIGHT_BYTES = 8 << 20;
/**
 * The bytes of one hand-over are encoded into a buffer that is used again once the file has
 * them, instead of a new Buffer per hand-over: new memory is faulted in page by page, and a new
 * buffer per hand-over would fault on every one. A hand-over of up to
 * HAND_OVER_AT_CHARS characters (plus one line) needs at most 3 bytes a character; a longer one
 * (a very long line) is written as a string, as before.
 */
const ENCODE_BUFFER_BYTES = 3 * HAND_OVER_AT_CHARS + (1 << 16);
const MAX_KEPT_ENCODE_BUFFERS = 32;

export class NdjsonWriter extends HandOverWriter {
  private readonly buffer: string[] = [];
  private bufferedChars = 0;
  private linesWritten = 0;
  private readonly encodeBuffers: Buffer[] = [];

  constructor(path: string) {
    super(path, IN_FLIGHT_BYTES);
  }

  get count(): number {
    return this.linesWritten;
  }

  writeLine(line: string): void {
    this.buffer.push(line);
    this.bufferedChars += line.length + 1;
    this.linesWritten++;
    if (this.bufferedChars >= HAND_OVER_AT_CHARS) this.handOver();
  }

  writeObject(value: unknown): void {
    this.writeLine(JSON.stringify(value));
  }

  protected handOver(): void {
    if (this.buffer.length === 0 || this.file.hasFailed) return;
    const text = `${this.buffer.join('\n')}\n`;
    this.buffer.length = 0;
    this.bufferedChars = 0;
    if (text.length * 3 > ENCODE_BUFFER_BYTES) {
      this.file.write(text);
      return;
    }
    const bytes = this.encodeBuffers.pop() ?? Buffer.allocUnsafeSlow(ENCODE_BUFFER_BYTES);
    const length = bytes.write(text, 0, 'utf8');
    this.file.write(bytes.subarray(0, length), () => {
      if (this.encodeBuffers.length < MAX_KEPT_ENCODE_BUFFERS) this.encodeBuffers.push(bytes);
    });
  }
}
