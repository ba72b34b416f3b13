/**
 * Sliding (HOP) windows aligned to the Unix epoch (docs/windows.md): windows are [s, s + size)
 * for every s that is a multiple of the slide, negative ones included.
 */

/** One entity's open window and the events added to it, in arrival order. */
export class SlidingWindow<E> {
  constructor(
    readonly entityId: string,
    readonly windowStart: number,
    readonly windowEnd: number,
    /** The events so far, in arrival order (the engine hands over a fired window's events). */
    protected events: E[] = [],
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

/**
 * Start of the first window containing `timeMs` that has not fired at watermark `watermarkMs`
 * (docs/windows.md: [s, e) has fired once W >= e - 1). The windows containing t start at the
 * multiples of the slide in (t - size, t], and the unfired ones are the latest of them, since
 * windows fire in order of end: an event joins the windows from this start to
 * `lastWindowStart`, and none (it is late) when this is past `lastWindowStart`.
 */
export function firstOpenWindowStart(
  timeMs: number,
  watermarkMs: number,
  windowSizeMs: number,
  slideMs: number,
): number {
  const lastStart = lastWindowStart(timeMs, slideMs);
  let start = lastStart - Math.floor((lastStart - (timeMs - windowSizeMs) - 1) / slideMs) * slideMs;
  while (start <= lastStart && watermarkMs >= start + windowSizeMs - 1) start += slideMs;
  return start;
}
