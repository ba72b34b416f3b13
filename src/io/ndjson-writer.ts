/**
 * A buffered writer of NDJSON lines to a file, with backpressure: `write` is synchronous (it is
 * called from inside the engine's callbacks) and `flush` awaits the disk.
 */

import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { FeatureflowError } from '../core/errors.ts';

const FLUSH_AT_CHARS = 1 << 16;

export class NdjsonWriter {
  private readonly stream: WriteStream;
  private buffer: string[] = [];
  private bufferedChars = 0;
  private failure: Error | undefined;
  private linesWritten = 0;

  constructor(readonly path: string) {
    this.stream = createWriteStream(path);
    this.stream.on('error', (error) => {
      this.failure = error;
    });
  }

  get count(): number {
    return this.linesWritten;
  }

  writeLine(line: string): void {
    this.buffer.push(line);
    this.bufferedChars += line.length + 1;
    this.linesWritten++;
  }

  writeObject(value: unknown): void {
    this.writeLine(JSON.stringify(value));
  }

  /** Hands the buffer to the stream once it is large enough, waiting if the disk lags. */
  async flushIfFull(): Promise<void> {
    if (this.bufferedChars >= FLUSH_AT_CHARS) await this.flush();
  }

  async flush(): Promise<void> {
    this.throwIfFailed();
    if (this.buffer.length === 0) return;
    const text = `${this.buffer.join('\n')}\n`;
    this.buffer = [];
    this.bufferedChars = 0;
    if (!this.stream.write(text)) {
      // `once` rejects if the stream fails while we wait, so a dead disk cannot hang us here.
      await once(this.stream, 'drain').catch((error: Error) => {
        this.failure = error;
      });
    }
    this.throwIfFailed();
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'close');
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure) {
      throw new FeatureflowError(
        'io_failed',
        `cannot write ${this.path}: ${this.failure.message} (check the folder exists and is writable)`,
        { cause: this.failure, context: { path: this.path } },
      );
    }
  }
}
