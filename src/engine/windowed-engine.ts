/**
 * The event-time engine of docs/windows.md, shared by replay and the Kafka consumer runtime:
 * events -> HOP windows per entity -> watermark -> fired windows, in (window_end, entity_id)
 * order. Memory is bounded by the open windows, not by the input: an event is released as
 * soon as the last window containing it fires, and of the entities with no open window at most
 * 16,384 states are kept, for reuse (./idle-states.ts).
 *
 * The watermark is either the engine's own (replay: W = max(W, t - D) per event, over the
 * partitions it is given) or driven from outside with `advanceWatermarkTo` (the consumer
 * runtime, which combines the partitions of a consumer group itself).
 *
 * Layout, chosen for the per-event path (see ./entity-windows.ts): one map lookup per event
 * finds the entity's state; the event is stored once there, not once per window, and a
 * window's events are gathered when it fires. A window opened for an entity is also filed
 * under its end, which is what firing walks.
 */

import { LateEventHandler } from '../core/utils/late-event-handler.ts';
import { WatermarkGenerator } from '../core/utils/watermarks.ts';
import {
  firstOpenWindowStart,
  lastWindowStart,
  type SlidingWindow,
} from '../core/utils/windowing.ts';
import { EntityWindows } from './entity-windows.ts';
import { type FiredWindows, LentWindows, newFiredWindows } from './fired-windows.ts';
import { FiringOrder } from './firing-order.ts';
import { IdleStates } from './idle-states.ts';

export { compareEntityIds } from './firing-order.ts';

export interface WindowedEngineOptions<E, W = E> {
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
  /**
   * What a window keeps of an event, and hands to `onWindowFired`: by default the event itself.
   * Called only for an event that joins a window. Replay's window thread keeps a small object
   * with just the fields the feature function reads (see src/replay/window-thread.ts).
   */
  windowEventOf?: (event: E) => W;
  /**
   * Called once per fired window with at least one event, in (window_end, entity_id) order.
   * The window is the caller's to keep: the engine holds no reference to it afterwards (unless
   * `lendsWindows`).
   *
   * `entitySlot` is a small number (from 0) for the entity's state, not shared with any other
   * entity while the engine holds the state; a slot goes to another entity only after its state
   * is dropped or taken over, so a caller can keep something per entity in an array by slot.
   * `sameEvents` is true when the window holds exactly the events, in the same order, of the
   * window fired before it under the same slot, which was the same entity's: whatever the caller
   * computed from that window's events holds for this one. With sparse entities that is common
   * (half the windows of a 1M-event file with 10,000 cards).
   */
  onWindowFired: (window: SlidingWindow<W>, entitySlot: number, sameEvents: boolean) => void;
  /**
   * Hand `onWindowFired` one window object, refilled for every window, and events arrays reused
   * by size, instead of new ones: the caller reads them during the call and keeps neither
   * (./fired-windows.ts). For a caller that turns each window into a row at once.
   */
  lendsWindows?: boolean;
  /**
   * Called for each window event the engine no longer holds (every window containing it has
   * fired), so the caller can reuse the object. The window being fired may still hold it: reuse
   * it only for an event processed after `onWindowFired` returns.
   */
  onEventReleased?: (event: W) => void;
  /** Called for an event that joined no window (all its windows had fired). */
  onLateEvent: (event: E, watermark: number) => void;
}

/** With a window five slides long, an event's windows end at the newest five ends. */
const NEWEST_ENDS_SCANNED = 8;

/** Idle states kept: enough for every card of a busy replay to come back to its own. */
const MAX_IDLE_STATES = 1 << 14;

export class WindowedEngine<E, W = E> {
  /** The entities with an open window, and the idle ones still kept in `idleStates`. */
  private readonly entities = new Map<string, EntityWindows<W>>();
  /**
   * States of entities whose windows have all fired, kept for the entity's return or for a new
   * entity to take over (./idle-states.ts): a new state with new arrays for each was most of the
   * engine's garbage with 10,000 cards.
   */
  private readonly idleStates = new IdleStates<EntityWindows<W>>(MAX_IDLE_STATES);
  /** The slots of dropped states, for new ones; `slotCount` slots have been handed out. */
  private readonly freeSlots: number[] = [];
  private slotCount = 0;
  /**
   * The ends of the open windows, ascending, and at the same index the entities with a window
   * there; firing walks them from the front. Two arrays rather than a Map by end: an end is a
   * double (epoch milliseconds), and a Map lookup boxed it, 16 bytes for every opened window.
   */
  private readonly openEnds: number[] = [];
  private readonly openByEnd: EntityWindows<W>[][] = [];
  private readonly firingOrder = new FiringOrder<EntityWindows<W>>();
  /** Scratch: the starts of the windows an event has just opened. */
  private readonly openedStarts: number[] = [];
  private readonly watermarks: WatermarkGenerator | undefined;
  /** Every window with end - 1 <= this has fired. */
  private firedUpTo: number;
  private openWindowCount = 0;
  private readonly windowSizeMs: number;
  private readonly slideMs: number;
  private readonly entityOf: (event: E) => string;
  private readonly timeOf: (event: E) => number;
  private readonly windowEventOf: ((event: E) => W) | undefined;
  private readonly onWindowFired: (
    window: SlidingWindow<W>,
    entitySlot: number,
    sameEvents: boolean,
  ) => void;
  private readonly firedWindows: FiredWindows<W>;
  private readonly onEventReleased: ((event: W) => void) | undefined;
  /** Counts every late event and hands it to the caller's `onLateEvent`. */
  private readonly lateEvents: LateEventHandler<E>;

