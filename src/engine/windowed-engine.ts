/**
 * The event-time engine of DESIGN section 5, shared by replay and the Kafka consumer runtime:
 * events -> HOP windows per entity -> watermark -> fired windows, in (window_end, entity_id)
 * order. Memory is bounded by the open windows, not by the input: a window is released as
 * soon as it fires.
 *
 * The watermark is either the engine's own (replay: W = max(W, t - D) per event, over the
 * partitions it is given) or driven from outside with `advanceWatermarkTo` (the consumer
 * runtime, which combines the partitions of a consumer group itself).
 *
 * Layout, chosen for the per-event path: one map lookup per event finds the entity's open
 * windows (a short list ordered by start); a new window is also filed under its end, which is
 * what firing walks.
 */

import { WatermarkGenerator } from '../core/utils/watermarks.ts';
import { SlidingWindow } from '../core/utils/windowing.ts';

export interface WindowedEngineOptions<E> {
  windowSizeMs: number;
  slideMs: number;
  maxOutOfOrdernessMs: number;
  idleTimeoutMs?: number;
  /** The caller moves the watermark with `advanceWatermarkTo`; events do not move it. */
  externalWatermark?: boolean;
  /** Start from this watermark instead of minus infinity (resuming after a commit). */
  initialWatermark?: number;
  entityOf: (event: E) => string;
  timeOf: (event: E) => number;
  /** Called once per fired window with at least one event, in (window_end, entity_id) order. */
  onWindowFired: (window: SlidingWindow<E>) => void;
  /** Called for an event that joined no window (all its windows had fired). */
  onLateEvent: (event: E, watermark: number) => void;
}

export class WindowedEngine<E> {
  /** Each entity's open windows, ordered by start (at most window / slide + disorder of them). */
  private readonly openByEntity = new Map<string, SlidingWindow<E>[]>();
  /** Open windows filed by end; firing walks `openEnds` from the front. */
  private readonly openByEnd = new Map<number, SlidingWindow<E>[]>();
  private readonly openEnds: number[] = [];
  private readonly watermarks: WatermarkGenerator | undefined;
  /** Every window with end - 1 <= this has fired. */
  private firedUpTo: number;
  private openWindowCount = 0;
  private readonly windowSizeMs: number;
  private readonly slideMs: number;
  private readonly options: WindowedEngineOptions<E>;

  constructor(options: WindowedEngineOptions<E>) {
    this.options = options;
    this.windowSizeMs = options.windowSizeMs;
    this.slideMs = options.slideMs;
    this.firedUpTo = options.initialWatermark ?? Number.NEGATIVE_INFINITY;
    if (!options.externalWatermark) {
      this.watermarks = new WatermarkGenerator({
        maxOutOfOrdernessMs: options.maxOutOfOrdernessMs,
        ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
      });
      if (options.initialWatermark !== undefined)
        this.watermarks.restore(0, options.initialWatermark, 0);
    }
  }

  /** The watermark windows have fired up to: what a consumer commits with its offsets. */
  get watermark(): number {
    return this.firedUpTo;
  }

  get openWindows(): number {
    return this.openWindowCount;
  }

  /**
   * Steps 2 and 3 of DESIGN section 5 for one valid event. Returns false when the event was
   * late (it joined no window).
   */
  process(event: E, partition = 0, nowMs = 0): boolean {
    const time = this.options.timeOf(event);
    const entityId = this.options.entityOf(event);
    const watermark = this.firedUpTo;
    let windows = this.openByEntity.get(entityId);
    let joined = false;
    // From the earliest window containing the event to the latest, skipping fired ones: a
    // window has fired once W >= end - 1 and takes no more events.
    const lastStart = Math.floor(time / this.slideMs) * this.slideMs;
    let start =
      lastStart -
      Math.floor((lastStart - (time - this.windowSizeMs) - 1) / this.slideMs) * this.slideMs;
    for (; start <= lastStart; start += this.slideMs) {
      const end = start + this.windowSizeMs;
      if (watermark >= end - 1) continue;
      if (windows === undefined) {
        windows = [];
        this.openByEntity.set(entityId, windows);
      }
      this.windowAt(windows, entityId, start, end).addEvent(event);
      joined = true;
    }
    if (!joined) this.options.onLateEvent(event, watermark);
    if (this.watermarks !== undefined) {
      const advanced = this.watermarks.observe(time, partition, nowMs);
      if (advanced > this.firedUpTo) this.advanceWatermarkTo(advanced);
    }
    return joined;
  }

  /** Moves the watermark (never back) and fires every window it passes. */
  advanceWatermarkTo(watermark: number): void {
    if (watermark <= this.firedUpTo) return;
    this.firedUpTo = watermark;
    this.fireUpTo(watermark);
  }

  /** Re-checks partition idleness at wall-clock `nowMs` and fires what the watermark allows. */
  tick(nowMs: number): void {
    if (this.watermarks !== undefined) this.advanceWatermarkTo(this.watermarks.recompute(nowMs));
  }

  /** Step 4: at the end of a finite input every open window fires. */
  flush(): void {
    this.fireUpTo(Number.POSITIVE_INFINITY);
  }

  /** The entity's window starting at `start`, created (and filed by end) if it is not open. */
  private windowAt(
    windows: SlidingWindow<E>[],
    entityId: string,
    start: number,
    end: number,
  ): SlidingWindow<E> {
    // Scan from the back: in-order events mostly hit the newest windows.
    let index = windows.length;
    while (index > 0 && windows[index - 1]!.windowStart > start) index--;
    const existing = windows[index - 1];
    if (existing !== undefined && existing.windowStart === start) return existing;
    const window = new SlidingWindow<E>(entityId, start, end);
    if (index === windows.length) windows.push(window);
    else windows.splice(index, 0, window);
    let byEnd = this.openByEnd.get(end);
    if (byEnd === undefined) {
      byEnd = [];
      this.openByEnd.set(end, byEnd);
      this.insertEnd(end);
    }
    byEnd.push(window);
    this.openWindowCount++;
    return window;
  }

  private insertEnd(end: number): void {
    const ends = this.openEnds;
    // Ends mostly arrive in order, so the common case is an append.
    let index = ends.length;
    while (index > 0 && ends[index - 1]! > end) index--;
    ends.splice(index, 0, end);
  }

  private fireUpTo(watermark: number): void {
    const ends = this.openEnds;
    let fired = 0;
    while (fired < ends.length && ends[fired]! - 1 <= watermark) {
      const end = ends[fired]!;
      const windows = this.openByEnd.get(end)!;
      this.openByEnd.delete(end);
      windows.sort(compareWindowEntities);
      for (const window of windows) {
        this.openWindowCount--;
        this.forget(window);
        this.options.onWindowFired(window);
      }
      fired++;
    }
    if (fired > 0) ends.splice(0, fired);
  }

  /** Removes a fired window from its entity's list: windows of one entity fire oldest first. */
  private forget(window: SlidingWindow<E>): void {
    const siblings = this.openByEntity.get(window.entityId)!;
    if (siblings.length === 1) {
      this.openByEntity.delete(window.entityId);
    } else if (siblings[0] === window) {
      siblings.shift();
    } else {
      siblings.splice(siblings.indexOf(window), 1);
    }
  }
}

/** Entity order within one window end: plain string order, as Flink and most languages sort. */
export function compareEntityIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareWindowEntities<E>(a: SlidingWindow<E>, b: SlidingWindow<E>): number {
  return compareEntityIds(a.entityId, b.entityId);
}
