// The zod-free feature names are the feature columns of the zod models, in their order (the
// models are held to schemas/*.avsc by test/unit/schemas-agree.test.ts).
import { describe, expect, it } from 'vitest';
import { CLICKSTREAM_FEATURE_NAMES, TRANSACTION_FEATURE_NAMES } from './feature-names.ts';
import { ClickstreamFeaturesSchema, TransactionFeaturesSchema } from './features.ts';

describe('feature names', () => {
  it.each([
    ['transactions', TRANSACTION_FEATURE_NAMES, TransactionFeaturesSchema],
    ['clickstream', CLICKSTREAM_FEATURE_NAMES, ClickstreamFeaturesSchema],
  ] as const)('are the %s model keys after the window bounds, in order', (_job, names, schema) => {
    expect([...names]).toEqual(Object.keys(schema.shape).slice(3));
    expect(Object.keys(schema.shape).slice(0, 3)).toEqual([
      'entity_id',
      'window_start',
      'window_end',
    ]);
  });
});
