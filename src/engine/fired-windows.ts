/**
 * The window objects the engine hands to `onWindowFired`: by default a new SlidingWindow with a
 * new events array for every fired window, the caller's to keep. With the `lendsWindows` option
 * one window object is refilled for every window, and the events arrays are reused by size: the
 * caller reads them during the call and keeps nothing. Replay's window thread computes each row
 * at once, and a new window and array per row were two fifths of its garbage (about 180 bytes
 * for each of 2M windows on a 1M-event file with 10,000 cards).
 */
import { SlidingWindow } from '../core/utils/windowing.ts';

export interface FiredWindows<E> {
  /** An array of exactly `size` slots for a window's events. */
  eventsArray(size: number): E[];
  /** The window [start, end) of `entityId` holding `events`. */
  window(entityId: string, start: number, end: number, events: E[]): SlidingWindow<E>;
}

/** New objects for every window: the caller may keep them. */
export function newFiredWindows<E>(): FiredWindows<E> {
  return {
    eventsArray: (size) => new Array<E>(size),
    window: (entityId, start, end, events) => new SlidingWindow(entityId, start, end, events),
  };
}

/** Arrays of a size up to this are reused; a larger window gets a new one (they are rare). */
const MAX_REUSED_SIZE = 64;

/** One window and one array per size, filled again for every window: valid during the call only. */
export class LentWindows<E> implements FiredWindows<E> {
  private readonly arrays: E[][] = [];
  private readonly lent = new LentWindow<E>();

  eventsArray(size: number): E[] {
    if (size > MAX_REUSED_SIZE) return new Array<E>(size);
    let array = this.arrays[size];
    if (array === undefined) {
      array = new Array<E>(size);
      this.arrays[size] = array;
    }
    return array;
  }

  window(entityId: string, start: number, end: number, events: E[]): SlidingWindow<E> {
    return this.lent.refill(entityId, start, end, events);
  }
}

/** A SlidingWindow whose bounds and events are replaced for every window it is lent as. */
class LentWindow<E> extends SlidingWindow<E> {
  declare entityId: string;
  declare windowStart: number;
  declare windowEnd: number;

  constructor() {
    super('', 0, 0, []);
  }

  refill(entityId: string, start: number, end: number, events: E[]): this {
    this.entityId = entityId;
    this.windowStart = start;
    this.windowEnd = end;
    this.events = events;
    return this;
  }
}
