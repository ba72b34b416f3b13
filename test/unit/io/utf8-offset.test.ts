// The offset named in an invalid_utf8 dead letter: the first byte where decoding fails.
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8Offset } from '../../../src/io/utf8-offset.ts';

describe('firstInvalidUtf8Offset', () => {
  it.each([
    ['c\xff', [0x63, 0xff], 1],
    ['a cut 2-byte character', [0x61, 0xc3], 1],
    ['an overlong form', [0xc0, 0x80], 0],
    ['a surrogate', [0x61, 0xed, 0xa0, 0x80], 1],
    ['past U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['a lone continuation byte', [0x61, 0x62, 0x80], 2],
    ['valid text', [...Buffer.from('é€𝄞')], 9],
  ])('%s', (_name, bytes, offset) => {
    expect(firstInvalidUtf8Offset(Uint8Array.from(bytes))).toBe(offset);
  });

  it('agrees with isUtf8: the bytes before the offset are UTF-8, and the bytes are iff it is the end', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (bytes) => {
        const offset = firstInvalidUtf8Offset(bytes);
        expect(isUtf8(bytes.subarray(0, offset))).toBe(true);
        expect(offset === bytes.length).toBe(isUtf8(bytes));
      }),
      { numRuns: 3000, seed: 7 },
    );
  });
});
