/**
 * The numbers' buffers of replay's batches, used again once the receiving thread hands them back
 * (./batch-channel.ts `onReturned`) instead of allocated anew for every batch. A new buffer of
 * half a MiB is zeroed and then faulted in page by page; with a row batch every 4,096 rows that
 * was some 50,000 page faults per million events, a tenth of replay's system time.
 * A batch's reader looks only at the entries it was told were written, so a used buffer needs
 * no clearing. It pays: bench/replay-throughput.ts turns it off (recycled-buffers,
 * ./fast-paths.ts) and prints its share.
 */

import { usesFastPath } from './fast-paths.ts';

/** At most this many are kept; the rest are left to the garbage collector. */
const MAX_KEPT = usesFastPath('recycled-buffers') ? 16 : 0;

export class RecycledBuffers {
  private readonly kept: ArrayBuffer[] = [];
  private readonly byteLength: number;

  /** Every buffer holds `length` doubles: one batch's numbers. */
  constructor(private readonly length: number) {
    this.byteLength = length * Float64Array.BYTES_PER_ELEMENT;
  }

  /** A buffer for the next batch: a returned one if there is one, else a new one. */
  take(): Float64Array {
    const buffer = this.kept.pop();
    return buffer === undefined ? new Float64Array(this.length) : new Float64Array(buffer);
  }

  /** Keeps a buffer handed back, if it has the size this pool gives out. */
  give(buffer: ArrayBuffer): void {
    if (buffer.byteLength === this.byteLength && this.kept.length < MAX_KEPT) {
      this.kept.push(buffer);
    }
  }
}
