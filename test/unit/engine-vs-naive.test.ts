// The fast engine against the brute-force reading of docs/windows.md on generated streams:
// random disorder, late events, events on window boundaries, idle gaps, odd window shapes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WindowedEngine } from '../../src/engine/windowed-engine.ts';
import { runNaiveEngine } from '../support/naive-engine.ts';

interface TestEvent {
  id: number;
  entity: string;
  t: number;
}

const windowShapes = fc.constantFrom(
  { windowSizeMs: 300, slideMs: 100 },
  { windowSizeMs: 500, slideMs: 100 },
  { windowSizeMs: 200, slideMs: 200 },
  { windowSizeMs: 500, slideMs: 200 }, // size not a multiple of the slide
  { windowSizeMs: 100, slideMs: 300 }, // gaps between windows: some events join none
  { windowSizeMs: 1, slideMs: 1 },
  { windowSizeMs: 60, slideMs: 1 }, // many open ends: the engine searches them, not just the newest
);

/** A stream that mostly moves forward, with jitter, jumps (idle gaps), exact boundaries and stragglers. */
const streams = fc
  .array(
    fc.record({
      entity: fc.constantFrom('a', 'b', 'c', 'B', 'aa', 'é'),
      step: fc.oneof(
        { weight: 6, arbitrary: fc.integer({ min: 0, max: 40 }) },
        { weight: 1, arbitrary: fc.integer({ min: 500, max: 3000 }) }, // idle gap
      ),
      jitter: fc.oneof(
        { weight: 5, arbitrary: fc.integer({ min: -30, max: 30 }) },
        { weight: 1, arbitrary: fc.integer({ min: -1500, max: -200 }) }, // late straggler
        { weight: 1, arbitrary: fc.constantFrom(0, -1, 1) },
      ),
      snapToBoundary: fc.boolean(),
    }),
    { maxLength: 120 },
  )
  .map((steps) => {
    let clock = 10_000;
    return steps.map((s, id): TestEvent => {
      clock += s.step;
      let t = Math.max(0, clock + s.jitter);
      if (s.snapToBoundary) t = Math.floor(t / 100) * 100 - (s.jitter & 1);
      return { id, entity: s.entity, t: Math.max(0, t) };
    });
  });

/**
 * `lending`: as replay's window thread runs it, with lent windows and window events taken from
 * a pool the engine returns them to: an event released while a window still needs it would
 * show up there with another event's id.
 */
function runFast(
  events: readonly TestEvent[],
  shape: { windowSizeMs: number; slideMs: number },
  D: number,
  lending = false,
) {
  const fired: {
    entityId: string;
    windowStart: number;
    windowEnd: number;
    ids: number[];
    firedAfter: number;
    sameEvents: boolean;
  }[] = [];
  // What a caller keeps by slot: the entity and events of the window fired last under it.
  const lastUnderSlot: { entityId: string; ids: number[] }[] = [];
  let read = 0;
  const late: number[] = [];
  const pool: TestEvent[] = [];
  const engine = new WindowedEngine<TestEvent>({
    ...shape,
    maxOutOfOrdernessMs: D,
    entityOf: (e) => e.entity,
    timeOf: (e) => e.t,
    ...(lending
      ? {
          lendsWindows: true,
          windowEventOf: (e) => Object.assign(pool.pop() ?? { id: 0, entity: '', t: 0 }, e),
          onEventReleased: (e) => pool.push(e),
        }
      : {}),
    onWindowFired: (w, slot, sameEvents) => {
      const ids = w.getEvents().map((e) => e.id);
      // Same events claimed: the window under this slot before must be the same entity's, same events.
      if (sameEvents) expect(lastUnderSlot[slot]).toEqual({ entityId: w.entityId, ids });
      lastUnderSlot[slot] = { entityId: w.entityId, ids };
      fired.push({
        entityId: w.entityId,
        windowStart: w.windowStart,
        windowEnd: w.windowEnd,
        ids,
        firedAfter: read,
        sameEvents,
      });
    },
    onLateEvent: (e) => late.push(e.id),
  });
  for (const e of events) {
    read++;
    engine.process(e);
  }
  expect(engine.openWindows).toBeGreaterThanOrEqual(0);
  engine.flush();
  expect(engine.openWindows).toBe(0);
  expect(engine.lateEventCount).toBe(late.length);
  return { fired, late };
}

