/**
 * One entity's state in the windowed engine: the starts of its open windows, and its events
 * that are still inside one of them, each stored once, in arrival order. A window's events are
 * gathered when it fires, instead of being pushed into every window on arrival: with a 5 min
 * window and a 1 min slide that is one store per event instead of five, and the events held
 * for minutes of event time (long enough to reach the old generation) are referenced once.
 *
 * Gathering is exact: a window [s, e) of this entity holds every event of the entity with
 * s <= t < e that arrived while it was open, and no other event with such a time can be here,
 * because an event arriving after the window fired could not have joined it, and the window
 * fires (and is gone) before any later event arrives.
 */
import type { SlidingWindow } from '../core/utils/windowing.ts';
import type { FiredWindows } from './fired-windows.ts';
import type { FiringEntity } from './firing-order.ts';
import type { IdleState } from './idle-states.ts';

export class EntityWindows<E> implements FiringEntity, IdleState {
  /**
   * The open windows: mostly one run of consecutive starts, kept as its first start and its
   * length, with no array to reach when a window fires (with 10,000 cards, reaching a list of
   * starts was a tenth of the engine's time). A window opened apart from the run (an event far
   * from the others while their windows are still open) switches to a list of the starts.
   */
  private runStart = 0;
  private runLength = 0;
  /** Starts of the open windows, ascending, from `listHead` on, when they are not one run. */
  private list: number[] | undefined;
  private listHead = 0;
  /**
   * Events still inside an open window, in arrival order, with their times alongside: the
   * first `eventCount` entries. The arrays never shrink (shrinking them made V8 reallocate
   * them on the next event); the slots past the count are cleared.
   */
  private readonly events: (E | undefined)[] = [];
  private readonly times: number[] = [];
  private eventCount = 0;
  /**
   * What `fireOldest` needs to tell a window holding exactly the events of the one before it:
   * the start of the last fired window when none of its events left with it (NaN otherwise),
   * and how many events it held.
   */
  private unchangedFrom = Number.NaN;
  private lastFiredSize = 0;
  /**
   * Set by `fireOldest`: the window it returned holds exactly the events, in the same order, of
   * the window this state fired before it, for the same entity.
   */
  firedSameEvents = false;
  firingMark = 0;
  firingId = '';
  /** Belongs to IdleStates (./idle-states.ts): 0 while the entity has an open window. */
  idleTicket = 0;

  /** `slot`: the engine's number for this state (see WindowedEngine's `onWindowFired`). */
  constructor(
    public entityId: string,
    readonly slot: number,
  ) {}

  /**
   * Takes this state, whose windows have all fired (so it holds no events), for another entity:
   * the engine keeps such states for reuse rather than making new ones (see its `idleStates`).
   */
  reuseFor(entityId: string): void {
    this.entityId = entityId;
    this.unchangedFrom = Number.NaN;
  }

  get hasOpenWindows(): boolean {
    return this.list === undefined ? this.runLength > 0 : this.listHead < this.list.length;
  }

  /**
   * Opens those of the windows starting at `first`, `first + slide`, ..., `last` that are not
   * open, writes their starts into `opened`, and returns how many there are.
   */
  openWindows(first: number, last: number, slideMs: number, opened: number[]): number {
    if (this.list === undefined) {
      if (this.runLength === 0) {
        this.runStart = first;
        this.runLength = stepsBetween(first, last, slideMs) + 1;
        return writeStarts(opened, 0, first, last, slideMs);
      }
      const runLast = this.runStart + (this.runLength - 1) * slideMs;
      if (first <= runLast + slideMs && last >= this.runStart - slideMs) {
        // The run and the new windows overlap or touch: the run grows.
        let count = 0;
        if (first < this.runStart) {
          count = writeStarts(opened, count, first, this.runStart - slideMs, slideMs);
          this.runStart = first;
        }
        if (last > runLast) count = writeStarts(opened, count, runLast + slideMs, last, slideMs);
        this.runLength = stepsBetween(this.runStart, Math.max(last, runLast), slideMs) + 1;
        return count;
      }
      this.list = [];
      writeStarts(this.list, 0, this.runStart, runLast, slideMs);
      this.listHead = 0;
    }
    return this.openInList(this.list, first, last, slideMs, opened);
  }

