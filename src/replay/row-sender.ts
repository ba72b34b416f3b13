/**
 * The window thread's end of replay's rows: rows are packed into batches of numbers
 * (./packed-rows.ts) and posted over a message port to the reading thread, which formats and
 * writes them (./row-writing.ts). The file holds byte for byte what writing
 * `createRowSerializer(row)` lines would give.
 *
 * `write` is synchronous, as the engine's callback needs; a full batch is posted.
 * `flushIfFull` waits while the writing side is more than a few batches behind, so memory stays
 * bounded when the disk is slow.
 */
import type { MessagePort } from 'node:worker_threads';
import type { FeatureRowNumbers } from '../core/jobs/generated-accessors.ts';
import { BatchChannel } from './batch-channel.ts';
import { type PackedRows, RowPacker } from './packed-rows.ts';

/** Rows per message: large enough that posting is rare, small enough to keep the writer busy. */
const BATCH_ROWS = 4096;
/**
 * Room for the rows of about two batches of events (16,384 events make some 33,000 rows with
 * 10,000 cards, 2 rows an event), at most 16 MiB of numbers. With 8 the rows of one event batch
 * filled it, and the window thread, the slower of the two, waited 30-360 ms a replay of the
 * 10,000-card file for the reading thread to take rows between its own batches; with 32, 7-13 ms.
 */
const MAX_BATCHES_IN_FLIGHT = 32;

export class RowSender {
  private readonly packer: RowPacker;
  private readonly channel: BatchChannel<PackedRows, null>;

  /** `port`: its other end is served by `serveRowWriting` for the file at `path`. */
  constructor(
    port: MessagePort,
    readonly path: string,
    featureNames: readonly string[],
    readNumbers?: FeatureRowNumbers,
  ) {
    this.packer = new RowPacker(featureNames, BATCH_ROWS, readNumbers);
    this.channel = new BatchChannel(port, {
      maxBatchesInFlight: MAX_BATCHES_IN_FLIGHT,
      describeFailure: (reason) => `cannot write ${path}: ${reason}`,
      failureCode: 'io_failed',
      context: { path },
      onReturned: (buffer) => this.packer.recycle(buffer),
    });
  }

  /**
   * Takes the row's values at once: the caller may fill the same row again for the next. With
   * `entitySlot`, the writing side keeps its features' bytes for `writeSameFeatures`.
   */
  write(row: object, entitySlot?: number): void {
    if (this.packer.isFull) this.send();
    this.packer.add(row, entitySlot);
  }

  /**
   * A row with the features of the last row written for `entitySlot`: the window holds the same
   * events (the engine's `sameEvents`), so its features were not computed again.
   */
  writeSameFeatures(
    entityId: string,
    windowStart: number,
    windowEnd: number,
    entitySlot: number,
  ): void {
    if (this.packer.isFull) this.send();
    this.packer.addSameAsKept(entityId, windowStart, windowEnd, entitySlot);
  }

  /** Waits while the writing side is more than a few batches behind. */
  async flushIfFull(): Promise<void> {
    await this.channel.waitForRoom();
  }

  /** Sends the last rows, waits until the file is complete and closed, and closes the port. */
  async close(): Promise<void> {
    if (this.packer.count > 0) this.send();
    await this.channel.finish();
  }

  private send(): void {
    const rows = this.packer.take();
    this.channel.post(rows, [rows.values.buffer as ArrayBuffer]);
  }
}
