// Filling one reused row (replay's window thread) gives, window after window, exactly the row a
// fresh computation gives, with the keys in schema order, for both jobs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROCESSOR_CONFIG } from '../models/config.ts';
import { ClickstreamFeaturesSchema, TransactionFeaturesSchema } from '../models/features.ts';
import { CLICKSTREAM_JOB, TRANSACTIONS_JOB } from './job-definitions.ts';

const window = fc.record({
  entityId: fc.string({ minLength: 1, maxLength: 6 }),
  windowStart: fc.integer({ min: 0, max: 2e12 }).map((t) => t - (t % 60_000)),
  windowEnd: fc.constant(0),
});
const transactionEvents = fc.array(
  fc.record({
    amount: fc.oneof(
      fc.integer({ min: -1e6, max: 1e8 }).map((c) => c / 100),
      fc.double({ noNaN: true }),
    ),
    merchant_id: fc.constantFrom('m-1', 'm-2', 'm-3'),
    country: fc.constantFrom('NL', 'BR'),
    timestamp: fc.integer({ min: 0, max: 2e12 }),
  }),
  { minLength: 1, maxLength: 20 },
);
const clickEvents = fc.array(
  fc.record({
    event_type: fc.constantFrom('page_view', 'click', 'add_to_cart', 'purchase', 'search'),
    page: fc.constantFrom('/a', '/b'),
    session_id: fc.constantFrom('s-1', 's-2'),
    timestamp: fc.integer({ min: 0, max: 2e12 }),
  }),
  { minLength: 1, maxLength: 20 },
);

describe('computeFeaturesInto', () => {
  it.each([
    [TRANSACTIONS_JOB, transactionEvents, TransactionFeaturesSchema],
    [CLICKSTREAM_JOB, clickEvents, ClickstreamFeaturesSchema],
  ] as const)('fills one reused $job row as a fresh computation does', (job, events, schema) => {
    const row = job.newFeatureRow();
    expect(Object.keys(row)).toEqual(Object.keys(schema.shape));
    fc.assert(
      fc.property(fc.array(fc.tuple(window, events), { minLength: 1, maxLength: 8 }), (windows) => {
        for (const [bounds, windowEvents] of windows) {
          const context = { ...bounds, windowEnd: bounds.windowStart + 300_000 };
          const compute = job.computeFeatures as (...args: unknown[]) => object;
          const computeInto = job.computeFeaturesInto as (...args: unknown[]) => object;
          const fresh = compute(windowEvents, DEFAULT_PROCESSOR_CONFIG, context);
          const filled = computeInto(windowEvents, DEFAULT_PROCESSOR_CONFIG, context, row);
          expect(filled).toBe(row);
          // Same keys in the same order, and each value the same number, -0 and NaN included.
          expect(Object.keys(filled)).toEqual(Object.keys(fresh));
          for (const [key, value] of Object.entries(fresh)) {
            expect(Object.is((filled as Record<string, unknown>)[key], value), key).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
