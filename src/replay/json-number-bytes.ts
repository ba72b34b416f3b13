/**
 * A number written as the UTF-8 bytes of what JSON.stringify writes for it, straight into a
 * byte buffer: the numbers replay's rows are mostly made of get no string of their own.
 *
 * Turning a double into its shortest round-trip text costs 120 to 220 ns in V8, and a
 * transaction row has six such numbers: that was four fifths of formatting a row, the largest
 * part of writing replay's rows with 10,000 cards (2 rows per event). Amounts have cents, so
 * amount_max, amount_min, often amount_sum and velocity_score are a whole number of hundredths,
 * and their digits can be written from that integer directly.
 *
 * Why those digits are exactly JavaScript's: when the decimal D = cents / 100 rounds to the
 * double v, JavaScript writes the fewest significant digits that round to v. Any other decimal
 * with as few digits as D, or fewer, is a multiple of D's last digit place (0.01 at the finest)
 * and differs from D by at least that; below 2^31 hundredths (|v| < 21,474,836.48) doubles are
 * far closer together than 0.01, so no such decimal rounds to v, and D's digits are the answer.
 * In that range JavaScript uses plain notation (no exponent), as written here.
 *
 * Safe integers past that range (window_start and window_end, epoch milliseconds) are written
 * digit by digit too: every integer below 2^53 is a double of its own, so its shortest
 * round-trip digits are all of its digits, and JavaScript writes integers below 1e21 without
 * an exponent. Any other double is written by Grisu3 (./shortest-double-bytes.ts), the few it
 * cannot settle copied from `String(v)`, which is ASCII.
 * test/unit/replay/json-number-bytes.test.ts holds all of this to JSON.stringify on random values.
 * It pays: bench/replay-throughput.ts turns the digits off (number-digits, ./fast-paths.ts)
 * and prints their share.
 */

import { usesFastPath } from './fast-paths.ts';
import { writeShortestDouble } from './shortest-double-bytes.ts';

const WRITES_DIGITS = usesFastPath('number-digits');
const WRITES_SHORTEST_DOUBLE = usesFastPath('shortest-double');

const MAX_HUNDREDTHS = 2 ** 31 - 1;

/**
 * The most bytes one number can take: "-0.0000012345678901234567" (plain notation down to 1e-6,
 * 17 significant digits); exponent forms such as "-2.2250738585072014e-308" are shorter.
 */
export const MAX_JSON_NUMBER_BYTES = 25;

const ZERO = 0x30;
const MINUS = 0x2d;
const DOT = 0x2e;

/**
 * Writes the number at `at`, which needs room for MAX_JSON_NUMBER_BYTES, and returns where it
 * ends. The bytes after the end, up to MAX_JSON_NUMBER_BYTES from `at`, may have been used as
 * scratch (./shortest-double-bytes.ts): a caller writes on from the end.
 */
export function writeJsonNumber(bytes: Uint8Array, at: number, value: number): number {
  // NaN and the infinities: JSON.stringify writes null.
  if (value - value !== 0) {
    bytes[at] = 0x6e; // n
    bytes[at + 1] = 0x75; // u
    bytes[at + 2] = 0x6c; // l
    bytes[at + 3] = 0x6c; // l
    return at + 4;
  }
  const hundredths = Math.round(value * 100);
  if (
    WRITES_DIGITS &&
    hundredths / 100 === value &&
    hundredths <= MAX_HUNDREDTHS &&
    hundredths >= -MAX_HUNDREDTHS
  ) {
    // -0 comes here as 0 hundredths and is written "0", as JSON.stringify does.
    if (hundredths < 0) bytes[at++] = MINUS;
    const magnitude = (hundredths < 0 ? -hundredths : hundredths) | 0;
    const whole = (magnitude / 100) | 0;
    const fraction = magnitude - whole * 100;
    at = writeSmallInteger(bytes, at, whole);
    if (fraction !== 0) {
      // ".5" for 50 hundredths, ".05" for 5, ".55" for 55: no trailing zero.
      const tenths = (fraction / 10) | 0;
      const last = fraction - tenths * 10;
      bytes[at++] = DOT;
      bytes[at++] = ZERO + tenths;
      if (last !== 0) bytes[at++] = ZERO + last;
    }
    return at;
  }
  if (WRITES_DIGITS && Number.isSafeInteger(value)) return writeSafeInteger(bytes, at, value);
  const end = WRITES_SHORTEST_DOUBLE ? writeShortestDouble(bytes, at, value) : -1;
  if (end >= 0) return end;
  // What Grisu3 cannot settle (about 0.5%), and subnormals: V8's own text.
  const text = String(value);
  for (let i = 0; i < text.length; i++) bytes[at + i] = text.charCodeAt(i);
  return at + text.length;
}

/** The digits of an integer from 0 to 2^31 - 1, in small-integer arithmetic. */
function writeSmallInteger(bytes: Uint8Array, at: number, value: number): number {
  const end = at + digitCount(value);
  let rest = value;
  let i = end;
  do {
    const quotient = (rest / 10) | 0;
    bytes[--i] = ZERO + rest - quotient * 10;
    rest = quotient;
  } while (rest !== 0);
  return end;
}

function digitCount(value: number): number {
  if (value < 1e4) return value < 10 ? 1 : value < 100 ? 2 : value < 1e3 ? 3 : 4;
  if (value < 1e8) return value < 1e5 ? 5 : value < 1e6 ? 6 : value < 1e7 ? 7 : 8;
  return value < 1e9 ? 9 : 10;
}

/**
 * The digits of a safe integer, in double arithmetic: `%` on doubles is exact, and so is
 * dividing a multiple of 10 below 2^53 by 10. Rare in rows (the window's bounds are written
 * once per window), so kept simple.
 */
function writeSafeInteger(bytes: Uint8Array, at: number, value: number): number {
  let rest = value;
  if (value < 0) {
    bytes[at++] = MINUS;
    rest = -value;
  }
  let digits = 1;
  for (let power = 10; power <= rest; power *= 10) digits++;
  const end = at + digits;
  for (let i = end - 1; i >= at; i--) {
    const digit = rest % 10;
    bytes[i] = ZERO + digit;
    rest = (rest - digit) / 10;
  }
  return end;
}
