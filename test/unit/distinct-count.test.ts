import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countDistinct } from '../../src/core/processors/distinct-count.ts';

describe('countDistinct', () => {
  it.each([
    [[], 0],
    [['a'], 1],
    [['a', 'a', 'a'], 1],
    [['a', 'b', 'a', 'c'], 3],
  ])('counts %j as %i', (values, expected) => {
    expect(countDistinct(values, (v) => v)).toBe(expected);
  });

  it('agrees with a Set on both sides of the pairwise limit', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom(
            'a',
            'b',
            'c',
            'd',
            'e',
            'f',
            'g',
            'h',
            'i',
            'j',
            'k',
            'l',
            'm',
            'n',
            'o',
            'p',
            'q',
            'r',
            's',
            't',
          ),
          { maxLength: 60 },
        ),
        (values) => {
          expect(countDistinct(values, (v) => v)).toBe(new Set(values).size);
        },
      ),
    );
  });
});
