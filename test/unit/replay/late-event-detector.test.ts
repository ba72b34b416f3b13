// The reading thread's lateness verdicts are the engine's, event for event, on generated
// streams with disorder, stragglers, idle gaps and odd window shapes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FeatureJobConfig } from '../../../src/core/models/config.ts';
import { WindowedEngine } from '../../../src/engine/windowed-engine.ts';
import { LateEventDetector } from '../../../src/replay/late-event-detector.ts';
import { TRANSACTIONS } from '../../support/job-events.ts';

const shapes = fc.constantFrom(
  { windowSizeMs: 300, slideMs: 100 },
  { windowSizeMs: 500, slideMs: 200 },
  { windowSizeMs: 100, slideMs: 300 },
  { windowSizeMs: 1, slideMs: 1 },
);
const times = fc
  .array(
    fc.record({
      step: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 500, max: 3000 })),
      jitter: fc.oneof(fc.integer({ min: -30, max: 30 }), fc.integer({ min: -1500, max: -200 })),
    }),
    { maxLength: 150 },
  )
  .map((steps) => {
    let clock = 10_000;
    return steps.map((s) => {
      clock += s.step;
      return Math.max(0, clock + s.jitter);
    });
  });

describe('LateEventDetector', () => {
  it('calls late exactly the events the engine adds to no window', () => {
    fc.assert(
      fc.property(times, shapes, fc.constantFrom(0, 5, 50, 400), (eventTimes, shape, D) => {
        const config: FeatureJobConfig = {
          job: TRANSACTIONS,
          ...shape,
          maxOutOfOrdernessMs: D,
          idleTimeoutMs: 30_000,
        };
        const detector = new LateEventDetector(config);
        const engine = new WindowedEngine<number>({
          ...shape,
          maxOutOfOrdernessMs: D,
          entityOf: (t) => (t % 3 === 0 ? 'a' : 'b'),
          timeOf: (t) => t,
          onWindowFired: () => {},
          onLateEvent: () => {},
        });
        for (const t of eventTimes) expect(detector.isLate(t)).toBe(!engine.process(t));
      }),
      { numRuns: 400 },
    );
  });
});
