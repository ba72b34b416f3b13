/** Generated windows for the UDF service tests: realistic events, varied window sizes. */
import type { JobDefinition } from '../../src/core/jobs/job-definition.ts';
import { SeededRandom } from '../../src/generate/seeded-random.ts';
import type { WindowInput } from '../../src/udf/window-batch.ts';
import { defineWindowFunction } from '../../src/udf/window-function.ts';
import { CLICKSTREAM, TRANSACTIONS } from './job-events.ts';

const FIVE_MINUTES_MS = 300_000;
const EPOCH = Date.parse('2024-03-01T00:00:00Z');

export type UdfFunctionName = 'transaction_features' | 'clickstream_features';

function jobOf(fn: UdfFunctionName): JobDefinition {
  return fn === 'transaction_features' ? TRANSACTIONS : CLICKSTREAM;
}

/** `count` windows of `fn`'s events (its job's sample events), 1 to `maxEvents` each, seeded. */
export function generateWindows(
  fn: UdfFunctionName,
  count: number,
  seed: number,
  maxEvents = 20,
): WindowInput[] {
  const random = new SeededRandom(seed);
  const job = jobOf(fn);
  const sample = job.sample!();
  const windows: WindowInput[] = [];
  for (let w = 0; w < count; w++) {
    const windowStart = EPOCH + random.int(10_000) * 60_000;
    const events = Array.from(
      { length: 1 + random.int(maxEvents) },
      (_, e) =>
        sample(random, w % 300, w * 100 + e, windowStart + random.int(FIVE_MINUTES_MS)) as Record<
          string,
          unknown
        >,
    );
    windows.push({
      entityId: `${job.entityType}-${w % 300}`,
      windowStart,
      windowEnd: windowStart + FIVE_MINUTES_MS,
      events,
    });
  }
  return windows;
}

/** What replay computes for the same window: the job's function, in-process. */
export function inProcessRow(fn: UdfFunctionName, window: WindowInput): object {
  return jobOf(fn).computeFeatures(window.events, window);
}

/**
 * transaction_features, busy `msPerWindow` per window (the server computes synchronously, as with
 * a heavy real function), counting the windows it computes: it holds a call in flight for a
 * known time.
 */
export function slowTransactionFeatures(msPerWindow: number, computed = { windows: 0 }) {
  return transactionsWindowFunction({
    name: 'slow_transaction_features',
    doc: 'transaction_features, slowed down for tests',
    compute: (events, window) => {
      computed.windows++;
      const until = performance.now() + msPerWindow;
      while (performance.now() < until) {
        // Busy on purpose.
      }
      return TRANSACTIONS.computeFeatures(events, window);
    },
  });
}

type WindowFunctionSpec = Parameters<typeof defineWindowFunction<Record<string, unknown>>>[0];

/** A test function over the transactions job's events and feature row, computing as `compute` says. */
export function transactionsWindowFunction(
  spec: Pick<WindowFunctionSpec, 'name' | 'doc' | 'compute'>,
) {
  return defineWindowFunction<Record<string, unknown>>({
    ...spec,
    entityArgument: 'card_id',
    eventSchema: TRANSACTIONS.eventSchema,
    eventSchemaSource: TRANSACTIONS.eventSchemaSource,
    eventFields: ['amount', 'merchant_id', 'country', 'timestamp'],
    resultSchema: TRANSACTIONS.featureSchema,
    resultSchemaSource: TRANSACTIONS.featureSchemaSource,
  });
}
