/**
 * Replay's feature rows, formatted and written by a thread of their own
 * (./row-writer-thread.ts), so that turning numbers into text and text into the file runs
 * beside the windowing instead of after it. The output is byte for byte what writing
 * `createRowSerializer(row)` lines would give.
 *
 * `write` is synchronous, as the engine's callback needs: rows are packed into batches of
 * numbers (./packed-rows.ts) and a full batch is posted. `flushIfFull` waits while the writer
 * is more than a few batches behind, so memory stays bounded when the disk is slow.
 */
import { BatchChannel } from './batch-channel.ts';
import type { FeatureRowNumbers } from './feature-row-numbers.ts';
import { type PackedRows, RowPacker } from './packed-rows.ts';
import type { RowWriterThreadData } from './row-writer-thread.ts';
import { startTypeScriptWorker } from './typescript-worker.ts';

/** Rows per message: large enough that posting is rare, small enough to keep the writer busy. */
const BATCH_ROWS = 4096;
const MAX_BATCHES_IN_FLIGHT = 8;

export class ThreadedRowWriter {
  private readonly packer: RowPacker;
  private readonly channel: BatchChannel<PackedRows, null>;

  constructor(
    readonly path: string,
    featureNames: readonly string[],
    readNumbers?: FeatureRowNumbers,
  ) {
    this.packer = new RowPacker(featureNames, BATCH_ROWS, readNumbers);
    const data: RowWriterThreadData = { path, featureNames: [...featureNames] };
    const worker = startTypeScriptWorker(new URL('./row-writer-thread.ts', import.meta.url), data);
    this.channel = new BatchChannel(worker, {
      maxBatchesInFlight: MAX_BATCHES_IN_FLIGHT,
      describeFailure: (reason) => `cannot write ${path}: ${reason}`,
      failureCode: 'io_failed',
      context: { path },
      onReturned: (buffer) => this.packer.recycle(buffer),
    });
  }

  /** Takes the row's values at once: the caller may fill the same row again for the next. */
  write(row: object): void {
    if (this.packer.isFull) this.send();
    this.packer.add(row);
  }

  /** Waits while the writer thread is more than a few batches behind. */
  async flushIfFull(): Promise<void> {
    await this.channel.waitForRoom();
  }

  /** Sends the last rows, waits until the file is complete and closed, and stops the thread. */
  async close(): Promise<void> {
    if (this.packer.count > 0) this.send();
    await this.channel.finish();
  }

  private send(): void {
    const rows = this.packer.take();
    this.channel.post(rows, [rows.values.buffer as ArrayBuffer]);
  }
}