  constructor(options: WindowedEngineOptions<E, W>) {
    this.windowSizeMs = options.windowSizeMs;
    this.slideMs = options.slideMs;
    this.entityOf = options.entityOf;
    this.timeOf = options.timeOf;
    this.windowEventOf = options.windowEventOf;
    this.onWindowFired = options.onWindowFired;
    this.lateEvents = new LateEventHandler(options.onLateEvent);
    this.firedWindows = options.lendsWindows ? new LentWindows<W>() : newFiredWindows<W>();
    this.onEventReleased = options.onEventReleased;
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

  /** Events that joined no window because every window containing them had fired. */
  get lateEventCount(): number {
    return this.lateEvents.count;
  }

  get openWindows(): number {
    return this.openWindowCount;
  }

  /** Entity states held: those with an open window, and at most 16,384 idle ones kept for reuse. */
  get heldEntityStates(): number {
    return this.entities.size;
  }

  /**
   * Steps 2 and 3 of docs/windows.md for one valid event. Returns false when the event was
   * late (it joined no window).
   */
  process(event: E, partition = 0, nowMs = 0): boolean {
    const time = this.timeOf(event);
    const joined = this.addToWindows(event, time);
    if (!joined) this.lateEvents.handle(event, this.firedUpTo);
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

  /** Step 2: the event joins its windows that have not fired; false if that is none. */
  private addToWindows(event: E, time: number): boolean {
    const { slideMs, windowSizeMs } = this;
    const lastStart = lastWindowStart(time, slideMs);
    const firstStart = firstOpenWindowStart(time, this.firedUpTo, windowSizeMs, slideMs);
    if (firstStart > lastStart) return false;
    const entityId = this.entityOf(event);
    let entity = this.entities.get(entityId);
    if (entity === undefined) {
      entity = this.idleStates.takeOldest();
      if (entity === undefined) {
        entity = new EntityWindows<W>(entityId, this.freeSlots.pop() ?? this.slotCount++);
      } else {
        this.entities.delete(entity.entityId);
        entity.reuseFor(entityId);
      }
      this.entities.set(entityId, entity);
    } else {
      // Active again if it was idle: its place in the idle queue goes stale.
      entity.idleTicket = 0;
    }
    const windowEventOf = this.windowEventOf;
    entity.addEvent(
      windowEventOf === undefined ? (event as unknown as W) : windowEventOf(event),
      time,
    );
    const opened = entity.openWindows(firstStart, lastStart, slideMs, this.openedStarts);
    for (let i = 0; i < opened; i++)
      this.fileUnderEnd(entity, this.openedStarts[i]! + windowSizeMs);
    this.openWindowCount += opened;
    return true;
  }

  private fileUnderEnd(entity: EntityWindows<W>, end: number): void {
    const ends = this.openEnds;
    const index = this.endIndex(end);
    if (index === ends.length) {
      ends.push(end);
      this.openByEnd.push([entity]);
    } else if (ends[index] !== end) {
      ends.splice(index, 0, end);
      this.openByEnd.splice(index, 0, [entity]);
    } else {
      this.openByEnd[index]!.push(entity);
    }
  }

  /** Where `end` is, or belongs, in `openEnds`: the first index whose end is not below it. */
  private endIndex(end: number): number {
    const ends = this.openEnds;
    let high = ends.length;
    // An event's windows end at the newest few ends: look there first, then search.
    for (let steps = 0; steps < NEWEST_ENDS_SCANNED; steps++) {
      if (high === 0 || ends[high - 1]! < end) return high;
      high--;
    }
    let low = 0;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (ends[middle]! < end) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private fireUpTo(watermark: number): void {
    const ends = this.openEnds;
    let fired = 0;
    while (fired < ends.length && ends[fired]! - 1 <= watermark) {
      const entities = this.firingOrder.sort(this.openByEnd[fired]!);
      for (const entity of entities) {
        this.openWindowCount--;
        const window = entity.fireOldest(
          this.windowSizeMs,
          this.slideMs,
          this.firedWindows,
          this.onEventReleased,
        );
        if (!entity.hasOpenWindows) {
          const evicted = this.idleStates.add(entity);
          if (evicted !== undefined) {
            this.entities.delete(evicted.entityId);
            this.freeSlots.push(evicted.slot);
          }
        }
        this.onWindowFired(window, entity.slot, entity.firedSameEvents);
      }
      fired++;
    }
    if (fired > 0) {
      ends.splice(0, fired);
      this.openByEnd.splice(0, fired);
    }
  }
}