/** An engine of 300 ms windows sliding by 100 that keeps no rows, for the checks below. */
function plainEngine(maxOutOfOrdernessMs: number, onLateEvent: (e: TestEvent) => void = () => {}) {
  return new WindowedEngine<TestEvent>({
    windowSizeMs: 300,
    slideMs: 100,
    maxOutOfOrdernessMs,
    entityOf: (e) => e.entity,
    timeOf: (e) => e.t,
    onWindowFired: () => {},
    onLateEvent,
  });
}

describe('WindowedEngine against the naive reference', () => {
  it('fires the same windows, with the same events, in the same order, and the same late events', () => {
    const lendings = fc.boolean();
    fc.assert(
      fc.property(
        streams,
        windowShapes,
        fc.constantFrom(0, 5, 50, 400),
        lendings,
        (events, shape, D, lending) => {
          const fast = runFast(events, shape, D, lending);
          const naive = runNaiveEngine(events, {
            ...shape,
            maxOutOfOrdernessMs: D,
            entityOf: (e) => e.entity,
            timeOf: (e) => e.t,
          });
          // sameEvents must be exact: set whenever the entity's window fired before held the same events.
          const lastOfEntity = new Map<string, string>();
          expect(fast.fired).toEqual(
            naive.fired.map((w) => {
              const ids = w.events.map((e) => e.id);
              const sameEvents = lastOfEntity.get(w.entityId) === ids.join();
              lastOfEntity.set(w.entityId, ids.join());
              return {
                entityId: w.entityId,
                windowStart: w.windowStart,
                windowEnd: w.windowEnd,
                ids,
                firedAfter: w.firedAfter,
                sameEvents,
              };
            }),
          );
          expect(fast.late).toEqual(naive.late.map((e) => e.id));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('keeps memory to the open windows: a long in-order stream never holds more than a few', () => {
    let maxOpen = 0;
    const engine = plainEngine(10);
    for (let i = 0; i < 100_000; i++) {
      engine.process({ id: i, entity: `e${i % 7}`, t: i * 3 });
      maxOpen = Math.max(maxOpen, engine.openWindows);
    }
    // 7 entities x (3 windows per event + 1 not yet fired past the watermark)
    expect(maxOpen).toBeLessThanOrEqual(7 * 4);
  });

  it('keeps at most 16,384 idle entity states, however many entities went idle', () => {
    const engine = plainEngine(10);
    // 50,000 entities with open windows at once, then one event far later fires them all.
    for (let i = 0; i < 50_000; i++)
      engine.process({ id: i, entity: `e${i}`, t: 1_000 + (i % 50) });
    expect(engine.heldEntityStates).toBe(50_000);
    engine.process({ id: 50_000, entity: 'later', t: 100_000 });
    expect(engine.heldEntityStates).toBe(16_384 + 1);
    // A returning entity finds its kept state; a new one takes over the oldest kept state.
    engine.process({ id: 50_001, entity: 'e49999', t: 100_000 });
    engine.process({ id: 50_002, entity: 'new', t: 100_000 });
    expect(engine.heldEntityStates).toBe(16_384 + 1);
  });

  it('hands the slots of dropped entity states to new ones', () => {
    let highestSlot = 0;
    const engine = new WindowedEngine<TestEvent>({
      windowSizeMs: 300,
      slideMs: 100,
      maxOutOfOrdernessMs: 10,
      entityOf: (e) => e.entity,
      timeOf: (e) => e.t,
      onWindowFired: (_w, slot) => {
        highestSlot = Math.max(highestSlot, slot);
      },
      onLateEvent: () => {},
    });
    // Waves of 20,000 new entities, each wave's windows fired by the next: states are evicted.
    for (let wave = 0; wave < 5; wave++) {
      for (let i = 0; i < 20_000; i++)
        engine.process({ id: i, entity: `w${wave}e${i}`, t: wave * 10_000 + (i % 50) });
    }
    engine.flush();
    // No more slots than states held at once, 20,001 (a wave's first entity arrives before the
    // last wave's windows fire): the rest of a wave take over the kept idle states and the slots
    // of the evicted ones (without reuse the slots would pass 34,000).
    expect(highestSlot).toBe(20_000);
  });

  it('counts an event as late only when every window containing it has fired', () => {
    const late: number[] = [];
    const engine = plainEngine(0, (e) => late.push(e.id));
    engine.process({ id: 1, entity: 'a', t: 1000 }); // W = 1000
    engine.process({ id: 2, entity: 'a', t: 701 }); // windows end 800, 900, 1000: all have e - 1 <= 1000
    engine.process({ id: 3, entity: 'a', t: 801 }); // window ending 1100 still open: not late
    expect(late).toEqual([2]);
  });
});
