/** Generated windows for the UDF service tests: realistic events, varied window sizes. */
import { DEFAULT_PROCESSOR_CONFIG } from '../../src/core/models/config.ts';
import { computeClickstreamFeaturesFromWindow } from '../../src/core/processors/clickstream-features.ts';
import { computeTransactionFeaturesFromWindow } from '../../src/core/processors/transaction-features.ts';
import { clickFor, transactionFor } from '../../src/generate/event-factories.ts';
import { SeededRandom } from '../../src/generate/seeded-random.ts';
import type { WindowInput } from '../../src/udf/window-batch.ts';

const FIVE_MINUTES_MS = 300_000;
const EPOCH = Date.parse('2024-03-01T00:00:00Z');

export type UdfFunctionName = 'transaction_features' | 'clickstream_features';

/** `count` windows of `fn`'s events, 1 to `maxEvents` each, seeded. */
export function generateWindows(
  fn: UdfFunctionName,
  count: number,
  seed: number,
  maxEvents = 20,
): WindowInput[] {
  const random = new SeededRandom(seed);
  const windows: WindowInput[] = [];
  for (let w = 0; w < count; w++) {
    const windowStart = EPOCH + random.int(10_000) * 60_000;
    const events = Array.from({ length: 1 + random.int(maxEvents) }, (_, e) => {
      const timestamp = windowStart + random.int(FIVE_MINUTES_MS);
      return fn === 'transaction_features'
        ? transactionFor(random, w % 300, w * 100 + e, timestamp)
        : clickFor(random, w % 300, random.int(3), w * 100 + e, timestamp);
    });
    windows.push({
      entityId: fn === 'transaction_features' ? `card-${w % 300}` : `user-${w % 300}`,
      windowStart,
      windowEnd: windowStart + FIVE_MINUTES_MS,
      events,
    });
  }
  return windows;
}

/** What replay computes for the same window: the functions of src/core, in-process. */
export function inProcessRow(fn: UdfFunctionName, window: WindowInput): object {
  return fn === 'transaction_features'
    ? computeTransactionFeaturesFromWindow(window.events as never, DEFAULT_PROCESSOR_CONFIG, window)
    : computeClickstreamFeaturesFromWindow(
        window.events as never,
        DEFAULT_PROCESSOR_CONFIG,
        window,
      );
}
