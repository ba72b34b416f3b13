import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { createRowSerializer } from '../../src/replay/row-serializer.ts';
import { TRANSACTION_FEATURE_NAMES } from '../support/job-events.ts';

const serialize = createRowSerializer(TRANSACTION_FEATURE_NAMES);
const number = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, 0.1, 1e21, 5e-324, Number.NaN, Number.POSITIVE_INFINITY),
);

describe('createRowSerializer', () => {
  it('writes exactly what JSON.stringify writes', () => {
    fc.assert(
      fc.property(
        fc.string(),
        number,
        number,
        fc.array(number, { minLength: 10, maxLength: 10 }),
        fc.boolean(),
        (id, start, end, values, repeat) => {
          const row: Record<string, unknown> = {
            entity_id: id,
            window_start: start,
            window_end: end,
          };
          TRANSACTION_FEATURE_NAMES.forEach((name, i) => {
            row[name] = repeat && i > 0 ? values[0] : values[i];
          });
          expect(serialize(row)).toBe(JSON.stringify(row));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('escapes entity ids', () => {
    const row = { entity_id: 'a"b\\\n\u2028', window_start: 0, window_end: 1 };
    expect(createRowSerializer([])(row)).toBe(JSON.stringify(row));
  });
});
