// The feature bytes kept per entity slot come back exactly as kept, whatever the order of slots
// and however the store grows; asking for a slot with nothing usable kept is an error, not a guess.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeptFeatureBytes } from '../../../src/replay/kept-feature-bytes.ts';

const MAX_BYTES = 40;

describe('KeptFeatureBytes', () => {
  it('gives back the last bytes kept for each slot, across growth', () => {
    const keeps = fc.array(
      fc.record({
        slot: fc.integer({ min: 0, max: 5000 }),
        bytes: fc.uint8Array({ maxLength: MAX_BYTES }),
      }),
      { maxLength: 60 },
    );
    fc.assert(
      fc.property(keeps, (input) => {
        const kept = new KeptFeatureBytes(MAX_BYTES);
        const expected = new Map<number, Uint8Array>();
        for (const { slot, bytes } of input) {
          // Kept from the middle of a larger buffer, as the encoder keeps a row's feature part.
          const from = new Uint8Array(bytes.length + 7);
          from.set(bytes, 3);
          kept.keep(slot, from, 3, 3 + bytes.length);
          expected.set(slot, bytes);
        }
        for (const [slot, bytes] of expected) {
          const to = new Uint8Array(MAX_BYTES + 5).fill(0xff);
          expect(kept.copyTo(slot, to, 5)).toBe(5 + bytes.length);
          expect(to.subarray(5, 5 + bytes.length)).toEqual(bytes);
          expect(to[5 + bytes.length]).toBe(0xff);
        }
      }),
    );
  });

  it('refuses a slot it holds nothing for, or whose last row it could not keep', () => {
    const kept = new KeptFeatureBytes(MAX_BYTES);
    const to = new Uint8Array(MAX_BYTES);
    expect(() => kept.copyTo(3, to, 0)).toThrow(/no features kept for entity slot 3/);
    kept.keep(3, Uint8Array.of(1, 2), 0, 2);
    kept.keep(4, Uint8Array.of(5), 0, 1);
    expect(() => kept.copyTo(2, to, 0)).toThrow(/entity slot 2/);
    kept.forget(3);
    expect(() => kept.copyTo(3, to, 0)).toThrow(/entity slot 3/);
    expect(kept.copyTo(4, to, 0)).toBe(1);
  });
});
