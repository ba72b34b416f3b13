/**
 * Sliding (HOP) windows aligned to the Unix epoch (DESIGN section 5): windows are [s, s + size)
 * for every s that is a multiple of the slide, negative ones included.
 */

/** One entity's open window and the events added to it, in arrival order. */
export class SlidingWindow<E> {
  private readonly events: E[] = [];

  constructor(
    readonly entityId: string,
    readonly windowStart: number,
    readonly windowEnd: number,
  ) {}

  addEvent(event: E): void {
    this.events.push(event);
  }

  size(): number {
    return this.events.length;
  }

  getEvents(): readonly E[] {
    return this.events;
  }
}

/** Start of the last window that contains `timeMs` (the largest multiple of the slide <= t). */
export function lastWindowStart(timeMs: number, slideMs: number): number {
  return Math.floor(timeMs / slideMs) * slideMs;
}

/** The end of the last window containing `timeMs`: the event is fully fired once W >= this - 1. */
export function lastWindowEnd(timeMs: number, windowSizeMs: number, slideMs: number): number {
  return lastWindowStart(timeMs, slideMs) + windowSizeMs;
}
