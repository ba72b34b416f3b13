// Filling one reused row (replay's window thread) gives, window after window, exactly the row a
// fresh computation gives, with the keys in schema order, for every built-in job.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILT_IN, windowEventOf } from '../../../support/job-events.ts';

const window = fc.record({
  entityId: fc.string({ minLength: 1, maxLength: 6 }),
  windowStart: fc.integer({ min: 0, max: 2e12 }).map((t) => t - (t % 60_000)),
  windowEnd: fc.constant(0),
});

describe('computeFeaturesInto', () => {
  it.each(BUILT_IN.jobs.map((job) => [job.name, job] as const))(
    'fills one reused %s row as a fresh computation does',
    (_name, job) => {
      const row = job.newFeatureRow();
      expect(Object.keys(row)).toEqual(job.featureSchema.fields.map((field) => field.name));
      const events = fc.array(windowEventOf(job), { minLength: 1, maxLength: 20 });
      fc.assert(
        fc.property(
          fc.array(fc.tuple(window, events), { minLength: 1, maxLength: 8 }),
          (windows) => {
            for (const [bounds, windowEvents] of windows) {
              const context = { ...bounds, windowEnd: bounds.windowStart + 300_000 };
              const fresh = job.computeFeatures(windowEvents, context);
              const filled = job.computeFeaturesInto(windowEvents, context, row);
              expect(filled).toBe(row);
              // Same keys in the same order, and each value the same number, -0 and NaN included.
              expect(Object.keys(filled)).toEqual(Object.keys(fresh));
              for (const [key, value] of Object.entries(fresh)) {
                expect(Object.is(filled[key], value), key).toBe(true);
              }
            }
          },
        ),
        { numRuns: 300 },
      );
    },
  );
});