  addEvent(event: E, time: number): void {
    const index = this.eventCount++;
    this.events[index] = event;
    this.times[index] = time;
  }

  /**
   * Closes the oldest open window, the next to fire: windows of one entity fire in order of
   * end. Returns it, made by `windows`, with its events in arrival order, and forgets the events
   * no later window contains (those before the next start, start + slide), passing each to
   * `onReleased` if given: the returned window may still hold them. Sets `firedSameEvents`.
   *
   * Why counting is enough to tell a window [s, e) that holds the events of the one before it,
   * [s - slide, e - slide): the events of that one from s on stayed here (only those before s
   * left when it fired) and lie in [s, e), so this window holds them all. If none of its events
   * left, and this window holds as many, it holds exactly those, and in the same order, the
   * order they arrived in. Only a window one slide back can hold the same events: the events of
   * one further back would also have joined the windows in between (an event joins every open
   * window containing it), and those would have fired after it.
   */
  fireOldest(
    windowSizeMs: number,
    slideMs: number,
    windows: FiredWindows<E>,
    onReleased?: (event: E) => void,
  ): SlidingWindow<E> {
    let start: number;
    if (this.list === undefined) {
      start = this.runStart;
      this.runStart += slideMs;
      this.runLength--;
    } else {
      start = this.list[this.listHead++]!;
      this.dropFiredStarts(this.list);
    }
    const end = start + windowSizeMs;
    const nextStart = start + slideMs;
    const { events, times } = this;
    const count = this.eventCount;
    // Counted first, so the window's array is allocated at its size: an array that grows by push
    // starts with room for 17, most of it unused in a window of a few events, all of it garbage.
    let size = 0;
    for (let i = 0; i < count; i++) {
      const time = times[i]!;
      if (time >= start && time < end) size++;
    }
    const inWindow = windows.eventsArray(size);
    let filled = 0;
    let kept = 0;
    let leftWindow = 0;
    for (let i = 0; i < count; i++) {
      const time = times[i]!;
      const event = events[i]!;
      if (time >= start && time < end) inWindow[filled++] = event;
      if (time >= nextStart) {
        events[kept] = event;
        times[kept] = time;
        kept++;
      } else {
        if (time >= start) leftWindow++;
        if (onReleased !== undefined) onReleased(event);
      }
    }
    this.firedSameEvents = start - slideMs === this.unchangedFrom && size === this.lastFiredSize;
    this.unchangedFrom = leftWindow === 0 ? start : Number.NaN;
    this.lastFiredSize = size;
    // A loop, not fill(): fill is a call into V8's runtime, which costs more than the few slots
    // it clears here.
    for (let i = kept; i < count; i++) events[i] = undefined;
    this.eventCount = kept;
    return windows.window(this.entityId, start, end, inWindow);
  }

  /** The general case: new starts merged into the list, scanning from its newest end. */
  private openInList(
    list: number[],
    first: number,
    last: number,
    slideMs: number,
    opened: number[],
  ): number {
    let count = 0;
    let index = list.length - 1;
    for (let start = last; start >= first; start -= slideMs) {
      while (index >= this.listHead && list[index]! > start) index--;
      if (index >= this.listHead && list[index] === start) continue;
      list.splice(index + 1, 0, start);
      opened[count++] = start;
    }
    return count;
  }

  /** Forgets the fired starts once they are half the list; back to a run once none is open. */
  private dropFiredStarts(list: number[]): void {
    if (this.listHead === list.length) {
      this.list = undefined;
      this.listHead = 0;
      this.runLength = 0;
    } else if (this.listHead > 8 && this.listHead * 2 > list.length) {
      list.splice(0, this.listHead);
      this.listHead = 0;
    }
  }
}

/** How many slides from `first` to `last`, both multiples of the slide. */
function stepsBetween(first: number, last: number, slideMs: number): number {
  return Math.round((last - first) / slideMs);
}

/** Writes first, first + slide, ..., last into `out` from `at` on; returns the next index. */
function writeStarts(
  out: number[],
  at: number,
  first: number,
  last: number,
  slideMs: number,
): number {
  let index = at;
  for (let start = first; start <= last; start += slideMs) out[index++] = start;
  return index;
}
