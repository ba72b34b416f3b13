/**
 * The event-time engine of DESIGN section 5, shared by replay and the Kafka consumer runtime:
 * events -> HOP windows per entity -> watermark -> fired windows, in (window_end, entity_id)
 * order. Memory is bounded by the open windows, not by the input: a window is released as
 * soon as it fires.
 */

import { WatermarkGenerator } from '../core/utils/watermarks.ts';
import { SlidingWindow } from '../core/utils/windowing.ts';

export interface WindowedEngineOptions<E> {
  windowSizeMs: number;
  slideMs: number;
  maxOutOfOrdernessMs: number;
  idleTimeoutMs?: number;
  entityOf: (event: E) => string;
  timeOf: (event: E) => number;
  /** Called once per fired window with at least one event, in (window_end, entity_id) order. */
  onWindowFired: (window: SlidingWindow<E>) => void;
  /** Called for an event that joined no window (all its windows had fired). */
  onLateEvent: (event: E, watermark: number) => void;
}

export class WindowedEngine<E> {
  /** Open windows by window end, then by entity. */
  private readonly openByEnd = new Map<number, Map<string, SlidingWindow<E>>>();
  /** The keys of `openByEnd`, ascending: firing walks them from the front. */
  private readonly openEnds: number[] = [];
  private readonly watermarks: WatermarkGenerator;
  private openWindowCount = 0;
  private readonly windowSizeMs: number;
  private readonly slideMs: number;
  private readonly options: WindowedEngineOptions<E>;

  constructor(options: WindowedEngineOptions<E>) {
    this.options = options;
    this.windowSizeMs = options.windowSizeMs;
    this.slideMs = options.slideMs;
    this.watermarks = new WatermarkGenerator({
      maxOutOfOrdernessMs: options.maxOutOfOrdernessMs,
      ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
    });
  }

  get watermark(): number {
    return this.watermarks.watermark;
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
    const watermark = this.watermarks.watermark;
    let joined = false;
    for (
      let start = Math.floor(time / this.slideMs) * this.slideMs;
      start > time - this.windowSizeMs;
      start -= this.slideMs
    ) {
      const end = start + this.windowSizeMs;
      // A window has fired once W >= end - 1; it takes no more events.
      if (watermark >= end - 1) continue;
      this.windowFor(entityId, start, end).addEvent(event);
      joined = true;
    }
    if (!joined) this.options.onLateEvent(event, watermark);
    const advanced = this.watermarks.observe(time, partition, nowMs);
    if (advanced !== watermark) this.fireUpTo(advanced);
    return joined;
  }

  /** Re-checks partition idleness at wall-clock `nowMs` and fires what the watermark allows. */
  tick(nowMs: number): void {
    const before = this.watermarks.watermark;
    const after = this.watermarks.recompute(nowMs);
    if (after !== before) this.fireUpTo(after);
  }

  /** Step 4: at the end of a finite input every open window fires. */
  flush(): void {
    this.fireUpTo(Number.POSITIVE_INFINITY);
  }

  /** Forgets a partition (revoked in a rebalance) so it no longer holds the watermark back. */
  removePartition(partition: number, nowMs: number): void {
    this.watermarks.removePartition(partition);
    this.tick(nowMs);
  }

  private windowFor(entityId: string, start: number, end: number): SlidingWindow<E> {
    let byEntity = this.openByEnd.get(end);
    if (byEntity === undefined) {
      byEntity = new Map();
      this.openByEnd.set(end, byEntity);
      this.insertEnd(end);
    }
    let window = byEntity.get(entityId);
    if (window === undefined) {
      window = new SlidingWindow<E>(entityId, start, end);
      byEntity.set(entityId, window);
      this.openWindowCount++;
    }
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
      const byEntity = this.openByEnd.get(end)!;
      this.openByEnd.delete(end);
      const entityIds = [...byEntity.keys()].sort(compareEntityIds);
      for (const entityId of entityIds) {
        this.openWindowCount--;
        this.options.onWindowFired(byEntity.get(entityId)!);
      }
      fired++;
    }
    if (fired > 0) ends.splice(0, fired);
  }
}

/** Entity order within one window end: plain string order, as Flink and most languages sort. */
export function compareEntityIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
