// One entity's windows: runs of starts grow at both ends, a window apart from the run switches
// to a list, and firing hands out each window once, oldest first, with its events in order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EntityWindows } from '../../../src/engine/entity-windows.ts';
import { newFiredWindows } from '../../../src/engine/fired-windows.ts';

const SLIDE = 10;
const SIZE = 30;

describe('EntityWindows', () => {
  it('opens each window once and fires them oldest first, as a sorted set would', () => {
    // Each step opens a range of starts (in slides), or fires the oldest open window.
    const steps = fc.array(
      fc.oneof(
        fc.record({ first: fc.integer({ min: 0, max: 40 }), span: fc.integer({ min: 0, max: 3 }) }),
        fc.constant('fire' as const),
      ),
      { maxLength: 60 },
    );
    fc.assert(
      fc.property(steps, (input) => {
        const entity = new EntityWindows<number>('e', 0);
        const open = new Set<number>();
        let fired = Number.NEGATIVE_INFINITY;
        const opened: number[] = [];
        for (const step of input) {
          if (step === 'fire') {
            if (open.size === 0) continue;
            const oldest = Math.min(...open);
            expect(entity.fireOldest(SIZE, SLIDE, newFiredWindows()).windowStart).toBe(oldest);
            open.delete(oldest);
            fired = oldest;
            continue;
          }
          // As in the engine, only windows after the last fired one can be opened.
          const first = Math.max(step.first * SLIDE, fired + SLIDE);
          const last = (step.first + step.span) * SLIDE;
          if (first > last) continue;
          const count = entity.openWindows(first, last, SLIDE, opened);
          const expected: number[] = [];
          for (let s = first; s <= last; s += SLIDE) if (!open.has(s)) expected.push(s);
          expect(opened.slice(0, count).sort((a, b) => a - b)).toEqual(expected);
          for (const s of expected) open.add(s);
          expect(entity.hasOpenWindows).toBe(open.size > 0);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('gathers the events of each window and forgets those no later window holds', () => {
    const entity = new EntityWindows<string>('e', 0);
    const opened: number[] = [];
    entity.openWindows(0, 20, SLIDE, opened);
    entity.addEvent('a', 5);
    entity.addEvent('b', 25);
    entity.openWindows(100, 120, SLIDE, opened); // apart from the run
    entity.addEvent('c', 125);
    entity.addEvent('d', 12);
    const fired = [0, 10, 20, 100, 110, 120].map(() => {
      const window = entity.fireOldest(SIZE, SLIDE, newFiredWindows());
      return [window.windowStart, window.getEvents().join('')];
    });
    expect(fired).toEqual([
      [0, 'abd'],
      [10, 'bd'],
      [20, 'b'],
      [100, 'c'],
      [110, 'c'],
      [120, 'c'],
    ]);
    expect(entity.hasOpenWindows).toBe(false);
  });
});
