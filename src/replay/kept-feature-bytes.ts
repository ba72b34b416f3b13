/**
 * The writing side's copy of the feature part of the last row written for each entity slot
 * (the engine's `entitySlot`), so a row whose window holds the same events as the entity's row
 * before it is written by copying those bytes instead of formatting its numbers again
 * (./packed-row-bytes.ts). With 10,000 cards half the rows of a 1M-event file are such rows.
 *
 * Every slot has room for the longest feature part a row can have, so nothing kept is ever cut
 * short: about 400 bytes per slot for transactions, and slots are at most the entity states the
 * engine holds (those with an open window and at most 16,384 idle ones).
 * It pays: bench/replay-throughput.ts turns it off (kept-features, ./fast-paths.ts) and prints
 * its share.
 */
/**
 * Called as `setBytes.call(to, from, at)`, not `to.set(from, at)`: in replay's row encoder
 * (./packed-row-bytes.ts) V8's optimizing compiler did not fold the lookup of `set` and called
 * its generic property lookup for each of the 12 keys of a row (about a tenth of the encoder's
 * samples in perf). `subarrayOf` likewise.
 */
export const setBytes = Uint8Array.prototype.set;
const subarrayOf = Uint8Array.prototype.subarray;

export class KeptFeatureBytes {
  private bytes: Uint8Array;
  /** Bytes kept per slot; -1 where nothing usable is kept. */
  private lengths: Int32Array;

  /** `maxBytes`: the longest feature part a row can take. */
  constructor(private readonly maxBytes: number) {
    this.bytes = new Uint8Array(0);
    this.lengths = new Int32Array(0);
  }

  /** Keeps `from[start, end)` for `slot`, replacing what it held. */
  keep(slot: number, from: Uint8Array, start: number, end: number): void {
    if (slot >= this.lengths.length) this.grow(slot);
    setBytes.call(this.bytes, subarrayOf.call(from, start, end), slot * this.maxBytes);
    this.lengths[slot] = end - start;
  }

  /** Forgets what `slot` held: its last row could not be kept. */
  forget(slot: number): void {
    if (slot < this.lengths.length) this.lengths[slot] = -1;
  }

  /** Writes what `slot` holds into `to` at `at`; returns where it ends. */
  copyTo(slot: number, to: Uint8Array, at: number): number {
    const length = slot < this.lengths.length ? this.lengths[slot]! : -1;
    if (length < 0) {
      throw new Error(
        `replay's row writer has no features kept for entity slot ${slot}: a row said it repeats ` +
          'the features of a row that was never written for that slot (a bug in replay, not in the input)',
      );
    }
    const from = slot * this.maxBytes;
    setBytes.call(to, subarrayOf.call(this.bytes, from, from + length), at);
    return at + length;
  }

  private grow(slot: number): void {
    const slots = Math.max(1024, 2 * this.lengths.length, slot + 1);
    const bytes = new Uint8Array(slots * this.maxBytes);
    bytes.set(this.bytes);
    const lengths = new Int32Array(slots).fill(-1);
    lengths.set(this.lengths);
    this.bytes = bytes;
    this.lengths = lengths;
  }
}
