/**
 * A file opened for writing through a stream, with what both of featureflow's writers
 * (./ndjson-writer.ts, ./byte-file-writer.ts) need of it: the first failure is kept and thrown,
 * with the path and the fix, at the next wait; waiting for the disk only when a few MiB are
 * waiting for it; and a close that reports a failure of the last writes.
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { FeatureflowError } from '../core/errors.ts';

export class FileOutput {
  private readonly stream: WriteStream;
  private failure: Error | undefined;

  /** `inFlightBytes`: how much may wait for the disk before `waitIfFull` waits. */
  constructor(
    readonly path: string,
    inFlightBytes: number,
  ) {
    this.stream = createWriteStream(path, { highWaterMark: inFlightBytes });
    this.stream.on('error', (error) => {
      this.failure = error;
    });
  }

  get hasFailed(): boolean {
    return this.failure !== undefined;
  }

  /** Queues `chunk`; `onWritten` is called once the file has it (with the error if not). */
  write(chunk: string | Uint8Array, onWritten?: (error?: Error | null) => void): void {
    this.stream.write(chunk, onWritten);
  }

  /** Waits for the disk if more than `inFlightBytes` are waiting for it; throws a failure. */
  async waitIfFull(): Promise<void> {
    if (this.stream.writableNeedDrain) {
      // `once` rejects if the stream fails while we wait, so a dead disk cannot hang us here.
      await once(this.stream, 'drain').catch((error: Error) => {
        this.failure = error;
      });
    }
    this.throwIfFailed();
  }

  /** Ends the file once everything queued is written; throws if that failed. */
  async close(): Promise<void> {
    this.stream.end();
    // Rejects if the file fails while closing (or could never be opened): reported as above.
    await once(this.stream, 'close').catch((error: Error) => {
      this.failure ??= error;
    });
    this.throwIfFailed();
  }

  throwIfFailed(): void {
    if (this.failure) {
      // A file that cannot even be opened (no such folder, no permission) is a wrong path given
      // by the user (exit 2); a write failing later (disk full) is a failure of the run.
      const atOpen = (this.failure as NodeJS.ErrnoException).syscall === 'open';
      throw new FeatureflowError(
        atOpen ? 'invalid_argument' : 'io_failed',
        `cannot write ${this.path}: ${this.failure.message} (check the folder exists and is writable)`,
        { cause: this.failure, context: { path: this.path } },
      );
    }
  }
}

/**
 * A writer that buffers what it is given and hands it to a FileOutput in pieces
 * (`handOver`); what both writers share: waiting for the disk, flushing, closing.
 */
export abstract class HandOverWriter {
  protected readonly file: FileOutput;

  constructor(
    readonly path: string,
    inFlightBytes: number,
  ) {
    this.file = new FileOutput(path, inFlightBytes);
  }

  /** Waits for the disk if more than a few MiB are waiting for it. */
  async flushIfFull(): Promise<void> {
    await this.file.waitIfFull();
  }

  /** Hands everything buffered to the file and waits for the disk if it lags. */
  async flush(): Promise<void> {
    this.file.throwIfFailed();
    this.handOver();
    await this.file.waitIfFull();
  }

  async close(): Promise<void> {
    await this.flush();
    await this.file.close();
  }

  /** Hands what is buffered to the file. */
  protected abstract handOver(): void;
}
