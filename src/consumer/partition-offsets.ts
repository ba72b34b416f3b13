/**
 * What offset a partition may commit (docs/topics.md): never past an event that
 * still sits in an open window or a write Redis has not acknowledged. Events are tracked in
 * read order with the end of their last window; the committable offset is the first event
 * whose last window has not fired yet, or the next offset when every event is done. Call
 * `committable` only after the rows fired so far are acknowledged by Redis.
 */
export class PartitionOffsets {
  // Two parallel queues instead of an object per event: this runs once per message.
  private offsets: number[] = [];
  private lastWindowEnds: number[] = [];
  private head = 0;
  private nextOffset: number | undefined;

  /** A message fully handled once its outputs are acknowledged (invalid, late). */
  trackDone(offset: number): void {
    this.track(offset, Number.NEGATIVE_INFINITY);
  }

  /** A valid event that joined windows; done once the watermark passes `lastWindowEnd - 1`. */
  track(offset: number, lastWindowEnd: number): void {
    this.offsets.push(offset);
    this.lastWindowEnds.push(lastWindowEnd);
    this.nextOffset = offset + 1;
  }

  /** The offset to commit given the fired horizon, or undefined when nothing new is done. */
  committable(firedHorizon: number): number | undefined {
    while (this.head < this.offsets.length && this.lastWindowEnds[this.head]! - 1 <= firedHorizon) {
      this.head++;
    }
    if (this.head > 4096 && this.head * 2 > this.offsets.length) this.compact();
    if (this.head < this.offsets.length) return this.offsets[this.head];
    return this.nextOffset;
  }

  /** Events still held back by open windows. */
  get pending(): number {
    return this.offsets.length - this.head;
  }

  private compact(): void {
    this.offsets = this.offsets.slice(this.head);
    this.lastWindowEnds = this.lastWindowEnds.slice(this.head);
    this.head = 0;
  }
}
